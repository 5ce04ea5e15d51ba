package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.output.RoundMetrics;

/** report.html as text: what it embeds, that it cannot be broken out of, and its edge cases. */
class ReportWriterTest {
  private static final String DATA_OPEN =
      "<script type=\"application/json\" id=\"report-data\">";
  private static final String HOSTILE = "</script><script>alert(1)</script><!--<script>";

  private static RoundMetrics round(long r, int epoch, double loss, Map<String, Double> val) {
    return new RoundMetrics(r, epoch, loss, 64, 20.0, 15.0, 5.0, 1.0, 4096, val);
  }

  private static Map<String, Object> classificationSummary(String model) {
    Map<String, Object> test = new LinkedHashMap<>();
    test.put("examples", 10L);
    test.put("accuracy", 0.8);
    test.put("macroF1", 0.79);
    test.put("confusionMatrix", new long[][] {{4, 1}, {1, 4}});
    Map<String, Object> records = new LinkedHashMap<>();
    records.put("read", 12L);
    records.put("dropped", 2L);
    records.put("droppedByReason", Map.of("nonFinite", 2L));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", model);
    s.put("test", test);
    s.put("throughput", Map.of("examplesPerSec", 3200.0, "rounds", 3));
    s.put("records", records);
    s.put("finalTrainLoss", 0.4);
    return s;
  }

  /** The embedded JSON, read back the way the page's JSON.parse reads it. */
  private static JsonNode embedded(String html) throws Exception {
    int start = html.indexOf(DATA_OPEN) + DATA_OPEN.length();
    return Json.MAPPER.readTree(html.substring(start, html.indexOf("</script>", start)));
  }

  @Test
  void embedsCurvesThroughputConfusionRecordsAndSpec() throws Exception {
    List<RoundMetrics> history = List.of(round(0, 0, 1.2, null),
        round(1, 0, 0.9, Map.of("accuracy", 0.7, "macroF1", 0.68)), round(2, 1, 0.6, null),
        round(3, 1, 0.4, Map.of("accuracy", 0.8, "macroF1", 0.79)));
    Map<String, Object> summary = classificationSummary("mlp");
    summary.put("backend", Map.of("kind", "cpu", "description", "ND4J native"));

    String html = ReportWriter.render(summary, history, "model: {name: mlp}\n");
    JsonNode data = embedded(html);

    assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain(ReportWriter.DATA_PLACEHOLDER);
    assertThat(data.at("/series/round").toString()).isEqualTo("[0,1,2,3]");
    assertThat(data.at("/series/loss").toString()).isEqualTo("[1.2,0.9,0.6,0.4]");
    // 64 examples in 20 ms per round.
    assertThat(data.at("/series/examplesPerSec/0").asDouble()).isEqualTo(3200.0);
    assertThat(data.at("/series/elapsedS").toString()).isEqualTo("[0.02,0.04,0.06,0.08]");
    assertThat(data.at("/series/validation/round").toString()).isEqualTo("[1,3]");
    assertThat(data.at("/series/validation/metrics/accuracy").toString()).isEqualTo("[0.7,0.8]");
    assertThat(data.at("/summary/test/confusionMatrix").toString()).isEqualTo("[[4,1],[1,4]]");
    assertThat(data.at("/summary/records/droppedByReason/nonFinite").asLong()).isEqualTo(2);
    assertThat(data.at("/summary/backend/kind").asText()).isEqualTo("cpu");
    assertThat(data.at("/spec").asText()).isEqualTo("model: {name: mlp}\n");
  }

  @Test
  void loadsNothingFromOutsideTheFile() {
    String html = ReportWriter.render(classificationSummary("mlp"), List.of(), "");
    assertThat(html).doesNotContainIgnoringCase("src=").doesNotContainIgnoringCase("href=")
        .doesNotContainIgnoringCase("url(").doesNotContainIgnoringCase("@import")
        .doesNotContainIgnoringCase("<link").doesNotContain("fetch(")
        .doesNotContain("XMLHttpRequest");
    // The browser enforces it too: anything external would be blocked and logged.
    assertThat(html).contains("content=\"default-src 'none';");
  }

  @Test
  void hostileStringsInSpecAndSummaryStayData() throws Exception {
    Map<String, Object> summary = classificationSummary(HOSTILE);
    summary.put("backend", Map.of("kind", HOSTILE, "description", "\"' & <b>"));
    String spec = "output: {dir: '" + HOSTILE + "'}\n";

    String html = ReportWriter.render(summary, List.of(round(0, 0, 1.0,
        Map.of(HOSTILE, 0.5))), spec);

    // Only the template's own script elements open and close: one data block, one script.
    assertThat(html.split("</script>", -1)).hasSize(3);
    assertThat(html.split("<script", -1)).hasSize(3);
    assertThat(html).doesNotContain("<!--<script").doesNotContain("alert(1)<");
    JsonNode data = embedded(html);
    assertThat(data.at("/spec").asText()).isEqualTo(spec);
    assertThat(data.at("/summary/model").asText()).isEqualTo(HOSTILE);
    assertThat(data.at("/summary/backend/description").asText()).isEqualTo("\"' & <b>");
    assertThat(data.at("/series/validation/metrics").fieldNames().next()).isEqualTo(HOSTILE);
  }

  @Test
  void regressionRunWithNoHistoryHasNoConfusionMatrixAndNoNaN() throws Exception {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("model", "mlp");
    summary.put("test", Map.of("examples", 0));
    summary.put("finalTrainLoss", Double.NaN);
    summary.put("throughput", Map.of("examplesPerSec", Double.POSITIVE_INFINITY));

    String html = ReportWriter.render(summary, List.of(), "");
    JsonNode data = embedded(html);

    assertThat(data.at("/series/rounds").asInt()).isZero();
    assertThat(data.at("/series/loss").size()).isZero();
    assertThat(data.at("/series/validation/round").size()).isZero();
    assertThat(data.at("/summary/test").has("confusionMatrix")).isFalse();
    // JSON has no NaN: Jackson would write the string "NaN", which a chart would misread.
    assertThat(data.at("/summary/finalTrainLoss").isNull()).isTrue();
    assertThat(data.at("/summary/throughput/examplesPerSec").isNull()).isTrue();
    assertThat(html).doesNotContain("NaN").doesNotContain("Infinity");
  }

  @Test
  void longRunsAreAveragedIntoAtMostTwoThousandPoints() throws Exception {
    List<RoundMetrics> history = new ArrayList<>();
    for (int r = 0; r < 10_000; r++) {
      history.add(round(r, r / 100, 1.0 / (r + 1), r % 10 == 9 ? Map.of("accuracy",
          r / 10_000.0) : null));
    }
    // One round without finite loss still charts its bucket from the others.
    history.set(5, round(5, 0, Double.NaN, null));

    String html = ReportWriter.render(classificationSummary("mlp"), history, "");
    JsonNode series = embedded(html).get("series");

    assertThat(series.get("roundsPerPoint").asInt()).isEqualTo(5);
    assertThat(series.get("round").size()).isEqualTo(2000);
    assertThat(series.at("/round/1999").asLong()).isEqualTo(9999);
    assertThat(series.at("/loss/1").asDouble()).isEqualTo(
        RoundSeries.rounded((1.0 / 7 + 1.0 / 8 + 1.0 / 9 + 1.0 / 10) / 4));
    assertThat(series.at("/validation/round").size()).isEqualTo(1000);
    assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(300_000);
  }
}
