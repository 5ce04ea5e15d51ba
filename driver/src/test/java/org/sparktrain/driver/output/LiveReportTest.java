package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html while a run trains: drawn after validations and new checkpoints only, marked
 * running with the round it was drawn at, and marked failed with the reason when the run fails.
 */
class LiveReportTest {
  private static final String DATA_OPEN =
      "<script type=\"application/json\" id=\"report-data\">";

  @TempDir
  Path dir;

  private final AtomicLong written = new AtomicLong();

  private static RoundMetrics round(long r, Map<String, Double> validation) {
    return new RoundMetrics(r, 0, 1.0 / (r + 1), 100, 50.0, 40.0, 10.0, 1.0, 1000, validation);
  }

  private LiveReport live(RunDirectory runDir, List<RoundMetrics> earlier) {
    return new LiveReport(runDir, "model: {name: mlp}\n",
        Map.of("model", "mlp", "records", Map.of("read", 500L)),
        () -> Map.of("written", written.get()), earlier);
  }

  private JsonNode page() throws Exception {
    String html = Files.readString(dir.resolve(RunDirectory.REPORT));
    int start = html.indexOf(DATA_OPEN) + DATA_OPEN.length();
    return Json.MAPPER.readTree(html.substring(start, html.indexOf("</script>", start)));
  }

  @Test
  void drawsAfterValidationsAndCheckpointsSayingWhereTheRunIs() throws Exception {
    try (RunDirectory runDir = new RunDirectory(dir.toUri().toString(), new Configuration())) {
      LiveReport live = live(runDir, List.of(round(0, null)));
      live.onRound(round(1, null));
      live.close();
      assertThat(dir.resolve(RunDirectory.REPORT)).as("no validation, no checkpoint: no page")
          .doesNotExist();

      live = live(runDir, List.of(round(0, null), round(1, null)));
      live.onRound(round(2, Map.of("accuracy", 0.75)));
      live.close();
      JsonNode page = page();
      assertThat(page.at("/state/status").asText()).isEqualTo("running");
      assertThat(page.at("/state/rounds").asLong()).isEqualTo(3);
      assertThat(page.at("/state/drawnAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(page.at("/series/rounds").asLong()).isEqualTo(3);
      assertThat(page.at("/summary/throughput/examplesPerSec").asDouble()).isEqualTo(2000.0);
      assertThat(page.at("/summary/records/read").asLong()).isEqualTo(500);
      assertThat(page.at("/summary/test").isMissingNode()).isTrue();

      live = live(runDir, List.of());
      live.onRound(round(0, null));
      written.incrementAndGet(); // a checkpoint committed during round 1
      live.onRound(round(1, null));
      live.close();
      assertThat(page().at("/state/rounds").asLong()).isEqualTo(2);
      assertThat(page().at("/summary/checkpoints/written").asLong()).isEqualTo(1);
    }
  }

  @Test
  void aFailedRunsPageSaysWhy() throws Exception {
    try (RunDirectory runDir = new RunDirectory(dir.toUri().toString(), new Configuration())) {
      LiveReport live = live(runDir, List.of());
      live.onRound(round(0, Map.of("accuracy", 0.5)));
      live.drawFailed(new IllegalStateException("the loss diverged at round 1"));
      live.onRound(round(1, Map.of("accuracy", 0.6))); // too late: drawing has stopped
      JsonNode page = page();
      assertThat(page.at("/state/status").asText()).isEqualTo("failed");
      assertThat(page.at("/state/error").asText()).isEqualTo("the loss diverged at round 1");
      assertThat(page.at("/state/rounds").asLong()).isEqualTo(1);
    }
  }
}
