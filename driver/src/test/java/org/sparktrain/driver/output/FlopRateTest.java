package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.worker.backend.MachinePeak;

class FlopRateTest {
  private static ClusterPeak.Host host(String name, double perCore, double allCores) {
    return new ClusterPeak.Host(name, new MachinePeak(4, perCore, allCores, 0.3));
  }

  @Test
  void aHostCountsOnceWithItsBestJvmAndTheClusterPeakSumsTheHosts() {
    // Two executors of host a measured 40 and 70 (the first shared its cores); b measured 50.
    ClusterPeak peak = ClusterPeak.of(List.of(host("a", 20, 40), host("b", 15, 50),
        host("a", 21, 70)));
    assertThat(peak.hosts()).extracting(ClusterPeak.Host::host).containsExactly("a", "b");
    assertThat(peak.allCoresGflops()).isEqualTo(120);
    assertThat(peak.perCoreGflops()).isEqualTo(15);
  }

  @Test
  void aLoadedMachineWhoseAllCoresFigureFellBelowOneCoreCountsOneCore() {
    assertThat(ClusterPeak.of(List.of(host("a", 27.5, 25))).allCoresGflops()).isEqualTo(27.5);
  }

  @Test
  void achievedIsExamplesPerSecondTimesFlopsAndUtilizationItsShareOfThePeak() {
    FlopRate rate = new FlopRate(1_614_366L, ClusterPeak.of(List.of(host("a", 40, 80))));
    // 10,000 ex/s x 1,614,366 FLOPs = 16.14 GFLOP/s, of 80.
    assertThat(rate.gflopsPerSec(10_000)).isCloseTo(16.14366, within(1e-9));
    assertThat(rate.utilization(10_000)).isCloseTo(16.14366 / 80, within(1e-12));
    Map<String, Object> m = rate.toMap(10_000);
    assertThat(m).containsEntry("trainingFlopsPerExample", 1_614_366L)
        .containsEntry("peakGflopsPerSec", 80.0)
        .containsKeys("convention", "achievedGflopsPerSec", "utilization", "peak");
  }

  @Test
  void withoutACountOrAPeakTheRateSaysWhatItKnows() {
    FlopRate uncounted = new FlopRate(null, ClusterPeak.of(List.of(host("a", 40, 80))));
    assertThat(uncounted.toMap(100)).containsEntry("trainingFlopsPerExample", null)
        .containsKey("peakGflopsPerSec").doesNotContainKeys("achievedGflopsPerSec",
            "utilization");
    assertThat(uncounted.utilization(100)).isNaN();
    FlopRate unmeasured = new FlopRate(1000L, null);
    assertThat(unmeasured.toMap(100)).containsEntry("achievedGflopsPerSec", 1e-4)
        .doesNotContainKeys("peakGflopsPerSec", "utilization");
  }
}
