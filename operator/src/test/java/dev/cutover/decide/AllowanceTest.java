package dev.cutover.decide;

import static dev.cutover.decide.AllowanceCases.ACCOUNTS;
import static dev.cutover.decide.AllowanceCases.IMAGE;
import static dev.cutover.decide.AllowanceCases.IMAGES_AND_OWNERS;
import static dev.cutover.decide.AllowanceCases.NO_OWNERS;
import static dev.cutover.decide.AllowanceCases.OTHER_IMAGE;
import static dev.cutover.decide.AllowanceCases.OWNERS_ONLY;
import static dev.cutover.decide.AllowanceCases.TEAM_A;
import static dev.cutover.decide.AllowanceCases.TENANT_A;
import static dev.cutover.decide.AllowanceCases.account;
import static dev.cutover.decide.AllowanceCases.baseSpec;
import static dev.cutover.decide.AllowanceCases.expression;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.AllowedLaunches;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.decide.Allowance.AccountChoice;
import dev.cutover.decide.AllowanceCases.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of an AwsAccount in Java. The shared table ({@link AllowanceCases}) is the one the
 * admission policy is held to in AdmissionPolicyIT; the tests below it cover what only the
 * operator decides (missing and doubled accounts, image owners).
 */
class AllowanceTest {

  static List<Case> cases() {
    return AllowanceCases.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void judgesAsTheAdmissionPolicyDoes(Case c) {
    assertThat(judge(c.spec(), c.namespace().labels(), c.namespace().name(), ACCOUNTS, null))
        .as(c.description()).isEqualTo(c.expected());
  }

  /** What the operator would say: the account choice first, then that account's rules. */
  static Optional<String> judge(ReleaseSpec spec, Map<String, String> labels, String namespace,
      List<AwsAccount> accounts, String imageOwner) {
    AccountChoice choice = Allowance.accountFor(spec, accounts);
    return choice.refusal().or(() -> choice.account()
        .flatMap(a -> Allowance.refusal(a, labels, namespace, spec, imageOwner)));
  }

  /** Each list: left out, anything passes; empty, the Release is refused by that list. */
  static Stream<Arguments> lists() {
    return Stream.of(
        list("subnets", (a, l) -> a.subnets = l, s -> {}, "subnet subnet-0123456789abcdef0"),
        list("securityGroups", (a, l) -> a.securityGroups = l,
            s -> s.template.securityGroupIds = List.of("sg-0123456789abcdef0"),
            "security group sg-0123456789abcdef0"),
        list("instanceProfiles", (a, l) -> a.instanceProfiles = l,
            s -> s.template.iamInstanceProfile = "web", "instance profile web"),
        list("keyPairs", (a, l) -> a.keyPairs = l, s -> s.template.keyName = "ops",
            "key pair ops"),
        list("images", (a, l) -> a.images = l, s -> {}, "image " + IMAGE),
        list("imageOwners", (a, l) -> a.imageOwners = l, s -> {}, "image " + IMAGE),
        list("instanceTypes", (a, l) -> a.instanceTypes = l, s -> {}, "instance type t3.small"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lists")
  void aListLeftOutAllowsAnythingAnEmptyListNothing(String field,
      BiConsumer<AllowedLaunches, List<String>> setList, Consumer<ReleaseSpec> uses,
      String what) {
    ReleaseSpec spec = baseSpec();
    uses.accept(spec);
    AwsAccount absent = account("acct", a -> {
      a.namespaceSelector = expression("team", "Exists");
      setList.accept(a.allowed, null);
    });
    AwsAccount empty = account("acct", a -> {
      a.namespaceSelector = expression("team", "Exists");
      setList.accept(a.allowed, List.of());
    });

    assertThat(refusal(absent, spec, "999999999999")).as("%s left out", field).isEmpty();
    assertThat(refusal(empty, spec, null)).as("%s empty", field)
        .contains("AwsAccount acct does not allow " + what + " (allowed." + field + ")");
  }

  @Test
  void aReleaseWithoutTheOptionalFieldsPassesEmptyListsForThem() {
    AwsAccount account = account("acct", a -> {
      a.namespaceSelector = expression("team", "Exists");
      a.allowed.securityGroups = List.of();
      a.allowed.instanceProfiles = List.of();
      a.allowed.keyPairs = List.of();
    });
    assertThat(refusal(account, baseSpec(), null)).isEmpty();
  }

  @Test
  void aNamedAccountThatDoesNotExistIsRefused() {
    ReleaseSpec spec = baseSpec();
    spec.account = "team-z";
    AccountChoice choice = Allowance.accountFor(spec, ACCOUNTS);
    assertThat(choice.account()).isEmpty();
    assertThat(choice.refusal()).contains("AwsAccount team-z does not exist");
  }

  @Test
  void withNoAccountNamedAndNoDefaultTheOperatorsOwnCredentialsAreUsed() {
    AccountChoice choice = Allowance.accountFor(baseSpec(), List.of(TEAM_A, OWNERS_ONLY));
    assertThat(choice.account()).isEmpty();
    assertThat(choice.refusal()).isEmpty();
    assertThat(Allowance.accountFor(baseSpec(), List.of()).refusal()).isEmpty();
  }

  @Test
  void twoDefaultsRefuseAReleaseThatNamesNoAccountOnly() {
    AwsAccount second = account("second", a -> a.isDefault = true);
    var accounts = new ArrayList<>(ACCOUNTS);
    accounts.add(second);

    assertThat(Allowance.accountFor(baseSpec(), accounts).refusal()).contains(
        "AwsAccounts second, shared are all marked default (spec.default): mark at most one,"
            + " or name the account in spec.account");
    ReleaseSpec named = baseSpec();
    named.account = "team-a";
    assertThat(Allowance.accountFor(named, accounts).account()).contains(TEAM_A);
  }

  @Test
  void theDefaultIsUsedWhenNoAccountIsNamed() {
    assertThat(Allowance.accountFor(baseSpec(), ACCOUNTS).account())
        .contains(AllowanceCases.DEFAULT);
  }

  @ParameterizedTest(name = "{0} {1} owned by {2}: {3}")
  @CsvSource(nullValues = "null", value = {
      "owners-only, ami-0123456789abcdef9, 123456789012, ",
      "owners-only, ami-0123456789abcdef9, 999999999999, "
          + "AwsAccount owners-only does not allow image ami-0123456789abcdef9 owned by "
          + "999999999999 (allowed.imageOwners)",
      "owners-only, ami-0123456789abcdef9, null, ",
      "images-and-owners, ami-0123456789abcdef0, 999999999999, ",
      "images-and-owners, ami-0123456789abcdef9, 123456789012, ",
      "images-and-owners, ami-0123456789abcdef9, 999999999999, "
          + "AwsAccount images-and-owners does not allow image ami-0123456789abcdef9 owned by "
          + "999999999999 (allowed.imageOwners)",
      "no-owners, ami-0123456789abcdef0, 123456789012, "
          + "AwsAccount no-owners does not allow image ami-0123456789abcdef0 "
          + "(allowed.imageOwners)",
      "team-a, ami-0123456789abcdef9, 123456789012, "
          + "AwsAccount team-a does not allow image ami-0123456789abcdef9 (allowed.images)"})
  void theOperatorChecksTheImageOwnerItLookedUp(String accountName, String imageId,
      String owner, String refusal) {
    AwsAccount account = ACCOUNTS.stream()
        .filter(a -> a.getMetadata().getName().equals(accountName)).findFirst().orElseThrow();
    ReleaseSpec spec = baseSpec();
    spec.template.imageId = imageId;
    assertThat(Allowance.refusal(account, TENANT_A.labels(), TENANT_A.name(), spec, owner))
        .isEqualTo(Optional.ofNullable(refusal));
  }

  @Test
  void theOwnerIsNeededOnlyWhenImageOwnersCouldDecide() {
    ReleaseSpec listed = baseSpec();
    ReleaseSpec unlisted = baseSpec();
    unlisted.template.imageId = OTHER_IMAGE;
    assertThat(Allowance.needsImageOwner(OWNERS_ONLY, listed)).isTrue();
    assertThat(Allowance.needsImageOwner(IMAGES_AND_OWNERS, listed)).isFalse();
    assertThat(Allowance.needsImageOwner(IMAGES_AND_OWNERS, unlisted)).isTrue();
    assertThat(Allowance.needsImageOwner(NO_OWNERS, unlisted)).isFalse();
    assertThat(Allowance.needsImageOwner(TEAM_A, unlisted)).isFalse();
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
      "t3.*, t3.small, true", "t3.*, t3a.small, false", "t3.*, t3., true",
      "*.large, m5.large, true", "*.large, m5.xlarge, false", "*, anything, true",
      "m6i.large, m6i.large, true", "m6i.large, m6ixlarge, false", "m6i.large, m6i.large2, false",
      "t*.*large, t3.2xlarge, true", "'', '', true", "'', t3.small, false",
      "m[5].large, m5.large, false", "m[5].large, m[5].large, true",
      "'c5.(x|2x)large', c5.xlarge, false", "\\Qt3\\E.*, t3.small, false",
      "\\Qt3\\E.*, \\Qt3\\E.small, true"})
  void patternsMatchTheWholeTypeWithStarAsTheOnlyWildcard(String pattern, String type,
      boolean matches) {
    assertThat(Allowance.globMatches(pattern, type)).isEqualTo(matches);
  }

  @Test
  void aNamespaceWithoutLabelsIsSelectedOnlyByAbsenceRules() {
    ReleaseSpec spec = baseSpec();
    AwsAccount noEnv = account("no-env", a -> a.namespaceSelector = expression("env",
        "DoesNotExist"));
    AwsAccount team = account("team", a -> a.namespaceSelector = expression("team", "Exists"));
    assertThat(Allowance.refusal(noEnv, null, "plain", spec, null)).isEmpty();
    assertThat(Allowance.refusal(team, null, "plain", spec, null))
        .contains("AwsAccount team does not allow namespace plain (namespaceSelector)");
  }

  @Test
  void anUnknownSelectorOperatorSelectsNothing() {
    AwsAccount odd = account("odd", a -> a.namespaceSelector = expression("team", "Gt", "1"));
    assertThat(Allowance.refusal(odd, Map.of("team", "2"), "ns", baseSpec(), null))
        .contains("AwsAccount odd does not allow namespace ns (namespaceSelector)");
  }

  private static Optional<String> refusal(AwsAccount account, ReleaseSpec spec, String owner) {
    return Allowance.refusal(account, TENANT_A.labels(), TENANT_A.name(), spec, owner);
  }

  private static Arguments list(String field, BiConsumer<AllowedLaunches, List<String>> set,
      Consumer<ReleaseSpec> uses, String what) {
    return Arguments.of(field, set, uses, what);
  }
}
