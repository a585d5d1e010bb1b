package dev.cutover.act;

import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Release;
import dev.cutover.decide.Action.Launch;
import dev.cutover.api.MetadataOptions;
import dev.cutover.ec2.LaunchOptions;
import dev.cutover.ec2.LaunchRequest;
import dev.cutover.ec2.LaunchTemplateVersion;
import dev.cutover.ec2.Tags;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a planned launch into the RunInstances request: the Release's template, the tags that
 * prove ownership from the first moment, userData with its variables substituted, and a
 * ClientToken that names the Release, the fleet, the slots and the instances they replace (and,
 * after a retry, the retry's token), and nothing else, so the same launch decided again (after a
 * crash, a lost response, a new generation of the spec) carries the same token and AWS returns
 * the instances it launched.
 */
public final class LaunchRequests {

  private LaunchRequests() {}

  public static LaunchRequest of(Release release, Launch launch) {
    InstanceTemplate t = templateOf(release, launch);
    boolean perSlot = t.userData != null && t.userData.contains("${SLOT}");
    return new LaunchRequest(clientToken(tokenParts(release, launch, t)), t.imageId,
        launch.instanceType() != null ? launch.instanceType() : t.instanceType,
        launch.subnetId(), t.securityGroupIds, t.keyName, t.iamInstanceProfile,
        userData(t, release, launch, perSlot ? launch.slots().get(0) : null),
        instanceTags(t, release, launch), launch.slots().size(), options(t, launch));
  }

  /** Launch template, metadata, volumes, placement and monitoring, as the template says. */
  static LaunchOptions options(InstanceTemplate t, Launch launch) {
    LaunchTemplateVersion lt = launch.launchTemplate();
    return new LaunchOptions(lt == null ? null : lt.templateId(),
        lt == null ? null : String.valueOf(lt.number()), metadata(t, lt), t.blockDevices,
        t.placement, t.detailedMonitoring);
  }

  /**
   * The Release's metadata options, with IMDSv2 (httpTokens: required) unless the Release or
   * its launch template sets httpTokens: a default that changes behaviour on purpose, since
   * IMDSv1 lets a request forgery on the instance read its role's credentials.
   */
  static MetadataOptions metadata(InstanceTemplate t, LaunchTemplateVersion lt) {
    MetadataOptions given = t.metadataOptions;
    MetadataOptions m = new MetadataOptions();
    if (given != null) {
      m.httpTokens = given.httpTokens;
      m.httpPutResponseHopLimit = given.httpPutResponseHopLimit;
      m.httpEndpoint = given.httpEndpoint;
    }
    if (m.httpTokens == null && (lt == null || lt.httpTokens() == null)) {
      m.httpTokens = MetadataOptions.REQUIRED;
    }
    return m.httpTokens == null && m.httpPutResponseHopLimit == null && m.httpEndpoint == null
        ? null : m;
  }

  /** The template of the launch's role. */
  static InstanceTemplate templateOf(Release release, Launch launch) {
    return release.getSpec().templateOf(launch.role())
        .orElseThrow(() -> new IllegalStateException("no role " + launch.role()));
  }

  /**
   * The token names the role only in a system of roles, and the instance type only when it is
   * a fallback (not the first of instanceTypes): tokens of launches without them never changed.
   * A fallback is another request, and EC2 refuses a token reused with other parameters.
   */
  private static String[] tokenParts(Release release, Launch launch, InstanceTemplate t) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    parts.add(release.getMetadata().getUid());
    parts.add(launch.fleetId());
    if (!launch.role().isEmpty()) {
      parts.add(launch.role());
    }
    parts.add(launch.slots().toString());
    parts.add(String.join(",", launch.replacing()));
    if (launch.instanceType() != null && t.instanceTypes != null && !t.instanceTypes.isEmpty()
        && !launch.instanceType().equals(t.instanceTypes.get(0))) {
      parts.add("type=" + launch.instanceType());
    }
    if (launch.attempt() != null) {
      // A retried version: EC2 must launch anew, not return the failed attempt's instances.
      parts.add("attempt=" + launch.attempt());
    }
    return parts.toArray(String[]::new);
  }

  /** Tags of an address Cutover allocates: the same ownership tags as its instances. */
  public static Map<String, String> addressTags(Release release) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.NAME, Tags.fit(release.getMetadata().getName()));
    ownership(release, tags);
    return tags;
  }

  /**
   * Tags that claim an Elastic IP the user owns for this Release (its Name and other tags stay
   * the user's): {@link Tags#CLAIM_KEYS}, removed together when the Release is deleted.
   */
  public static Map<String, String> claimTags(Release release) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.CLAIMED, "true");
    ownership(release, tags);
    return tags;
  }

  private static Map<String, String> instanceTags(InstanceTemplate t, Release release,
      Launch launch) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (t.tags != null) {
      tags.putAll(t.tags);
    }
    tags.put(Tags.NAME, Tags.fit(release.getMetadata().getName()
        + (launch.role().isEmpty() ? "" : " " + launch.role()) + " " + launch.version()));
    ownership(release, tags);
    tags.put(Tags.FLEET, launch.fleetId());
    tags.put(Tags.VERSION, launch.version());
    tags.put(Tags.SLOT, Tags.slots(launch.slots()));
    if (!launch.role().isEmpty()) {
      tags.put(Tags.ROLE, launch.role());
    }
    return tags;
  }

  private static void ownership(Release release, Map<String, String> tags) {
    tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
    tags.put(Tags.RELEASE_UID, release.getMetadata().getUid());
    // namespace/name can pass 256 characters; the uid tag is what proves ownership.
    tags.put(Tags.RELEASE, Tags.fit(key(release)));
  }

  private static String userData(InstanceTemplate t, Release release, Launch launch,
      Integer slot) {
    String template = t.userData;
    if (template == null) {
      return null;
    }
    String data = template.replace("${VERSION}", launch.version())
        .replace("${RELEASE}", key(release)).replace("${FLEET}", launch.fleetId())
        .replace("${ROLE}", launch.role());
    return slot == null ? data : data.replace("${SLOT}", String.valueOf(slot));
  }

  private static String key(Release release) {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  /** The RunInstances ClientToken (at most 64 characters). */
  static String clientToken(String... parts) {
    try {
      return "cutover-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(String.join("|", parts).getBytes(StandardCharsets.UTF_8))).substring(0, 48);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
