package dev.cutover.ec2;

/**
 * An EC2 call that failed, classified: retryable failures (throttling, 5xx, network) are retried
 * with backoff; the others (bad AMI, missing Elastic IP, no capacity, no permission) stall the
 * Release with the AWS code until its spec changes.
 */
public final class Ec2Failure extends RuntimeException {

  private final String operation;
  private final String code;
  private final boolean retryable;

  public Ec2Failure(String operation, String code, String message, boolean retryable,
      Throwable cause) {
    super(operation + " failed: " + code + ": " + message, cause);
    this.operation = operation;
    this.code = code;
    this.retryable = retryable;
  }

  public String operation() {
    return operation;
  }

  /** The AWS error code, e.g. InvalidAMIID.NotFound, or a network error's class name. */
  public String code() {
    return code;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The AWS message without our prefix. */
  public String awsMessage() {
    return getMessage().substring((operation + " failed: " + code + ": ").length());
  }

  /** Throttling and server-side trouble: the same call may well succeed later. */
  /**
   * The AWS error behind a failed call, wherever it sits in the causes: a role assumption STS
   * refused reaches the caller wrapped in the client exception of the call that needed the
   * credentials. A client error with no AWS answer behind it (network, timeout) is
   * {@code ClientError}, retryable.
   */
  public static Ec2Failure from(String operation, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Ec2Failure f) {
        return f;
      }
      if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws) {
        var details = aws.awsErrorDetails();
        String code = details != null && details.errorCode() != null ? details.errorCode()
            : "HTTP" + aws.statusCode();
        String message = details != null && details.errorMessage() != null
            ? details.errorMessage() : aws.getMessage();
        return new Ec2Failure(operation, code, message, isRetryable(code, aws.statusCode()), e);
      }
    }
    return new Ec2Failure(operation, "ClientError", e.getMessage(), true, e);
  }

  /**
   * Capacity refusals come with HTTP 500 but say for sure that nothing was launched: they are
   * answers, not lost calls (a retry of the same call gets the same answer until EC2 has room).
   */
  static final java.util.Set<String> NO_CAPACITY = java.util.Set.of(
      "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
      "InsufficientReservedInstanceCapacity");

  static boolean isRetryable(String code, int httpStatus) {
    if (NO_CAPACITY.contains(code)) {
      return false;
    }
    return httpStatus >= 500 || java.util.Set.of("RequestLimitExceeded", "Throttling",
        "ThrottlingException", "RequestThrottled", "InternalError", "ServiceUnavailable",
        "Unavailable").contains(code);
  }
}
