package dev.cutover.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A step of the build, not a test: puts the printer columns of each generated CRD in the order
 * its class declares them. The fabric8 CRD generator sorts {@code @AdditionalPrinterColumn}s by
 * JSON path, so {@code kubectl get rel} would print AGE first; people read NAME, VERSION,
 * ACTIVE, PHASE, FLEET, IP, AGE. Maven runs it (exec-maven-plugin, phase process-test-classes,
 * see operator/pom.xml) on {@code target/classes/META-INF/fabric8}, after the generator and
 * before the tests, so {@code CrdInSyncTest} compares crds/ with what the build produces and the
 * jar ships the ordered CRD; {@code make crds} runs the same phase. Everything else in the file
 * stays byte for byte as the generator wrote it (the same serializer writes it back).
 */
public final class PrinterColumnOrder {

  /** The custom resources whose generated CRDs are ordered. */
  static final List<Class<? extends CustomResource<?, ?>>> RESOURCES =
      List.of(Release.class, AwsAccount.class);

  private PrinterColumnOrder() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: PrinterColumnOrder <directory of the "
          + "generated CRDs, e.g. target/classes/META-INF/fabric8>");
    }
    for (Class<? extends CustomResource<?, ?>> resource : RESOURCES) {
      Path file = Path.of(args[0]).resolve(CustomResource.getCRDName(resource) + "-v1.yml");
      if (!Files.exists(file)) {
        throw new IllegalStateException(file + " does not exist: the CRD generator "
            + "(crd-generator-maven-plugin, phase process-classes) must run first");
      }
      String generated = Files.readString(file);
      String ordered = ordered(generated, resource);
      if (!ordered.equals(generated)) {
        Files.writeString(file, ordered);
      }
    }
  }

  /** The CRD with each version's printer columns in the order {@code resource} declares. */
  static String ordered(String yaml, Class<?> resource) {
    CustomResourceDefinition crd = Serialization.unmarshal(yaml,
        CustomResourceDefinition.class);
    List<AdditionalPrinterColumn> declared = Arrays.asList(
        resource.getAnnotationsByType(AdditionalPrinterColumn.class));
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
      if (columns == null || columns.isEmpty()) {
        continue;
      }
      List<CustomResourceColumnDefinition> sorted = new ArrayList<>();
      for (AdditionalPrinterColumn column : declared) {
        sorted.add(columns.stream().filter(c -> c.getName().equals(column.name())
            && c.getJsonPath().equals(column.jsonPath())).findFirst()
            .orElseThrow(() -> new IllegalStateException(resource.getSimpleName()
                + " declares the column " + column.name() + " (" + column.jsonPath()
                + "), which the generated CRD lacks")));
      }
      if (sorted.size() != columns.size()) {
        throw new IllegalStateException("the generated CRD of " + resource.getSimpleName()
            + " has columns its class does not declare: " + columns.stream()
                .filter(c -> !sorted.contains(c)).map(CustomResourceColumnDefinition::getName)
                .toList());
      }
      version.setAdditionalPrinterColumns(sorted);
    }
    // The generator's first line is a comment where the serializer writes "---".
    String header = yaml.startsWith("#") ? yaml.substring(0, yaml.indexOf('\n') + 1) : "";
    String body = Serialization.asYaml(crd);
    return header + (body.startsWith("---\n") ? body.substring(4) : body);
  }
}
