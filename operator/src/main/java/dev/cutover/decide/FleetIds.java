package dev.cutover.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cutover.api.InstanceTemplate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

  /**
   * The fleet the spec names. One role: version and template, as before roles existed. Several
   * roles: version and every role's template by name (sizes and addresses are not part of it:
   * changing them scales or rebinds the same fleet).
   */
  public static String of(dev.cutover.api.ReleaseSpec spec) {
    if (spec.roles == null || spec.roles.isEmpty()) {
      return fleetId(spec.version, spec.template);
    }
    java.util.Map<String, InstanceTemplate> templates = new java.util.TreeMap<>();
    spec.roles.forEach(r -> templates.put(r.name, r.template));
    try {
      return sha256(spec.version + "\nroles\n" + CANONICAL.writeValueAsString(templates))
          .substring(0, 10);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
