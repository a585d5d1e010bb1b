package dev.cutover.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.ec2.Tags;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * deploy/iam-policy.json grants exactly the actions the code calls, scoped the way the README
 * promises. The calls are read from the source of {@code Ec2Gateway}, the only class that
 * calls AWS: every EC2 operation called as {@code ec2.xxx(} or {@code once.xxx(} in a public
 * method is the action {@code ec2:Xxx}; tags given at creation ({@code tagSpecifications(}) need
 * {@code ec2:CreateTags}, and an instance profile ({@code iamInstanceProfile(}) needs
 * {@code iam:PassRole}. deploy/README.md lists each permission with the method that needs it.
 */
class IamPolicyTest {

  private static final Path GATEWAY = Path.of("src/main/java/dev/cutover/ec2/Ec2Gateway.java");
  /** The only class that calls STS: assumed roles of AwsAccounts, GetCallerIdentity. */
  private static final Path AWS_CLIENTS = Path.of(
      "src/main/java/dev/cutover/ec2/AwsClients.java");
  private static final Pattern STS_CALL = Pattern.compile("\\bsts\\.(\\w+)\\(");
  private static final Set<String> STS_OPERATIONS = Arrays.stream(
          software.amazon.awssdk.services.sts.StsClient.class.getMethods())
      .filter(m -> m.getParameterCount() == 1 && m.getParameterTypes()[0].getSimpleName()
          .endsWith("Request"))
      .map(Method::getName).collect(Collectors.toSet());
  private static final Path POLICY = Path.of("../deploy/iam-policy.json");
  private static final Path README = Path.of("../deploy/README.md");
  private static final Pattern SDK_CALL = Pattern.compile("\\b(?:ec2|once)\\.(\\w+)\\(");
  private static final Pattern PUBLIC_METHOD = Pattern.compile(
      "^  public [^=;({\\n]*?\\b(\\w+)\\(", Pattern.MULTILINE);
  private static final String MANAGED_BY = "aws:ResourceTag/" + Tags.MANAGED_BY;
  /** What launching an encrypted EBS volume with a customer managed KMS key needs. */
  static final Set<String> KMS_FOR_EBS = Set.of("kms:CreateGrant", "kms:Decrypt",
      "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
      "kms:ReEncryptTo");
  private static final String REQUESTS_MANAGED_BY = "aws:RequestTag/" + Tags.MANAGED_BY;

  private static final Set<String> OPERATIONS = Arrays.stream(Ec2Client.class.getMethods())
      .filter(m -> m.getParameterCount() == 1 && m.getParameterTypes()[0].getSimpleName()
          .endsWith("Request"))
      .map(Method::getName).collect(Collectors.toSet());

  private static final Path METRICS = Path.of(
      "src/main/java/dev/cutover/observe/CloudWatchReader.java");
  /** A CloudWatch query-protocol call: call(gateway, "DescribeAlarms", ...). */
  private static final Pattern CLOUDWATCH_CALL = Pattern.compile(
      "\\bcall\\(gateway, \"([A-Z]\\w+)\"");

  private static String metricSource;
  private static String source;
  private static String stsSource;
  private static List<JsonNode> statements;

  @BeforeAll
  static void read() throws IOException {
    source = Files.readString(GATEWAY);
    stsSource = Files.readString(AWS_CLIENTS);
    metricSource = Files.readString(METRICS);
    statements = new ArrayList<>();
    new ObjectMapper().readTree(POLICY.toFile()).path("Statement").forEach(statements::add);
  }

  /** Gateway method → the IAM actions it needs, read from its body. */
  static Map<String, Set<String>> actionsByMethod() {
    Map<String, Set<String>> needs = new TreeMap<>();
    Matcher m = PUBLIC_METHOD.matcher(source);
    while (m.find()) {
      String method = m.group(1);
      int end = source.indexOf("\n  }\n", m.end());
      String body = source.substring(m.end(), end);
      Set<String> actions = new TreeSet<>();
      Matcher call = SDK_CALL.matcher(body);
      while (call.find()) {
        if (isOperation(call.group(1))) {
          actions.add(action(call.group(1)));
        }
      }
      if (body.contains("tagSpecifications(")) {
        actions.add("ec2:CreateTags");
      }
      if (body.contains("iamInstanceProfile(")) {
        actions.add("iam:PassRole");
      }
      if (body.contains("blockDeviceMappings(")) {
        // EC2 uses the caller's KMS permissions to create an encrypted volume with a key.
        actions.addAll(KMS_FOR_EBS);
      }
      if (!actions.isEmpty()) {
        needs.merge(method, actions, (a, b) -> {
          a.addAll(b);
          return a;
        });
      }
    }
    Matcher sts = PUBLIC_METHOD.matcher(stsSource);
    while (sts.find()) {
      String method = sts.group(1);
      int end = stsSource.indexOf("\n  }\n", sts.end());
      String body = stsSource.substring(sts.end(), end);
      Set<String> actions = new TreeSet<>();
      Matcher call = STS_CALL.matcher(body);
      while (call.find()) {
        if (STS_OPERATIONS.contains(call.group(1))) {
          String name = call.group(1);
          actions.add("sts:" + Character.toUpperCase(name.charAt(0)) + name.substring(1));
        }
      }
      if (body.contains("StsAssumeRoleCredentialsProvider")) {
        actions.add("sts:AssumeRole");
      }
      if (!actions.isEmpty()) {
        needs.computeIfAbsent(method, k -> new TreeSet<>()).addAll(actions);
      }
    }
    // Metric checks read CloudWatch in the Release's account: every call of the client counts
    // for the one public method that measures.
    Set<String> cloudWatch = new TreeSet<>();
    Matcher cw = CLOUDWATCH_CALL.matcher(metricSource);
    while (cw.find()) {
      cloudWatch.add("cloudwatch:" + cw.group(1));
    }
    if (!cloudWatch.isEmpty()) {
      needs.computeIfAbsent("measure", k -> new TreeSet<>()).addAll(cloudWatch);
    }
    return needs;
  }

  /** An EC2 API call of the SDK client (not close(), nor a builder's method). */
  static boolean isOperation(String method) {
    return OPERATIONS.contains(method);
  }

  /** describeInstancesPaginator → ec2:DescribeInstances. */
  static String action(String sdkMethod) {
    String name = sdkMethod.replaceFirst("Paginator$", "");
    return "ec2:" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  static Set<String> called() {
    return actionsByMethod().values().stream().flatMap(Set::stream)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyCallOfTheGatewayIsInAPublicMethod() {
    Set<String> anywhere = new TreeSet<>();
    Matcher call = SDK_CALL.matcher(source);
    while (call.find()) {
      if (isOperation(call.group(1))) {
        anywhere.add(action(call.group(1)));
      }
    }
    assertThat(anywhere).as("EC2 calls in Ec2Gateway.java").isNotEmpty()
        .isSubsetOf(called());
    assertThat(called()).contains("ec2:RunInstances", "ec2:CreateTags", "iam:PassRole",
        "ec2:DescribeInstances", "ec2:AssociateAddress");
  }

  @Test
  void thePolicyGrantsExactlyTheActionsTheCodeCalls() {
    assertThat(granted()).as("actions in deploy/iam-policy.json (left) against the actions "
        + "Ec2Gateway calls").isEqualTo(called());
    assertThat(statements).allSatisfy(s -> {
      assertThat(s.path("Effect").asText()).isEqualTo("Allow");
      assertThat(s.has("NotAction")).isFalse();
      assertThat(s.has("NotResource")).isFalse();
      assertThat(actions(s)).noneMatch(a -> a.contains("*"));
    });
    assertThat(granted()).as("STS: web identity credentials are allowed by the role's trust "
        + "policy, not by this one").doesNotContain("sts:AssumeRoleWithWebIdentity");
    assertThat(called()).contains("sts:AssumeRole", "sts:GetCallerIdentity");
    assertThat(grants("sts:AssumeRole")).singleElement().satisfies(s ->
        assertThat(resources(s)).allMatch(r -> r.matches("arn:aws:iam::[^:]+:role/.+")));
  }

  @Test
  void onlyReadsAreGrantedOnEveryResource() {
    for (JsonNode s : statements) {
      if (resources(s).contains("*")) {
        assertThat(actions(s)).as(s.path("Sid").asText())
            .allMatch(a -> a.startsWith("ec2:Describe") || a.equals("sts:GetCallerIdentity")
                || a.equals("cloudwatch:GetMetricData"));
      }
    }
  }

  @Test
  void whatChangesOrDestroysIsScopedToCutoversTag() {
    assertThat(grants("ec2:TerminateInstances")).isNotEmpty().allSatisfy(s ->
        assertThat(stringEquals(s, MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE));
    assertThat(grants("ec2:ReleaseAddress")).isNotEmpty().allSatisfy(s ->
        assertThat(stringEquals(s, MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE));
    assertThat(grants("ec2:AssociateAddress")).hasSize(2).allSatisfy(s -> {
      assertThat(resources(s)).singleElement().asString()
          .matches("arn:aws:ec2:\\*:\\*:(elastic-ip|instance)/\\*");
      assertThat(stringEquals(s, MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE);
    });
    assertThat(grants("ec2:DisassociateAddress")).allSatisfy(s -> {
      if (resources(s).stream().anyMatch(r -> r.contains(":elastic-ip/"))) {
        assertThat(stringEquals(s, MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE);
      } else {
        assertThat(resources(s)).containsExactly("arn:aws:ec2:*:*:network-interface/*");
      }
    });
    assertThat(grants("ec2:RunInstances")).filteredOn(s -> resources(s).stream()
        .anyMatch(r -> r.contains(":instance/"))).singleElement().satisfies(s ->
        assertThat(stringEquals(s, REQUESTS_MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE));
    assertThat(grants("ec2:AllocateAddress")).singleElement().satisfies(s ->
        assertThat(stringEquals(s, REQUESTS_MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE));
  }

  @Test
  void tagsAreCreatedOnlyAtLaunchOrOnUntaggedOrCutoversAddresses() {
    assertThat(grants("ec2:CreateTags")).hasSize(2).allSatisfy(s -> {
      assertThat(stringEquals(s, REQUESTS_MANAGED_BY)).isEqualTo(Tags.MANAGED_BY_VALUE);
      String resource = resources(s).get(0);
      if (resource.contains(":instance/")) {
        // Instances, their volumes and their network interfaces, tagged by RunInstances only.
        assertThat(resources(s)).containsExactly("arn:aws:ec2:*:*:instance/*",
            "arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:network-interface/*");
        assertThat(stringEquals(s, "ec2:CreateAction")).isEqualTo("RunInstances");
      } else {
        assertThat(resources(s)).hasSize(1);
        assertThat(resource).isEqualTo("arn:aws:ec2:*:*:elastic-ip/*");
        assertThat(s.path("Condition").path("StringEqualsIfExists").path(MANAGED_BY).asText())
            .isEqualTo(Tags.MANAGED_BY_VALUE);
        assertThat(s.path("Condition").path("ForAllValues:StringLike").path("aws:TagKeys")
            .toString()).isEqualTo("[\"Name\",\"cutover.dev/*\"]");
      }
    });
  }

  @Test
  void kmsKeysAreUsedOnlyThroughEc2() {
    assertThat(KMS_FOR_EBS).allSatisfy(action -> assertThat(grants(action)).isNotEmpty()
        .allSatisfy(s -> {
          assertThat(resources(s)).containsExactly("arn:aws:kms:*:*:key/*");
          if (action.equals("kms:CreateGrant")) {
            assertThat(s.path("Condition").path("Bool").path("kms:GrantIsForAWSResource")
                .asText()).isEqualTo("true");
          } else {
            assertThat(s.path("Condition").path("StringLike").path("kms:ViaService").asText())
                .isEqualTo("ec2.*.amazonaws.com");
          }
        }));
  }

  @Test
  void rolesArePassedOnlyToEc2AndOnlyTheFleetsOwn() {
    assertThat(grants("iam:PassRole")).singleElement().satisfies(s -> {
      assertThat(resources(s)).singleElement().asString()
          .matches("arn:aws:iam::(ACCOUNT_ID|[0-9]{12}):role/cutover-fleet-\\*");
      assertThat(stringEquals(s, "iam:PassedToService")).isEqualTo("ec2.amazonaws.com");
    });
  }

  @Test
  void theReadmeNamesTheMethodThatNeedsEachPermission() throws IOException {
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("^\\| `(\\w+:\\w+)` \\| `(\\w+)` \\|", Pattern.MULTILINE)
        .matcher(Files.readString(README));
    while (row.find()) {
      documented.add(row.group(1) + " <- " + row.group(2));
    }
    Set<String> needed = new TreeSet<>();
    actionsByMethod().forEach((method, actions) -> actions.forEach(a ->
        needed.add(a + " <- " + method)));
    assertThat(documented).as("rows `permission` | `gateway method` of deploy/README.md")
        .isEqualTo(needed);
  }

  private static Set<String> granted() {
    return statements.stream().flatMap(s -> actions(s).stream())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<JsonNode> grants(String action) {
    return statements.stream().filter(s -> actions(s).contains(action)).toList();
  }

  private static String stringEquals(JsonNode statement, String key) {
    return statement.path("Condition").path("StringEquals").path(key).asText(null);
  }

  private static List<String> actions(JsonNode statement) {
    return strings(statement.path("Action"));
  }

  private static List<String> resources(JsonNode statement) {
    return strings(statement.path("Resource"));
  }

  private static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(v -> values.add(v.asText()));
    } else if (!node.isMissingNode()) {
      values.add(node.asText());
    }
    return values;
  }
}
