package dev.cutover.observe;

import dev.cutover.api.MetricCheck;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;

/**
 * What a Release's metric checks measure now: the checks of one stage (Verification before the
 * switch, PostSwitch after it) for one fleet.
 *
 * @param instanceIds the fleet's instances, for ${INSTANCE_IDS}
 */
public record MetricTarget(String stage, String fleetId, String version, String releaseKey,
    List<String> instanceIds, List<MetricCheck> checks) {

  public static final String VERIFICATION = "Verification";
  public static final String POST_SWITCH = "PostSwitch";

  /** Equal for the same stage, fleet and checks: measurements go on; else they start over. */
  public String signature() {
    return stage + "|" + fleetId + "|" + Serialization.asJson(checks);
  }

  /** A query with ${FLEET}, ${VERSION}, ${RELEASE} and ${INSTANCE_IDS} substituted. */
  public String substitute(String text) {
    return text == null ? null : text.replace("${FLEET}", fleetId)
        .replace("${VERSION}", version).replace("${RELEASE}", releaseKey)
        .replace("${INSTANCE_IDS}", String.join("|", instanceIds));
  }
}
