package dev.cutover.ec2;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * How Cutover reaches an AWS account: an {@link Ec2Gateway} per region, with the operator's own
 * credentials or with a role assumed from them through STS, and the identity those credentials
 * have ({@code GetCallerIdentity}). STS goes to the same endpoint override as EC2 when one is
 * configured (an emulator).
 */
public class AwsClients {

  /** The role session name CloudTrail shows for Cutover's calls in an AwsAccount. */
  public static final String SESSION_NAME = "cutover";

  /** Who the credentials are: the account id and the caller's ARN. */
  public record Identity(String accountId, String arn) {}

  private final Optional<URI> endpoint;
  private final IdentityProvider<? extends AwsCredentialsIdentity> own;

  /**
   * @param endpoint EC2 and STS endpoint override (an emulator); empty: AWS
   * @param own the operator's own credentials; null: the default provider chain
   */
  public AwsClients(Optional<URI> endpoint,
      IdentityProvider<? extends AwsCredentialsIdentity> own) {
    this.endpoint = endpoint;
    this.own = own;
  }

  /** The endpoint, region-independent settings and credentials of the operator's gateway. */
  public static AwsClients like(Ec2Gateway own) {
    return new AwsClients(own.endpoint(), own.credentials());
  }

  public Optional<URI> endpoint() {
    return endpoint;
  }

  /**
   * The credentials of a role, assumed with the operator's own credentials: cached, and renewed
   * by the SDK before they expire. Close them when the account is no longer used.
   */
  public RoleCredentials assume(Region region, String roleArn, String externalId) {
    StsClient sts = sts(region, own);
    StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(r -> {
          r.roleArn(roleArn).roleSessionName(SESSION_NAME);
          if (externalId != null && !externalId.isEmpty()) {
            r.externalId(externalId);
          }
        })
        .build();
    return new RoleCredentials(provider, sts);
  }

  /** An EC2 gateway for the region; {@code credentials} null: the operator's own. */
  public Ec2Gateway gateway(Region region,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    return Ec2Gateway.create(region, endpoint, credentials != null ? credentials : own);
  }

  /**
   * {@code GetCallerIdentity} with the credentials ({@code null}: the operator's own). A refusal,
   * of this call or of assuming the role first, is an {@link Ec2Failure} with the AWS code.
   */
  public Identity callerIdentity(Region region,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    try (StsClient sts = sts(region, credentials != null ? credentials : own)) {
      GetCallerIdentityResponse who = sts.getCallerIdentity();
      return new Identity(who.account(), who.arn());
    } catch (RuntimeException e) {
      throw Ec2Failure.from("GetCallerIdentity", e);
    }
  }

  private StsClient sts(Region region,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    var builder = StsClient.builder().region(region);
    if (credentials != null) {
      builder.credentialsProvider(credentials);
    }
    endpoint.ifPresent(builder::endpointOverride);
    return builder.build();
  }

  /** Assumed-role credentials and the STS client that renews them. */
  public static final class RoleCredentials implements AwsCredentialsProvider, AutoCloseable {
    private final StsAssumeRoleCredentialsProvider provider;
    private final StsClient sts;

    RoleCredentials(StsAssumeRoleCredentialsProvider provider, StsClient sts) {
      this.provider = provider;
      this.sts = sts;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      return provider.resolveCredentials();
    }

    @Override
    public void close() {
      provider.close();
      sts.close();
    }
  }
}
