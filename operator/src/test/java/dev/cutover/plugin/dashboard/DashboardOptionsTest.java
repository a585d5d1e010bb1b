package dev.cutover.plugin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardOptionsTest {

  @Test
  void withoutArgumentsEveryNamespaceOnAnyFreePortInTheBrowser() throws Exception {
    assertThat(DashboardOptions.parse(List.of()))
        .isEqualTo(new DashboardOptions(0, null, true, false));
  }

  @Test
  void portNamespaceAndNoOpenInEitherSpelling() throws Exception {
    assertThat(DashboardOptions.parse(List.of("--port", "8089", "-n", "shop", "--no-open")))
        .isEqualTo(new DashboardOptions(8089, "shop", false, false));
    assertThat(DashboardOptions.parse(List.of("--port=8089", "--namespace=shop")))
        .isEqualTo(new DashboardOptions(8089, "shop", true, false));
    assertThat(DashboardOptions.parse(List.of("-A")).namespace()).isNull();
    assertThat(DashboardOptions.parse(List.of("-n", "shop", "-h")).help()).isTrue();
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("--port", "http")))
        .hasMessage("--port must be a number from 0 to 65535, not 'http'");
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("--port", "70000")))
        .hasMessageContaining("from 0 to 65535");
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("--port")))
        .hasMessage("--port needs a value");
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("-n", "Shop_1")))
        .hasMessage("'Shop_1' is not a namespace name");
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("-n", "shop", "-A")))
        .hasMessage("-n and -A exclude each other");
    assertThatThrownBy(() -> DashboardOptions.parse(List.of("--bind", "0.0.0.0")))
        .hasMessage("unknown argument '--bind'");
  }
}
