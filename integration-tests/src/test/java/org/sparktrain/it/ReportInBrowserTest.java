package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.ExplainPage;
import org.sparktrain.driver.output.ReportWriter;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.it.HeadlessChromium.Page;

/**
 * A real run's report.html opened in headless Chromium: it renders with nothing on the console
 * (no script error, nothing blocked by its no-network Content-Security-Policy) and every chart
 * has points. Two deliberately broken pages prove the console check catches errors.
 */
class ReportInBrowserTest {
  @TempDir
  static Path dir;
  private static Path report;
  private static TrainJob.Result run;

  @BeforeAll
  static void trainATinyRun() throws IOException {
    Assumptions.assumeTrue(HeadlessChromium.available(), HeadlessChromium.MISSING);
    String data = ItSpecs.blobs(dir, 400).toUri().toString();
    String out = dir.resolve("run").toUri().toString();
    try (JavaSparkContext sc = ItSpecs.local(new SparkConf())) {
      run = TrainJob.run(sc, ItSpecs.spec(data, out, 3, "{everyEpoch: false}"), false);
    }
    report = dir.resolve("run").resolve(RunDirectory.REPORT);
  }

  @Test
  void reportRendersWithoutConsoleErrorsAndEveryChartHasData() throws Exception {
    Page page = open(report);

    assertThat(page.consoleLines()).as("console output of %s", report).isEmpty();
    assertThat(page.dom()).contains("data-report=\"rendered\"");
    Map<String, Integer> points = chartPoints(page.dom());
    int rounds = run.model().history().size();
    long validated = run.model().history().stream().filter(m -> m.validation() != null)
        .count();
    assertThat(validated).isPositive();
    assertThat(points).containsEntry("training loss", rounds)
        .containsEntry("examples/s over training time", rounds)
        .containsEntry("validation accuracy", (int) validated)
        .containsEntry("validation macroF1", (int) validated);
    // Four classes: a 4 x 4 confusion matrix with the test split's counts.
    assertThat(page.dom()).containsPattern("id=\"confusion\"[^>]*data-cells=\"16\"");
    assertThat(page.dom()).containsPattern("<th>read</th><td[^>]*>400</td>")
        .containsPattern("<pre id=\"spec\">[^<]*blobs-400\\.csv")
        .contains("<th>backend</th><td>" + backendShown() + "</td>");
    // The FLOP rate and the share of the measured peak, as numbers.
    assertThat(page.dom()).containsPattern("<th>achieved GFLOP/s</th><td[^>]*>[0-9][0-9.]*</td>")
        .containsPattern("<th>utilization of the measured peak</th><td[^>]*>0\\.[0-9]+</td>");
  }

  /** The backend as the report shows it: "unknown" until the summary has one. */
  private static String backendShown() {
    if (run.summary().get("backend") instanceof Map<?, ?> backend
        && backend.get("kind") != null) {
      Object description = backend.get("description");
      return backend.get("kind") + (description == null ? "" : " (" + description + ")");
    }
    return "unknown";
  }

  @Test
  void regressionRunWithNoRoundsAndHostileStringsRendersWithoutRunningThem() throws Exception {
    String hostile = "</script><script>console.error('injected')</script><!--<script>";
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("model", hostile);
    summary.put("test", Map.of("examples", 5, "mse", 0.5, "mae", 0.4, "r2", Double.NaN));
    summary.put("backend", Map.of("kind", hostile, "description", "<img src=x onerror=alert(1)>"));
    Path page = Files.writeString(dir.resolve("edge.html"),
        ReportWriter.render(summary, List.of(), "output: {dir: '" + hostile + "'}\n"));

    Page shown = open(page);

    assertThat(shown.consoleLines()).isEmpty();
    assertThat(shown.dom()).contains("data-report=\"rendered\"")
        .containsPattern("id=\"confusion\"[^>]*data-cells=\"0\"");
    assertThat(chartPoints(shown.dom())).containsEntry("training loss", 0)
        .containsEntry("validation", 0).containsEntry("examples/s over training time", 0);
  }

  @Test
  void aReportDrawnWhileTrainingSaysSoAndWhen() throws Exception {
    List<RoundMetrics> rounds = run.model().history().subList(0, 4);
    Map<String, Object> soFar = new LinkedHashMap<>();
    soFar.put("model", "mlp");
    soFar.put("throughput", Map.of("rounds", 4, "examplesPerSec", 1000.0));
    Path page = Files.writeString(dir.resolve("running.html"), ReportWriter.render(soFar,
        rounds, "model: {name: mlp}\n", ReportWriter.State.running(4)));

    Page shown = open(page);

    assertThat(shown.consoleLines()).isEmpty();
    assertThat(shown.dom()).contains("data-report=\"rendered\"")
        .contains("data-status=\"running\"")
        .containsPattern("id=\"state\"[^>]*>This run is still training\\. This page was "
            + "drawn after round 4 at \\d{4}-")
        .contains("the test split is evaluated when the run ends");
    assertThat(chartPoints(shown.dom())).containsEntry("training loss", 4);
  }

