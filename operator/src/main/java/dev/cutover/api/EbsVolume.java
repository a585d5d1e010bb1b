package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An EBS volume created with each instance. Unset fields take EC2's (or the AMI's) values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.iops) || has(self.volumeType) "
    + "&& self.volumeType in ['gp3', 'io1', 'io2']",
    message = "iops applies to gp3, io1 and io2 volumes only: set volumeType",
    fieldPath = ".iops", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.volumeType) || !(self.volumeType in ['io1', 'io2']) "
    + "|| has(self.iops)",
    message = "io1 and io2 volumes need iops (provisioned IOPS)",
    fieldPath = ".iops", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.throughput) || has(self.volumeType) "
    + "&& self.volumeType == 'gp3'",
    message = "throughput applies to gp3 volumes only",
    fieldPath = ".throughput", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.kmsKeyId) || has(self.encrypted) && self.encrypted",
    message = "kmsKeyId needs encrypted: true",
    fieldPath = ".kmsKeyId", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.volumeSize) || !has(self.volumeType) "
    + "|| !(self.volumeType in ['st1', 'sc1']) || self.volumeSize >= 125",
    message = "st1 and sc1 volumes are at least 125 GiB",
    fieldPath = ".volumeSize", reason = "FieldValueInvalid")
public class EbsVolume {

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Size in GiB (1 to 65536; at least the snapshot's size). Unset: the "
      + "AMI's (root) or the snapshot's size.")
  public Integer volumeSize;

  @ValidationRule(value = "self in ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']",
      message = "volumeType must be one of gp2, gp3, io1, io2, st1, sc1, standard")
  @JsonPropertyDescription("gp2, gp3, io1, io2, st1, sc1 or standard. Unset: EC2's default "
      + "(gp2, or the AMI's).")
  public String volumeType;

  @Min(100)
  @Max(256000)
  @JsonPropertyDescription("Provisioned IOPS: gp3 (3000 to 16000), io1 and io2 (required).")
  public Integer iops;

  @Min(125)
  @Max(2000)
  @JsonPropertyDescription("Throughput in MiB/s, gp3 only (125 to 2000).")
  public Integer throughput;

  @JsonPropertyDescription("Encrypt the volume: with kmsKeyId, or the account's default EBS "
      + "key. The instance role does not need the key; the caller launching does (see "
      + "deploy/iam-policy.json).")
  public Boolean encrypted;

  @Size(min = 1, max = 2048)
  @ValidationRule(value = "self.matches('^(arn:aws[a-z-]*:kms:.+|alias/.+|[0-9a-f-]{36})$')",
      message = "kmsKeyId must be a KMS key id, key ARN, alias/name or alias ARN")
  @JsonPropertyDescription("KMS key to encrypt with (key id, key ARN, alias/name or alias ARN); "
      + "needs encrypted: true.")
  public String kmsKeyId;

  @JsonPropertyDescription("Delete the volume when the instance terminates (EC2's default: "
      + "true). false leaves volumes behind that Cutover does not clean up.")
  public Boolean deleteOnTermination;

  @Size(max = 32)
  @ValidationRule(value = "self.matches('^snap-([0-9a-f]{8}|[0-9a-f]{17})$')",
      message = "snapshotId must be a snapshot id such as snap-0123456789abcdef0")
  @JsonPropertyDescription("Snapshot to create the volume from. Optional.")
  public String snapshotId;
}
