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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.ReportWriter;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.run.TrainJob;

/**
 * A real run's report.html opened in headless Chromium: it renders with nothing on the console
 * (no script error, nothing blocked by its no-network Content-Security-Policy) and every chart
 * has points. Two deliberately broken pages prove the console check catches errors.
 */
class ReportInBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final long BROWSER_TIMEOUT_S = 90;
  /**
   * What --enable-logging=stderr prints for every console message and uncaught exception,
   * whatever its level: "[pid:tid:date/time:INFO:CONSOLE:12] "message", source: ..." (older
   * Chromium: "CONSOLE(12)"). The report logs nothing, so any such line is a failure.
   */
  private static final Pattern CONSOLE_LINE = Pattern.compile("^\\[[^\\]]*:CONSOLE[:(].*$",
      Pattern.MULTILINE);
  private static final Pattern FIGURE = Pattern.compile("<figure [^>]*>");

  @TempDir
  static Path dir;
  private static Path report;
  private static TrainJob.Result run;

  /** What the browser printed and the DOM after its scripts ran. */
  private record Page(String dom, List<String> consoleLines) {}

  @BeforeAll
  static void trainATinyRun() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing, so the "
        + "report is not checked in a browser; .ci/run installs it (apt-get install chromium)");
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

  /** Chart title to its data-points attribute, for every chart figure in the DOM. */
  private static Map<String, Integer> chartPoints(String dom) {
    Map<String, Integer> points = new LinkedHashMap<>();
    Matcher figure = FIGURE.matcher(dom);
    while (figure.find()) {
      String tag = figure.group();
      points.put(attribute(tag, "data-chart"), Integer.parseInt(attribute(tag, "data-points")));
    }
    return points;
  }

  private static String attribute(String tag, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
    assertThat(m.find()).as("%s in %s", name, tag).isTrue();
    return m.group(1);
  }

  /**
   * Loads the page in a fresh profile with everything that could reach the network turned off;
   * virtual time lets the scripts finish without waiting in real time.
   */
  private static Page open(Path html) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Path stdout = dir.resolve(html.getFileName() + ".dom");
    Path stderr = dir.resolve(html.getFileName() + ".stderr");
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=5000", "--dump-dom", html.toUri().toString()));
    Process browser = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
    if (!browser.waitFor(BROWSER_TIMEOUT_S, TimeUnit.SECONDS)) {
      browser.destroyForcibly().waitFor();
      throw new AssertionError("chromium did not finish within " + BROWSER_TIMEOUT_S
          + " s; its log: " + Files.readString(stderr));
    }
    String log = Files.readString(stderr);
    assertThat(browser.exitValue()).as("chromium exit code; its log:%n%s", log).isZero();
    List<String> console = new ArrayList<>();
    CONSOLE_LINE.matcher(log).results().forEach(r -> console.add(r.group()));
    return new Page(Files.readString(stdout), console);
  }
}