  @Test
  void explainAndComparePagesRenderHostileNamesAsText() throws Exception {
    String hostile = "</script><script>console.error('injected')</script>";
    List<Map<String, Object>> columns = new ArrayList<>();
    List<Map<String, Object>> attributions = new ArrayList<>();
    List<Map<String, Object>> inputs = new ArrayList<>();
    List<Double> saliency = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      inputs.add(Map.of("input", "x" + i, "value", (double) i, "attribution", 0.1));
      saliency.add(0.01 * i);
      columns.add(Map.of("column", "x" + i, "mean", 0.01 * i, "ciLow", 0.005 * i,
          "ciHigh", 0.015 * i));
      attributions.add(Map.of("column", "x" + i, "attribution", i % 2 == 0 ? 0.1 : -0.05));
    }
    Map<String, Object> explanation = new LinkedHashMap<>();
    explanation.put("model", hostile);
    explanation.put("from", hostile);
    explanation.put("rows", 100);
    explanation.put("permutationImportance", Map.of("score", "accuracy", "baseline", 0.9,
        "repeats", 5, "tasks", 2, "seconds", 0.5, "columns", columns));
    Map<String, Object> row = new LinkedHashMap<>(Map.of("row", 0, "label", hostile,
        "explained", 1, "f", "log p(explained class)", "output", -0.1,
        "baselineOutput", -2.0, "completenessGap", 0.001, "columns", attributions));
    row.put("inputs", inputs);
    row.put("saliency", saliency);
    explanation.put("attributions", List.of(row));
    explanation.put("firstConvolution", Map.of("shape", List.of(2, 1, 3, 3), "kernels",
        List.of(Map.of("output", 0, "input", 0, "weights", List.of(1, 0, -1, 1, 0, -1, 1, 0, -1)),
            Map.of("output", 1, "input", 0, "weights", List.of(1, 1, 1, 0, 0, 0, -1, -1, -1)))));
    Path page = Files.writeString(dir.resolve("explain.html"),
        ExplainPage.render(explanation));

    Page shown = open(page);

    assertThat(shown.consoleLines()).isEmpty();
    assertThat(shown.dom()).contains("data-explain=\"rendered\"")
        .containsPattern("data-bars=\"16\"[^>]*data-chart=\"permutation importance\"")
        .containsPattern("data-bars=\"16\"[^>]*data-chart=\"attributions of row 0\"")
        .contains("data-heatmap=\"permutation importance as an image\"")
        .contains("data-cells=\"16\"")
        .contains("data-heatmap=\"gradient saliency of row 0\"")
        .contains("data-heatmap=\"row 0\"")
        .contains("data-filters=\"2\"")
        .contains("data-heatmap=\"filter 1\"")
        .doesNotContain("<script>console.error");
  }

  @Test
  void aTextExplanationDrawsEveryHeadAndTheTokenAttributions() throws Exception {
    String hostile = "</script><script>console.error('injected')</script>";
    List<Double> map = List.of(1.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.2, 0.3, 0.5);
    Map<String, Object> explanation = new LinkedHashMap<>();
    explanation.put("model", "bert-classifier");
    explanation.put("from", "runs/x/model");
    explanation.put("text", hostile);
    explanation.put("tokens", List.of("[CLS]", hostile, "b"));
    explanation.put("attention", List.of(Map.of("layer", 0, "head", 0, "weights", map),
        Map.of("layer", 0, "head", 1, "weights", map)));
    explanation.put("predicted", 1);
    explanation.put("tokenAttributions", List.of(
        Map.of("position", 1, "token", hostile, "attribution", 0.4),
        Map.of("position", 2, "token", "b", "attribution", -0.1)));
    Path page = Files.writeString(dir.resolve("text-explain.html"),
        ExplainPage.render(explanation));

    Page shown = open(page);

    assertThat(shown.consoleLines()).isEmpty();
    assertThat(shown.dom()).contains("data-explain=\"rendered\"")
        .contains("data-heads=\"2\"")
        .contains("data-heatmap=\"layer 0 head 1\"")
        .containsPattern("data-bars=\"2\"[^>]*data-chart=\"token attributions\"")
        .containsPattern("id=\"importance-section\"[^>]*hidden")
        .doesNotContain("<script>console.error");
  }

  @Test
  void consoleErrorIsCaught() throws Exception {
    Path broken = Files.writeString(dir.resolve("console-error.html"),
        "<!DOCTYPE html><html><body><script>console.error('deliberate');</script></body></html>");

    assertThat(open(broken).consoleLines()).singleElement().asString().contains("deliberate");
  }

  @Test
  void reportWithCorruptDataIsCaught() throws Exception {
    String html = Files.readString(report, StandardCharsets.UTF_8);
    String marker = "id=\"report-data\">";
    int start = html.indexOf(marker) + marker.length();
    // JSON.parse throws: an uncaught exception, and the page never says it rendered.
    Path broken = Files.writeString(dir.resolve("corrupt-report.html"),
        html.substring(0, start) + "{\"summary\": " + html.substring(start));

    Page page = open(broken);

    assertThat(page.consoleLines()).singleElement().asString().contains("Uncaught SyntaxError");
    assertThat(page.dom()).doesNotContain("data-report=\"rendered\"");
  }

  private static Page open(Path html) throws IOException, InterruptedException {
    return HeadlessChromium.open(html, dir);
  }

  private static Map<String, Integer> chartPoints(String dom) {
    return HeadlessChromium.chartPoints(dom);
  }
}
