package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One operator shard's check of an AwsAccount's credentials. Shards may run with different
 * credentials of their own (each assumes the account's role with them), so each writes only what
 * it found, and the account's summary fields are derived from every shard's entry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccountCheck {

  @JsonPropertyDescription("The shard (its CUTOVER_SHARD) that checked; absent: an operator "
      + "without a shard name.")
  public String shard;

  @JsonPropertyDescription("The account id its credentials reach (from GetCallerIdentity).")
  public String accountId;

  @JsonPropertyDescription("The identity it acts as in that account.")
  public String arn;

  @JsonPropertyDescription("When it checked (RFC 3339).")
  public String checkedAt;

  @JsonPropertyDescription("Whether the credentials worked for it.")
  public Boolean ready;

  @JsonPropertyDescription("CredentialsValid, or the AWS error code.")
  public String reason;

  @JsonPropertyDescription("What GetCallerIdentity answered, or the error's message.")
  public String message;
}
