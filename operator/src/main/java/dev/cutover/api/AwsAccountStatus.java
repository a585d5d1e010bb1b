package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Whether the account's credentials work, and which account they reach. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsAccountStatus {

  @JsonPropertyDescription("The account id the credentials reach (from GetCallerIdentity).")
  public String accountId;

  @JsonPropertyDescription("The identity Cutover acts as in that account.")
  public String arn;

  @JsonPropertyDescription("When the credentials were last checked.")
  public String checkedAt;

  @JsonPropertyDescription("Ready: the credentials work (reason CredentialsValid) or not (the "
      + "AWS error code as reason). With several operator shards: ready when they work for "
      + "every shard that checked in the last 15 minutes.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("With several operator shards (CUTOVER_SHARD): each shard's own "
      + "check, sorted by shard; the fields above summarise them (accountId and arn from the "
      + "first shard whose check passed). An entry not renewed for 15 minutes (its shard "
      + "stopped) is dropped.")
  public List<AccountCheck> shards;
}
