package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Which operator shard acts on a Release, recorded by that shard in a status write conditional
 * on the version it read, so two shards can never both believe they hold it. A shard that finds
 * another shard's name here takes the Release over (its selector no longer selects the Release
 * for the other shard, or the two overlap) and waits before it acts; see the README, "Shards".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShardRecord {

  @JsonPropertyDescription("The shard (its CUTOVER_SHARD) that acts on this Release; absent: an "
      + "operator without a shard name.")
  public String name;

  @JsonPropertyDescription("When that shard began to act on the Release (RFC 3339): its first "
      + "status write, or its takeover from another shard.")
  public String since;

  @JsonPropertyDescription("The shard it took the Release over from (empty: an operator without "
      + "a shard name); absent when no other shard acted on the Release before. After a takeover "
      + "the shard acts only from since + 30s, on an EC2 poll started after that.")
  public String from;

  public ShardRecord() {}

  public ShardRecord(String name, String since, String from) {
    this.name = name;
    this.since = since;
    this.from = from;
  }
}
