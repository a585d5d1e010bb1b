package dev.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/API.md is rendered from the generated CRD, so the reference, the schema the API server
 * enforces and the Java model cannot drift apart. `make docs` rewrites it.
 */
class ApiReferenceTest {

  private static final Path CRDS = Path.of("target/classes/META-INF/fabric8");
  private static final Path DOC = Path.of("..", "docs", "API.md");

  @Test
  void apiReferenceIsRenderedFromTheCrd() throws IOException {
    String rendered = render(Serialization.unmarshal(Files.readString(CRDS.resolve(
        "releases.cutover.dev-v1.yml")), CustomResourceDefinition.class)) + "\n"
        + render(Serialization.unmarshal(Files.readString(CRDS.resolve(
        "awsaccounts.cutover.dev-v1.yml")), CustomResourceDefinition.class));
    if (Boolean.getBoolean("cutover.writeDocs")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, rendered);
    }
    assertThat(DOC).as("docs/API.md").exists();
    assertThat(Files.readString(DOC))
        .as("docs/API.md is out of date: run `make docs` and commit the result")
        .isEqualTo(rendered);
  }

  static String render(CustomResourceDefinition crd) {
    var version = crd.getSpec().getVersions().get(0);
    var root = version.getSchema().getOpenAPIV3Schema();
    var out = new StringBuilder();
    out.append("# ").append(crd.getSpec().getNames().getKind()).append(" API reference\n\n")
        .append("<!-- Rendered from crds/").append(crd.getMetadata().getName())
        .append("-v1.yml by `make docs`; edit the Java model in operator/src/main/java/dev/cutover/api. -->\n\n")
        .append("`apiVersion: ").append(crd.getSpec().getGroup()).append('/')
        .append(version.getName()).append("`, `kind: ").append(crd.getSpec().getNames().getKind())
        .append("`, short name `").append(String.join("`, `", crd.getSpec().getNames()
            .getShortNames())).append("`, ").append("Cluster".equals(crd.getSpec().getScope()) ? "cluster-scoped"
            : "namespaced").append(".\n\n")
        .append("## spec\n\n| field | type | default | description | rules |\n|---|---|---|---|---|\n");
    rows(out, "spec", root.getProperties().get("spec"));
    out.append("\n## status\n\nWritten by Cutover only.\n\n"
        + "| field | type | default | description | rules |\n|---|---|---|---|---|\n");
    rows(out, "status", root.getProperties().get("status"));
    out.append("\n## Rules across fields\n\n");
    crossFieldRules(out, "spec", root.getProperties().get("spec"));
    return out.toString();
  }

  private static void rows(StringBuilder out, String path, JSONSchemaProps schema) {
    Map<String, JSONSchemaProps> properties = new TreeMap<>(schema.getProperties());
    List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
    for (var entry : properties.entrySet()) {
      String field = path + "." + entry.getKey();
      JSONSchemaProps p = entry.getValue();
      out.append("| `").append(field).append('`').append(required.contains(entry.getKey())
          ? " (required)" : "").append(" | ").append(type(p)).append(" | ")
          .append(p.getDefault() == null ? "" : "`" + p.getDefault() + "`").append(" | ")
          .append(cell(p.getDescription())).append(" | ").append(cell(rules(p))).append(" |\n");
      if (isObject(p)) {
        rows(out, field, p);
      } else if (p.getItems() != null && p.getItems().getSchema() != null
          && p.getItems().getSchema().getProperties() != null
          && !"conditions".equals(entry.getKey())) {
        rows(out, field + "[]", p.getItems().getSchema());
      }
    }
  }

  private static void crossFieldRules(StringBuilder out, String path, JSONSchemaProps schema) {
    if (isObject(schema) && schema.getXKubernetesValidations() != null) {
      for (ValidationRule rule : schema.getXKubernetesValidations()) {
        out.append("- `").append(path).append("`: ").append(rule.getMessage()).append('\n');
      }
    }
    if (isObject(schema)) {
      new TreeMap<>(schema.getProperties())
          .forEach((name, child) -> crossFieldRules(out, path + "." + name, child));
    }
  }

  private static boolean isObject(JSONSchemaProps p) {
    return p.getProperties() != null && !p.getProperties().isEmpty();
  }

  private static String type(JSONSchemaProps p) {
    if ("array".equals(p.getType()) && p.getItems() != null && p.getItems().getSchema() != null) {
      return "[]" + p.getItems().getSchema().getType();
    }
    if ("object".equals(p.getType()) && p.getAdditionalProperties() != null
        && p.getAdditionalProperties().getSchema() != null) {
      return "map[string]" + p.getAdditionalProperties().getSchema().getType();
    }
    String type = p.getType();
    if (p.getEnum() != null && !p.getEnum().isEmpty()) {
      type += " (" + p.getEnum().stream().map(e -> e.asText()).collect(Collectors.joining(" \\| "))
          + ")";
    }
    return type;
  }

  private static String rules(JSONSchemaProps p) {
    var rules = new java.util.ArrayList<String>();
    if (p.getMinimum() != null) {
      rules.add("≥ " + p.getMinimum().longValue());
    }
    if (p.getMaximum() != null) {
      rules.add("≤ " + p.getMaximum().longValue());
    }
    if (p.getMinItems() != null) {
      rules.add(p.getMinItems() + " to " + p.getMaxItems() + " items");
    } else if (p.getMaxItems() != null) {
      rules.add("at most " + p.getMaxItems() + " items");
    }
    if (p.getMaxLength() != null) {
      rules.add("at most " + p.getMaxLength() + " characters");
    }
    if (p.getMaxProperties() != null) {
      rules.add("at most " + p.getMaxProperties() + " entries");
    }
    if (p.getXKubernetesValidations() != null && !isObject(p)) {
      p.getXKubernetesValidations().forEach(r -> rules.add(r.getMessage()));
    }
    return String.join("; ", rules);
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
