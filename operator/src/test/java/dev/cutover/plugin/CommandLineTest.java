package dev.cutover.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The command line as kubectl plugins take it: flags anywhere, short and long forms. */
class CommandLineTest {

  @Test
  void flagsMayComeBeforeOrAfterTheCommandInEveryForm() throws Exception {
    CommandLine line = CommandLine.parse("-n", "shop", "promote", "storefront",
        "--version=2.5.0", "--context", "prod", "--kubeconfig=/k", "-ojson");
    assertThat(line).isEqualTo(new CommandLine("promote", "storefront", "shop", false, "prod",
        "/k", true, false, "2.5.0", false));
    assertThat(CommandLine.parse("get", "-A", "-w").allNamespaces()).isTrue();
    assertThat(CommandLine.parse("get", "--namespace=x", "--output", "json").namespace())
        .isEqualTo("x");
    assertThat(CommandLine.parse("get", "-nshop").namespace()).isEqualTo("shop");
    assertThat(CommandLine.parse("get", "--watch", "r").watch()).isTrue();
  }

  @Test
  void helpNamesItsTopicEitherWay() throws Exception {
    assertThat(CommandLine.parse("undo", "--help").helpTopic()).contains("undo");
    assertThat(CommandLine.parse("help", "abort").helpTopic()).contains("abort");
    assertThat(CommandLine.parse("--help").helpTopic()).isEmpty();
    // --help needs no Release, as the command's own checks would ask.
    assertThat(CommandLine.parse("promote", "-h").help()).isTrue();
  }

  @Test
  void wrongCommandLinesAreRefusedWithWhatIsWrong() {
    refused("unknown command \"frob\"", "frob");
    refused("promote needs a Release", "promote");
    refused("unknown flag: --force", "undo", "x", "--force");
    refused("-n needs a value", "get", "-n");
    refused("-n needs a value", "get", "-n", "-A");
    refused("only -o json", "get", "-o", "yaml");
    refused("--version is only for promote", "undo", "x", "--version", "1");
    refused("-A/--all-namespaces is only for get", "undo", "x", "-A");
    refused("-A and -n cannot be combined", "get", "-A", "-n", "x");
    refused("a Release name cannot be combined with -A", "get", "x", "-A");
    refused("--watch is only for get", "history", "x", "-w");
    refused("cannot be combined with -o json", "get", "-w", "-o", "json");
    refused("takes one Release", "abort", "a", "b");
    refused("--watch takes no value", "get", "--watch=yes");
  }

  private static void refused(String why, String... args) {
    assertThatThrownBy(() -> CommandLine.parse(args))
        .isInstanceOf(CommandLine.UsageException.class).hasMessageContaining(why);
  }
}
