package dev.cutover.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.api.InstanceTemplate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fleet ids. A fleet id is a short hash of version and template, like a pod
 * template hash: the same spec always names the same fleet, so a fleet is found again by its
 * tags instead of being launched twice.
 */
public final class FleetIds {

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .build();

  private FleetIds() {}

  /** A launch template pinned to a version: its id and number stand in for what was asked. */
  public record Pin(String templateId, long number) {}

  /** The fleet the spec names, for a spec without launch templates. */
  public static String of(dev.cutover.api.ReleaseSpec spec) {
    return of(spec, Map.of());
  }

  /**
   * The fleet the spec names. One role: version and template, as before roles existed. Several
   * roles: version and every role's template by name (sizes and addresses are not part of it:
   * changing them scales or rebinds the same fleet). A launch template counts by the id and
   * version number it resolved to ({@code pins}, by role), so $Latest moving names a new fleet
   * and a spec without launch templates keeps the ids it always had.
   */
  public static String of(dev.cutover.api.ReleaseSpec spec, Map<String, Pin> pins) {
    if (spec.roles == null || spec.roles.isEmpty()) {
      Pin pin = pins.get(dev.cutover.api.RoleLayout.SINGLE);
      return pin == null ? fleetId(spec.version, spec.template)
          : hash(spec.version + "\n", pinned(spec.template, pin));
    }
    Map<String, Object> templates = new TreeMap<>();
    spec.roles.forEach(r -> templates.put(r.name,
        pins.containsKey(r.name) ? pinned(r.template, pins.get(r.name)) : r.template));
    return hash(spec.version + "\nroles\n", templates);
  }

  /** The template as JSON with its launch template replaced by the pinned id and number. */
  private static JsonNode pinned(InstanceTemplate template, Pin pin) {
    ObjectNode tree = CANONICAL.valueToTree(template);
    ObjectNode launchTemplate = CANONICAL.createObjectNode();
    launchTemplate.put("id", pin.templateId());
    launchTemplate.put("version", String.valueOf(pin.number()));
    tree.set("launchTemplate", launchTemplate);
    return tree;
  }

  private static String hash(String prefix, Object value) {
    try {
      return sha256(prefix + CANONICAL.writeValueAsString(value)).substring(0, 10);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A digest of the whole spec with {@code paused} left out: two specs with the same digest ask
   * for the same thing, whether paused or not (an abort outlives pausing and resuming).
   */
  static String specDigest(dev.cutover.api.ReleaseSpec spec) {
    ObjectNode tree = CANONICAL.valueToTree(spec);
    tree.remove("paused");
    return hash("spec\n", tree);
  }

  public static String fleetId(String version, InstanceTemplate template) {
    try {
      return sha256(version + "\n" + CANONICAL.writeValueAsString(template)).substring(0, 10);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
