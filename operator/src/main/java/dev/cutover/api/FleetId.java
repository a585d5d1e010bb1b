package dev.cutover.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet a spec names: a short hash of version and template, like a pod template hash. The
 * same spec always names the same fleet, so a fleet is found again by its tags instead of being
 * launched twice; and setting the spec back to what a retained fleet runs names that fleet, which
 * is what makes a switch back one Elastic IP move. Part of the model so that whoever changes a
 * spec can tell which fleet the change names.
 */
public final class FleetId {

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .build();

  private FleetId() {}

  /** A launch template pinned to a version: its id and number stand in for what was asked. */
  public record Pin(String templateId, long number) {}

  /**
   * The fleet the spec names. One role: version and template, as before roles existed. Several
   * roles: version and every role's template by name (sizes and addresses are not part of it:
   * changing them scales or rebinds the same fleet). A launch template counts by the id and
   * version number it resolved to ({@code pins}, by role), so $Latest moving names a new fleet
   * and a spec without launch templates keeps the ids it always had.
   */
  public static String of(ReleaseSpec spec, Map<String, Pin> pins) {
    if (spec.roles == null || spec.roles.isEmpty()) {
      Pin pin = pins.get(RoleLayout.SINGLE);
      return pin == null ? of(spec.version, spec.template)
          : hash(spec.version + "\n", pinned(spec.template, pin));
    }
    Map<String, Object> templates = new TreeMap<>();
    spec.roles.forEach(r -> templates.put(r.name,
        pins.containsKey(r.name) ? pinned(r.template, pins.get(r.name)) : r.template));
    return hash(spec.version + "\nroles\n", templates);
  }

  /**
   * The pins the status of a Release records for its spec's launch templates
   * ({@code status.launchTemplates}), by role.
   */
  public static Map<String, Pin> pinsOf(ReleaseStatus status) {
    Map<String, Pin> pins = new TreeMap<>();
    if (status != null && status.launchTemplates != null) {
      for (LaunchTemplateStatus t : status.launchTemplates) {
        if (t.id != null && t.version != null) {
          pins.put(t.role == null ? RoleLayout.SINGLE : t.role, new Pin(t.id, t.version));
        }
      }
    }
    return pins;
  }

  /**
   * A digest of the whole spec with {@code paused} left out: two specs with the same digest ask
   * for the same thing, whether paused or not (an abort outlives pausing and resuming).
   */
  public static String specDigest(ReleaseSpec spec) {
    ObjectNode tree = CANONICAL.valueToTree(spec);
    tree.remove("paused");
    return hash("spec\n", tree);
  }

  /** The fleet of one role without a launch template pin. */
  public static String of(String version, InstanceTemplate template) {
    try {
      return sha256(version + "\n" + CANONICAL.writeValueAsString(template)).substring(0, 10);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
