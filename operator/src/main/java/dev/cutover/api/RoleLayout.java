package dev.cutover.api;

import java.util.List;

/**
 * One role of a Release as the policy uses it, whichever form the spec takes: the single form
 * ({@code fleetSize}, {@code template}, {@code elasticIp}) is one role with the empty name, whose
 * instances carry no role tag (so fleets launched before roles existed keep their ids).
 *
 * @param addresses the role's Elastic IPs, address i for slot i
 */
public record RoleLayout(String name, int size, InstanceTemplate template,
    List<ElasticIpSpec> addresses) {

  /** The name of the one role of the single form. */
  public static final String SINGLE = "";

  public boolean single() {
    return SINGLE.equals(name);
  }

  /** How people read the role in messages: "web", or nothing for the single form. */
  public String label() {
    return single() ? "" : name + " ";
  }
}
