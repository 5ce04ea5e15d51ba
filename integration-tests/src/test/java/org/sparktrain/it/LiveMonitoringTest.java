package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;

/**
 * Watching a run while it trains, the way a user would: Spark's own Prometheus servlet (the
 * sink the Kubernetes manifests enable) serves sparktrain's training gauges from the driver's
 * UI during the run, and report.html in the run directory is redrawn, marked running, before
 * the run ends.
 */
class LiveMonitoringTest {
  /** A PrometheusServlet line of one of our gauges: name suffix and value. */
  private static final Pattern GAUGE = Pattern.compile(
      "SparktrainMetricsPlugin_(\\w+)_Value\\{[^}]*\\} (\\S+)");

  @TempDir
  Path dir;

  /** One scrape of the servlet and one look at report.html, taken together. */
  private record Look(Map<String, Double> gauges, String report) {}

  @Test
  void metricsAndReportAreLiveWhileTheRunTrains() throws Exception {
    String data = ItSpecs.blobs(dir, 2000).toUri().toString();
    Path out = dir.resolve("run");
    SparkConf conf = new SparkConf()
        .set("spark.ui.enabled", "true")
        .set("spark.ui.port", "0")
        .set("spark.metrics.namespace", "sparktrain")
        .set("spark.metrics.conf.*.sink.prometheusServlet.class",
            "org.apache.spark.metrics.sink.PrometheusServlet")
        .set("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus");
    String yaml = ItSpecs.yaml(data, out.toUri().toString(), 3, "{everyRounds: 10}")
        + "eval: {validateEveryRounds: 5}\n";
    List<Look> looks = new CopyOnWriteArrayList<>();
    AtomicBoolean training = new AtomicBoolean(true);
    AtomicReference<Throwable> watchFailed =
        new AtomicReference<>();
    TrainJob.Result result;
    Look after;
    try (JavaSparkContext sc = ItSpecs.local(conf)) {
      URI metrics = URI.create(sc.sc().uiWebUrl().get() + "/metrics/prometheus");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL).build();
      Thread watcher = new Thread(() -> {
        while (training.get()) {
          try {
            looks.add(look(http, metrics, out));
            Thread.sleep(20);
          } catch (IOException e) {
            // the report is being renamed into place; look again
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException | AssertionError e) {
            watchFailed.set(e);
            return;
          }
        }
      });
      watcher.start();
      try {
        result = TrainJob.run(sc, JobSpecParser.parse(yaml, null), false);
      } finally {
        training.set(false);
        watcher.join();
      }
      after = look(http, metrics, out);
    }
    if (watchFailed.get() != null) {
      throw new AssertionError("a look during the run failed", watchFailed.get());
    }

    List<RoundMetrics> history = result.model().history();
    long rounds = history.size();
    assertThat(rounds).isGreaterThan(40);
    List<Look> during = looks.stream().filter(l -> l.gauges().get("running") == 1.0
        && l.gauges().get("round") >= 1).toList();
    assertThat(during).as("scrapes while training (of %s)", looks.size()).isNotEmpty();
    // Every scrape during the run shows a round the run really had, with that round's loss.
    for (Look l : during) {
      RoundMetrics m = history.get((int) (double) l.gauges().get("round"));
      assertThat(l.gauges()).containsEntry("loss", m.loss());
    }
    assertThat(looks).as("a report drawn during the run, marked running")
        .anyMatch(l -> l.report() != null && l.report().contains("\"status\":\"running\""));

    RoundMetrics last = history.get(history.size() - 1);
    Map<?, ?> checkpoints = (Map<?, ?>) result.summary().get("checkpoints");
    assertThat(after.gauges()).containsEntry("running", 0.0)
        .containsEntry("round", (double) last.round())
        .containsEntry("loss", last.loss())
        .containsEntry("examples", (double) history.stream().mapToLong(RoundMetrics::examples)
            .sum())
        .containsEntry("checkpoints_written", ((Number) checkpoints.get("written"))
            .doubleValue())
        .containsEntry("validation_accuracy", lastValidation(history).get("accuracy"));
    assertThat(after.gauges().get("validation_mse")).isNaN();
    // The FLOP gauges follow the newest round: its examples/s times the model's FLOPs.
    Map<?, ?> flops = (Map<?, ?>) result.summary().get("flops");
    double perExample = ((Number) flops.get("trainingFlopsPerExample")).doubleValue();
    assertThat(after.gauges().get("gflopsPerSec"))
        .isCloseTo(last.examplesPerSec() * perExample / 1e9, within(1e-6));
    assertThat(after.gauges().get("utilization")).isGreaterThan(0).isLessThan(1)
        .isCloseTo(after.gauges().get("gflopsPerSec")
            / ((Number) flops.get("peakGflopsPerSec")).doubleValue(), within(1e-9));
    assertThat(looks).as("a report drawn during the run shows the FLOP rate so far")
        .anyMatch(l -> l.report() != null && l.report().contains("\"status\":\"running\"")
            && l.report().contains("\"achievedGflopsPerSec\""));
    assertThat(after.report()).contains("\"status\":\"finished\"");
  }

  private static Map<String, Double> lastValidation(List<RoundMetrics> history) {
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).validation() != null) {
        return history.get(i).validation();
      }
    }
    throw new AssertionError("no round validated");
  }

  private static Look look(HttpClient http, URI metrics, Path run)
      throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> gauges = new HashMap<>();
    Matcher m = GAUGE.matcher(body);
    while (m.find()) {
      gauges.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    assertThat(gauges).as("our gauges in %s:%n%s", metrics, body).containsKeys("running", "round", "loss");
    Path report = run.resolve(RunDirectory.REPORT);
    return new Look(gauges, Files.exists(report) ? Files.readString(report) : null);
  }
}
