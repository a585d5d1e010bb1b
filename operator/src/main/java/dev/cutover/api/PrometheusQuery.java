package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An instant query against a Prometheus server (GET /api/v1/query). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusQuery {

  @Required
  @Size(max = 2048)
  @ValidationRule(value = "self.matches('^https?://[^\\\\s]+$')",
      message = "prometheus.url must be an http:// or https:// URL, such as "
          + "http://prometheus.monitoring:9090")
  @JsonPropertyDescription("Base URL of the Prometheus server, e.g. "
      + "http://prometheus.monitoring:9090.")
  public String url;

  @Required
  @Size(min = 1, max = 4096)
  @JsonPropertyDescription("PromQL instant query; its first sample is the result. ${FLEET}, "
      + "${VERSION}, ${RELEASE} (namespace/name) and ${INSTANCE_IDS} (ids joined by |, for "
      + "=~ matchers) are substituted. Write queries that return a value when all is well, "
      + "e.g. sum(rate(errors[1m])) or vector(0).")
  public String query;
}
