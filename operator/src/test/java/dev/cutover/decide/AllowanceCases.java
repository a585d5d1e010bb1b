package dev.cutover.decide;

import dev.cutover.api.AllowedLaunches;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.ReleaseSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One table of AwsAccounts, namespaces and Releases with what must be refused, and why: judged
 * by {@link Allowance} in {@code AllowanceTest} and by the admission policy on a real API server
 * in {@code AdmissionPolicyIT}, so the two implementations are shown to agree. Every account in
 * {@link #ACCOUNTS} exists at once (the API server sees them all); a Release names its account,
 * except where a case shows the default account at work.
 */
public final class AllowanceCases {

  private AllowanceCases() {}

  /** A namespace and its labels, without the kubernetes.io/metadata.name the server adds. */
  public record Namespace(String name, Map<String, String> ownLabels) {

    /** The labels the namespace has on the API server. */
    public Map<String, String> labels() {
      var all = new LinkedHashMap<>(ownLabels);
      all.put("kubernetes.io/metadata.name", name);
      return all;
    }
  }

  /**
   * A Release in {@code namespace}, the base spec changed by {@code change}; {@code refusal} is
   * the message it is refused with, or null when it is allowed.
   */
  public record Case(String description, Namespace namespace, Consumer<ReleaseSpec> change,
      String refusal) {

    public ReleaseSpec spec() {
      ReleaseSpec spec = baseSpec();
      change.accept(spec);
      return spec;
    }

    public Optional<String> expected() {
      return Optional.ofNullable(refusal);
    }

    @Override
    public String toString() {
      return description;
    }
  }

  public static final String SUBNET = "subnet-0123456789abcdef0";
  public static final String SUBNET_2 = "subnet-0123456789abcdef1";
  public static final String OTHER_SUBNET = "subnet-0123456789abcdef9";
  public static final String SG = "sg-0123456789abcdef0";
  public static final String OTHER_SG = "sg-0123456789abcdef9";
  public static final String IMAGE = "ami-0123456789abcdef0";
  public static final String OTHER_IMAGE = "ami-0123456789abcdef9";

  public static final Namespace TENANT_A = new Namespace("adm-tenant-a",
      Map.of("team", "a", "env", "prod"));
  public static final Namespace SANDBOX_A = new Namespace("adm-sandbox-a",
      Map.of("team", "a", "env", "dev"));
  public static final Namespace TENANT_B = new Namespace("adm-tenant-b", Map.of("team", "b"));
  public static final Namespace UNLABELLED = new Namespace("adm-unlabelled", Map.of());
  public static final List<Namespace> NAMESPACES =
      List.of(TENANT_A, SANDBOX_A, TENANT_B, UNLABELLED);

  /** Namespaces with team=a; every allowlist narrowed; two regions. */
  public static final AwsAccount TEAM_A = account("team-a", spec -> {
    spec.namespaceSelector = matchLabels(Map.of("team", "a"));
    spec.regions = List.of("eu-west-1", "eu-central-1");
    spec.allowed.subnets = List.of(SUBNET, SUBNET_2);
    spec.allowed.securityGroups = List.of(SG);
    spec.allowed.instanceProfiles = List.of("web");
    spec.allowed.keyPairs = List.of("ops");
    spec.allowed.images = List.of(IMAGE);
    spec.allowed.instanceTypes = List.of("t3.*", "m6i.large");
  });
  /** Any namespace with a team label; every list left out: anything may be launched. */
  public static final AwsAccount OPEN = account("open", spec ->
      spec.namespaceSelector = expression("team", "Exists"));
  /** Every list empty except instance types: nothing may be launched. */
  public static final AwsAccount EMPTY_LISTS = account("empty-lists", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.subnets = List.of();
    spec.allowed.securityGroups = List.of();
    spec.allowed.instanceProfiles = List.of();
    spec.allowed.keyPairs = List.of();
    spec.allowed.images = List.of();
  });
  /** Only the lists a Release may leave out are empty. */
  public static final AwsAccount NO_EXTRAS = account("no-extras", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.securityGroups = List.of();
    spec.allowed.instanceProfiles = List.of();
    spec.allowed.keyPairs = List.of();
  });
  public static final AwsAccount NO_TYPES = account("no-types", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.instanceTypes = List.of();
  });
  public static final AwsAccount NO_IMAGES = account("no-images", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.images = List.of();
  });
  public static final AwsAccount OWNERS_ONLY = account("owners-only", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.imageOwners = List.of("123456789012");
  });
  public static final AwsAccount NO_OWNERS = account("no-owners", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.imageOwners = List.of();
  });
  public static final AwsAccount IMAGES_AND_OWNERS = account("images-and-owners", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.images = List.of(IMAGE);
    spec.allowed.imageOwners = List.of("123456789012");
  });
  /** Characters special in regular expressions stand for themselves in a pattern. */
  public static final AwsAccount LITERAL_PATTERNS = account("literal-patterns", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.instanceTypes = List.of("m[5].large", "t3.smal?", "c5.(x|2x)large", "r6i.*$");
  });
  public static final AwsAccount ANY_TYPE = account("any-type", spec -> {
    spec.namespaceSelector = expression("team", "Exists");
    spec.allowed.instanceTypes = List.of("*");
  });
  public static final AwsAccount TEAM_IN = account("team-in", spec ->
      spec.namespaceSelector = expression("team", "In", "a", "c"));
  public static final AwsAccount NOT_PROD = account("not-prod", spec ->
      spec.namespaceSelector = expression("env", "NotIn", "prod"));
  public static final AwsAccount NO_ENV = account("no-env", spec ->
      spec.namespaceSelector = expression("env", "DoesNotExist"));
  public static final AwsAccount BY_NAME = account("by-name", spec ->
      spec.namespaceSelector = expression("kubernetes.io/metadata.name", "In", TENANT_B.name()));
  public static final AwsAccount TEAM_A_DEV = account("team-a-dev", spec -> {
    spec.namespaceSelector = matchLabels(Map.of("team", "a"));
    spec.namespaceSelector.setMatchExpressions(
        expression("env", "In", "dev").getMatchExpressions());
  });
  public static final AwsAccount EMPTY_SELECTOR = account("empty-selector", spec ->
      spec.namespaceSelector = new LabelSelector());
  public static final AwsAccount NO_SELECTOR = account("no-selector", spec -> {});
  /** No spec at all (the schema allows it): no namespace selected. */
  public static final AwsAccount NO_SPEC = account("no-spec", spec -> {});

  static {
    NO_SPEC.setSpec(null);
  }

  /** The default: team b only, t3.micro only. */
  public static final AwsAccount DEFAULT = account("shared", spec -> {
    spec.isDefault = true;
    spec.namespaceSelector = matchLabels(Map.of("team", "b"));
    spec.allowed.instanceTypes = List.of("t3.micro");
  });

  public static final List<AwsAccount> ACCOUNTS = List.of(TEAM_A, OPEN, EMPTY_LISTS, NO_EXTRAS,
      NO_TYPES, NO_IMAGES, OWNERS_ONLY, NO_OWNERS, IMAGES_AND_OWNERS, LITERAL_PATTERNS, ANY_TYPE,
      TEAM_IN, NOT_PROD, NO_ENV, BY_NAME, TEAM_A_DEV, EMPTY_SELECTOR, NO_SELECTOR, NO_SPEC,
      DEFAULT);

  public static List<Case> cases() {
    var cases = new ArrayList<Case>();
    cases.addAll(namespaceCases());
    cases.addAll(allowlistCases());
    cases.addAll(imageAndTypeCases());
    cases.addAll(accountChoiceCases());
    return cases;
  }

  static List<Case> namespaceCases() {
    return List.of(
        allowed("matchLabels selects the namespace", TENANT_A, uses(TEAM_A)),
        refused("matchLabels: namespace without the label", UNLABELLED, uses(TEAM_A),
            "AwsAccount team-a does not allow namespace adm-unlabelled (namespaceSelector)"),
        refused("matchLabels: label with another value", TENANT_B, uses(TEAM_A),
            "AwsAccount team-a does not allow namespace adm-tenant-b (namespaceSelector)"),
        allowed("In: value listed", SANDBOX_A, uses(TEAM_IN)),
        refused("In: value not listed", TENANT_B, uses(TEAM_IN),
            "AwsAccount team-in does not allow namespace adm-tenant-b (namespaceSelector)"),
        refused("In: label missing", UNLABELLED, uses(TEAM_IN),
            "AwsAccount team-in does not allow namespace adm-unlabelled (namespaceSelector)"),
        allowed("NotIn: value not listed", SANDBOX_A, uses(NOT_PROD)),
        allowed("NotIn: label missing", UNLABELLED, uses(NOT_PROD)),
        refused("NotIn: value listed", TENANT_A, uses(NOT_PROD),
            "AwsAccount not-prod does not allow namespace adm-tenant-a (namespaceSelector)"),
        allowed("Exists: label present", TENANT_B, uses(OPEN)),
        refused("Exists: label missing", UNLABELLED, uses(OPEN),
            "AwsAccount open does not allow namespace adm-unlabelled (namespaceSelector)"),
        allowed("DoesNotExist: label missing", TENANT_B, uses(NO_ENV)),
        refused("DoesNotExist: label present", SANDBOX_A, uses(NO_ENV),
            "AwsAccount no-env does not allow namespace adm-sandbox-a (namespaceSelector)"),
        allowed("by name: kubernetes.io/metadata.name In", TENANT_B, uses(BY_NAME)),
        refused("by name: another namespace", TENANT_A, uses(BY_NAME),
            "AwsAccount by-name does not allow namespace adm-tenant-a (namespaceSelector)"),
        allowed("matchLabels and matchExpressions both hold", SANDBOX_A, uses(TEAM_A_DEV)),
        refused("matchLabels holds, matchExpressions does not", TENANT_A, uses(TEAM_A_DEV),
            "AwsAccount team-a-dev does not allow namespace adm-tenant-a (namespaceSelector)"),
        refused("empty selector selects no namespace", TENANT_A, uses(EMPTY_SELECTOR),
            "AwsAccount empty-selector does not allow namespace adm-tenant-a "
                + "(namespaceSelector)"),
        refused("absent selector selects no namespace", TENANT_A, uses(NO_SELECTOR),
            "AwsAccount no-selector does not allow namespace adm-tenant-a (namespaceSelector)"),
        refused("an account without spec selects no namespace", TENANT_A, uses(NO_SPEC),
            "AwsAccount no-spec does not allow namespace adm-tenant-a (namespaceSelector)"));
  }

  static List<Case> allowlistCases() {
    return List.of(
        allowed("region one of the account's", TENANT_A,
            uses(TEAM_A).andThen(s -> s.region = "eu-central-1")),
        refused("region not one of the account's", TENANT_A,
            uses(TEAM_A).andThen(s -> s.region = "us-west-2"),
            "AwsAccount team-a does not allow region us-west-2 (regions)"),
        refused("the namespace is reported before the region", UNLABELLED,
            uses(TEAM_A).andThen(s -> s.region = "us-west-2"),
            "AwsAccount team-a does not allow namespace adm-unlabelled (namespaceSelector)"),
        allowed("a system whose every role is allowed", TENANT_A,
            uses(TEAM_A).andThen(system("m6i.large", SUBNET_2))),
        refused("a system with one role of a type not allowed", TENANT_A,
            uses(TEAM_A).andThen(system("m6i.xlarge", SUBNET)),
            "AwsAccount team-a does not allow instance type m6i.xlarge "
                + "(allowed.instanceTypes)"),
        refused("a system with one role in a subnet not allowed", TENANT_A,
            uses(TEAM_A).andThen(system("t3.small", OTHER_SUBNET)),
            "AwsAccount team-a does not allow subnet " + OTHER_SUBNET + " (allowed.subnets)"),
        allowed("every subnet listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.subnetIds = List.of(SUBNET_2, SUBNET))),
        refused("a subnet not listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.subnetIds = List.of(SUBNET, OTHER_SUBNET)),
            "AwsAccount team-a does not allow subnet " + OTHER_SUBNET + " (allowed.subnets)"),
        refused("the region is reported before the subnet", TENANT_A, uses(TEAM_A).andThen(s -> {
          s.region = "us-west-2";
          s.template.subnetIds = List.of(OTHER_SUBNET);
        }), "AwsAccount team-a does not allow region us-west-2 (regions)"),
        allowed("subnets left out: any subnet", TENANT_A,
            uses(OPEN).andThen(s -> s.template.subnetIds = List.of(OTHER_SUBNET))),
        refused("subnets empty: no subnet", TENANT_A, uses(EMPTY_LISTS),
            "AwsAccount empty-lists does not allow subnet " + SUBNET + " (allowed.subnets)"),
        allowed("security group listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.securityGroupIds = List.of(SG))),
        refused("security group not listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.securityGroupIds = List.of(SG, OTHER_SG)),
            "AwsAccount team-a does not allow security group " + OTHER_SG
                + " (allowed.securityGroups)"),
        allowed("securityGroups empty, Release without one", TENANT_A, uses(NO_EXTRAS)),
        refused("securityGroups empty, Release with one", TENANT_A,
            uses(NO_EXTRAS).andThen(s -> s.template.securityGroupIds = List.of(SG)),
            "AwsAccount no-extras does not allow security group " + SG
                + " (allowed.securityGroups)"),
        allowed("instance profile listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.iamInstanceProfile = "web")),
        refused("instance profile not listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.iamInstanceProfile = "admin"),
            "AwsAccount team-a does not allow instance profile admin "
                + "(allowed.instanceProfiles)"),
        refused("instanceProfiles empty, Release with one", TENANT_A,
            uses(NO_EXTRAS).andThen(s -> s.template.iamInstanceProfile = "web"),
            "AwsAccount no-extras does not allow instance profile web "
                + "(allowed.instanceProfiles)"),
        allowed("key pair listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.keyName = "ops")),
        refused("key pair not listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.keyName = "root"),
            "AwsAccount team-a does not allow key pair root (allowed.keyPairs)"),
        refused("keyPairs empty, Release with one", TENANT_A,
            uses(NO_EXTRAS).andThen(s -> s.template.keyName = "ops"),
            "AwsAccount no-extras does not allow key pair ops (allowed.keyPairs)"));
  }

  static List<Case> imageAndTypeCases() {
    return List.of(
        refused("image not listed", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.imageId = OTHER_IMAGE),
            "AwsAccount team-a does not allow image " + OTHER_IMAGE + " (allowed.images)"),
        refused("images empty, imageOwners left out: no image", TENANT_A, uses(NO_IMAGES),
            "AwsAccount no-images does not allow image " + IMAGE + " (allowed.images)"),
        allowed("imageOwners only: the owner is left to the operator", TENANT_A,
            uses(OWNERS_ONLY).andThen(s -> s.template.imageId = OTHER_IMAGE)),
        refused("imageOwners empty, images left out: no image", TENANT_A, uses(NO_OWNERS),
            "AwsAccount no-owners does not allow image " + IMAGE + " (allowed.imageOwners)"),
        allowed("images and imageOwners: an image not listed is left to the operator",
            TENANT_A, uses(IMAGES_AND_OWNERS).andThen(s -> s.template.imageId = OTHER_IMAGE)),
        allowed("instance type matching t3.*", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.instanceType = "t3.micro")),
        allowed("instance type listed exactly", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.instanceType = "m6i.large")),
        refused("instance type matching no pattern", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.instanceType = "m6i.xlarge"),
            "AwsAccount team-a does not allow instance type m6i.xlarge "
                + "(allowed.instanceTypes)"),
        refused("t3.* does not match t3a.small", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.instanceType = "t3a.small"),
            "AwsAccount team-a does not allow instance type t3a.small (allowed.instanceTypes)"),
        refused("instanceTypes empty: no type", TENANT_A, uses(NO_TYPES),
            "AwsAccount no-types does not allow instance type t3.small "
                + "(allowed.instanceTypes)"),
        allowed("* alone: any type", TENANT_A,
            uses(ANY_TYPE).andThen(s -> s.template.instanceType = "u-24tb1.metal")),
        refused("[ ] in a pattern is literal", TENANT_A,
            uses(LITERAL_PATTERNS).andThen(s -> s.template.instanceType = "m5.large"),
            "AwsAccount literal-patterns does not allow instance type m5.large "
                + "(allowed.instanceTypes)"),
        refused("? and . in a pattern are literal", TENANT_A,
            uses(LITERAL_PATTERNS).andThen(s -> s.template.instanceType = "t3.small"),
            "AwsAccount literal-patterns does not allow instance type t3.small "
                + "(allowed.instanceTypes)"),
        refused("( | ) in a pattern are literal", TENANT_A,
            uses(LITERAL_PATTERNS).andThen(s -> s.template.instanceType = "c5.xlarge"),
            "AwsAccount literal-patterns does not allow instance type c5.xlarge "
                + "(allowed.instanceTypes)"),
        refused("a launch template where the account narrows launches", TENANT_A,
            uses(TEAM_A).andThen(s -> s.template.launchTemplate = launchTemplate("web")),
            "AwsAccount team-a does not allow launch template web (allowed.* cannot check what "
                + "a launch template sets: give the launch fields in the Release instead)"),
        allowed("a launch template where the account narrows nothing", TENANT_A,
            uses(OPEN).andThen(s -> {
              s.template.launchTemplate = launchTemplate("web");
              s.template.imageId = null;
              s.template.instanceType = null;
            })),
        refused("instanceTypes: every type must be allowed", TENANT_A,
            uses(TEAM_A).andThen(s -> {
              s.template.instanceType = null;
              s.template.instanceTypes = List.of("t3.large", "m6i.xlarge");
            }),
            "AwsAccount team-a does not allow instance type m6i.xlarge "
                + "(allowed.instanceTypes)"),
        allowed("instanceTypes all allowed", TENANT_A,
            uses(TEAM_A).andThen(s -> {
              s.template.instanceType = null;
              s.template.instanceTypes = List.of("t3.large", "m6i.large");
            })),
        refused("$ in a pattern is literal", TENANT_A,
            uses(LITERAL_PATTERNS).andThen(s -> s.template.instanceType = "r6i.large"),
            "AwsAccount literal-patterns does not allow instance type r6i.large "
                + "(allowed.instanceTypes)"));
  }

  static List<Case> accountChoiceCases() {
    return List.of(
        refused("no account named: the default's namespaces", TENANT_A, s -> {},
            "AwsAccount shared does not allow namespace adm-tenant-a (namespaceSelector)"),
        refused("no account named: the default's allowlists", TENANT_B, s -> {},
            "AwsAccount shared does not allow instance type t3.small (allowed.instanceTypes)"),
        allowed("no account named: allowed by the default", TENANT_B,
            s -> s.template.instanceType = "t3.micro"),
        allowed("named account allows what the default refuses", TENANT_B, uses(OPEN)),
        allowed("named account A allows what account B refuses", TENANT_B,
            uses(OPEN).andThen(s -> s.template.instanceType = "m5.large")),
        refused("named account B refuses what account A allows", TENANT_B,
            uses(TEAM_A).andThen(s -> s.template.instanceType = "m5.large"),
            "AwsAccount team-a does not allow namespace adm-tenant-b (namespaceSelector)"));
  }

  /** The spec every case starts from: the sample's template, in the first subnet. */
  /**
   * The base spec as a system: role web (the base template, with the address) and role worker
   * of this instance type in this subnet.
   */
  static Consumer<ReleaseSpec> system(String workerType, String workerSubnet) {
    return s -> {
      var web = new dev.cutover.api.RoleSpec();
      web.name = "web";
      web.size = 1;
      web.template = s.template;
      web.elasticIps = List.of(s.elasticIp);
      var worker = new dev.cutover.api.RoleSpec();
      worker.name = "worker";
      worker.size = 1;
      worker.template = new InstanceTemplate();
      worker.template.imageId = s.template.imageId;
      worker.template.instanceType = workerType;
      worker.template.subnetIds = List.of(workerSubnet);
      s.roles = List.of(web, worker);
      s.fleetSize = null;
      s.template = null;
      s.elasticIp = null;
    };
  }

  public static ReleaseSpec baseSpec() {
    var template = new InstanceTemplate();
    template.imageId = IMAGE;
    template.instanceType = "t3.small";
    template.subnetIds = List.of(SUBNET);
    var eip = new ElasticIpSpec();
    eip.allocationId = "eipalloc-0123456789abcdef0";
    var spec = new ReleaseSpec();
    spec.version = "2.4.1";
    spec.fleetSize = 1;
    spec.template = template;
    spec.elasticIp = eip;
    return spec;
  }

  public static AwsAccount account(String name, Consumer<AwsAccountSpec> rules) {
    var spec = new AwsAccountSpec();
    spec.regions = List.of("us-east-1");
    spec.allowed = new AllowedLaunches();
    rules.accept(spec);
    var account = new AwsAccount();
    account.setMetadata(new ObjectMetaBuilder().withName(name).build());
    account.setSpec(spec);
    return account;
  }

  static Consumer<ReleaseSpec> uses(AwsAccount account) {
    return s -> s.account = account.getMetadata().getName();
  }

  static LabelSelector matchLabels(Map<String, String> labels) {
    return new LabelSelectorBuilder().withMatchLabels(labels).build();
  }

  static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder().addNewMatchExpression().withKey(key)
        .withOperator(operator).withValues(values.length == 0 ? null : List.of(values))
        .endMatchExpression().build();
  }

  private static Case allowed(String description, Namespace ns, Consumer<ReleaseSpec> change) {
    return new Case(description, ns, change, null);
  }

  private static dev.cutover.api.LaunchTemplateRef launchTemplate(String name) {
    var ref = new dev.cutover.api.LaunchTemplateRef();
    ref.name = name;
    ref.version = "$Latest";
    return ref;
  }

  private static Case refused(String description, Namespace ns, Consumer<ReleaseSpec> change,
      String refusal) {
    return new Case(description, ns, change, refusal);
  }
}
