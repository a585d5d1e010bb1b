package dev.cutover.api;

import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How the fleet that was live before a switch is kept for switching back. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Retention {

  public static final String DEFAULT_TTL = "2h";

  @Default(DEFAULT_TTL)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('720h')",
      message = "previousFleetTTL must be a duration such as 30m or 2h, at most 720h (30 days)")
  @JsonPropertyDescription("How long the previous fleet keeps running after a switch; "
      + "switching back within it is one Elastic IP move. Default 2h; 0s terminates it at once.")
  public String previousFleetTTL;

  @Default("0")
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("0 (default) keeps the previous fleet at full size; n scales it down "
      + "to n instances while it is retained. At most fleetSize.")
  public Integer previousFleetSize;

  /** previousFleetTTL, or its default. */
  public Duration ttl() {
    return Durations.parse(previousFleetTTL, Durations.parse(DEFAULT_TTL, null));
  }

  /** previousFleetSize, or 0 (keep the full size). */
  public int keep() {
    return previousFleetSize == null ? 0 : previousFleetSize;
  }
}
