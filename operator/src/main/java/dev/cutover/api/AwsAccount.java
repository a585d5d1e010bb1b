package dev.cutover.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An AWS account (and the regions in it) that Releases may launch into, with what they may
 * launch: written by a cluster administrator, used by Releases in the namespaces it selects.
 * Cluster-scoped, so a namespace's users cannot widen their own limits.
 */
@Group(Release.GROUP)
@Version(Release.VERSION)
@ShortNames("awsacct")
@AdditionalPrinterColumn(name = "Account", jsonPath = ".status.accountId",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Default", jsonPath = ".spec.default",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class AwsAccount extends CustomResource<AwsAccountSpec, AwsAccountStatus> {

  @Override
  protected AwsAccountStatus initStatus() {
    return new AwsAccountStatus();
  }
}
