package org.sparktrain.driver.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.output.ComparePage;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;

/**
 * Runs side by side ({@code sparktrain compare}): the spec keys whose values differ, and one
 * row per result (test and crossval metrics, best and final validation, training loss,
 * throughput, time, sizes), with a column per run. Printed as a table and drawn as
 * compare.html with the runs' curves overlaid.
 */
public final class RunComparison {
  /** Every run's output.dir differs; the run's column says which it is. */
  private static final Set<String> NOT_COMPARED = Set.of("output.dir");

  private final List<ComparedRun> runs;
  private final List<String> labels;

  public RunComparison(List<ComparedRun> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("compare needs at least one run directory");
    }
    this.runs = List.copyOf(runs);
    this.labels = labels(runs);
  }

  public List<String> labels() {
    return labels;
  }

  /** The spec keys whose values are not the same in every run ("-" where a run lacks one). */
  public List<ComparePage.Row> specDifferences() {
    Set<String> keys = new LinkedHashSet<>();
    runs.forEach(r -> keys.addAll(r.spec().keySet()));
    List<ComparePage.Row> rows = new ArrayList<>();
    for (String key : keys) {
      List<Object> values = new ArrayList<>();
      runs.forEach(r -> values.add(r.spec().get(key)));
      if (!NOT_COMPARED.contains(key) && values.stream().distinct().count() > 1) {
        rows.add(new ComparePage.Row(key, values, null));
      }
    }
    return rows;
  }

  /** One row per result that at least one run has. */
  public List<ComparePage.Row> results() {
    List<ComparePage.Row> rows = new ArrayList<>();
    rows.add(row("status", null, ComparedRun::status));
    for (String name : fieldNames(r -> r.summary() == null ? null : r.summary().get("test"))) {
      if (!name.equals("perClass") && !name.equals("confusionMatrix")) {
        rows.add(row("test " + name, better(name), r -> number(r.summary(), "test", name)));
      }
    }
    for (String name : fieldNames(r -> r.crossval() == null ? null
        : r.crossval().get("metrics"))) {
      rows.add(row("crossval " + name + " mean", better(name),
          r -> number(r.crossval(), "metrics", name, "mean")));
      rows.add(row("crossval " + name + " std", "lower",
          r -> number(r.crossval(), "metrics", name, "std")));
    }
    for (String name : validationNames()) {
      rows.add(row("best validation " + name, better(name), r -> best(r.history(), name)));
      rows.add(row("final validation " + name, better(name), r -> last(r.history(), name)));
    }
    rows.add(row("privacy epsilon", "lower", r -> number(r.summary(), "privacy", "epsilon")));
    rows.add(row("privacy delta", "lower", r -> number(r.summary(), "privacy", "delta")));
    rows.add(row("privacy noise multiplier", null,
        r -> number(r.summary(), "privacy", "noiseMultiplier")));
    rows.add(row("privacy clip norm", null, r -> number(r.summary(), "privacy", "clipNorm")));
    rows.add(row("privacy sampling rate q", null,
        r -> number(r.summary(), "privacy", "samplingRate")));
    rows.add(row("privacy steps", null, r -> number(r.summary(), "privacy", "steps")));
    rows.add(row("final training loss", "lower", r -> r.history().isEmpty() ? null
        : r.history().get(r.history().size() - 1).loss()));
    rows.add(row("rounds", null, r -> r.history().isEmpty() ? null : (long) r.history().size()));
    rows.add(row("examples/s", "higher", RunComparison::examplesPerSec));
    rows.add(row("training FLOPs per example", null,
        r -> number(r.summary(), "flops", "trainingFlopsPerExample")));
    rows.add(row("achieved GFLOP/s", "higher",
        r -> number(r.summary(), "flops", "achievedGflopsPerSec")));
    rows.add(row("utilization of measured peak", "higher",
        r -> number(r.summary(), "flops", "utilization")));
    rows.add(row("mean synchronization ms", "lower", r -> r.history().isEmpty() ? null
        : r.history().stream().mapToDouble(RoundMetrics::syncMs).average().orElse(0)));
    rows.add(row("training time (s)", "lower", r -> r.history().isEmpty() ? null
        : r.history().stream().mapToDouble(RoundMetrics::wallMs).sum() / 1000));
    rows.add(row("wall time (s)", "lower", r -> number(r.summary(), "wallTimeSeconds")));
    rows.add(row("checkpoints kept", null, r -> (long) r.checkpoints()));
    rows.add(row("newest checkpoint bytes", null, ComparedRun::newestCheckpointBytes));
    rows.add(row("model bytes", null, ComparedRun::modelBytes));
    // A row no run has a value for says nothing.
    rows.removeIf(row -> row.values().stream().allMatch(Objects::isNull));
    return rows;
  }

  public String page() {
    List<ComparePage.Run> pageRuns = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ComparedRun r = runs.get(i);
      pageRuns.add(new ComparePage.Run(labels.get(i), r.uri(), r.status(), r.history()));
    }
    return ComparePage.render(pageRuns, specDifferences(), results());
  }

  /** Both tables as aligned text, runs as columns. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      out.append(labels.get(i)).append(": ").append(runs.get(i).uri()).append('\n');
    }
    List<ComparePage.Row> diff = specDifferences();
    out.append('\n');
    if (diff.isEmpty()) {
      out.append("the specs are the same (but for output.dir)\n");
    } else {
      table(out, "spec key", diff);
    }
    out.append('\n');
    table(out, "result", results());
    return out.toString();
  }

  private void table(StringBuilder out, String head, List<ComparePage.Row> rows) {
    List<List<String>> cells = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of(head));
    header.addAll(labels);
    cells.add(header);
    for (ComparePage.Row row : rows) {
      List<String> line = new ArrayList<>(List.of(row.name()));
      row.values().forEach(v -> line.add(ComparePage.format(v)));
      cells.add(line);
    }
    int[] width = new int[header.size()];
    for (List<String> line : cells) {
      for (int c = 0; c < line.size(); c++) {
        width[c] = Math.max(width[c], line.get(c).length());
      }
    }
    for (List<String> line : cells) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < line.size(); c++) {
        String cell = line.get(c);
        // Names left-aligned, values right-aligned, as numbers read best.
        text.append(c == 0 ? cell + " ".repeat(width[c] - cell.length())
            : " ".repeat(width[c] - cell.length()) + cell).append("  ");
      }
      out.append(text.toString().stripTrailing()).append('\n');
    }
  }

  private ComparePage.Row row(String name, String better, Function<ComparedRun, Object> value) {
    List<Object> values = new ArrayList<>();
    runs.forEach(r -> values.add(value.apply(r)));
    return new ComparePage.Row(name, values, better);
  }

  private List<String> fieldNames(Function<ComparedRun, JsonNode> object) {
    Set<String> names = new LinkedHashSet<>();
    for (ComparedRun r : runs) {
      JsonNode node = object.apply(r);
      if (node != null && node.isObject()) {
        node.fieldNames().forEachRemaining(names::add);
      }
    }
    return new ArrayList<>(names);
  }

  private List<String> validationNames() {
    Set<String> names = new LinkedHashSet<>();
    runs.forEach(r -> r.history().stream().filter(m -> m.validation() != null)
        .forEach(m -> names.addAll(m.validation().keySet())));
    return new ArrayList<>(names);
  }

  private static String better(String metric) {
    return metric.equals("examples") ? null : JobSpec.lowerIsBetter(metric) ? "lower" : "higher";
  }

  private static Double best(List<RoundMetrics> history, String name) {
    boolean lower = JobSpec.lowerIsBetter(name);
    Double best = null;
    for (RoundMetrics m : history) {
      Double v = m.validation() == null ? null : m.validation().get(name);
      if (v != null && Double.isFinite(v) && (best == null || (lower ? v < best : v > best))) {
        best = v;
      }
    }
    return best;
  }

  private static Double last(List<RoundMetrics> history, String name) {
    for (int i = history.size() - 1; i >= 0; i--) {
      Map<String, Double> v = history.get(i).validation();
      if (v != null && v.containsKey(name)) {
        return v.get(name);
      }
    }
    return null;
  }

  private static Double examplesPerSec(ComparedRun r) {
    Double recorded = number(r.summary(), "throughput", "examplesPerSec");
    if (recorded != null || r.history().isEmpty()) {
      return recorded;
    }
    double wallMs = r.history().stream().mapToDouble(RoundMetrics::wallMs).sum();
    long examples = r.history().stream().mapToLong(RoundMetrics::examples).sum();
    return wallMs > 0 ? examples * 1000.0 / wallMs : null;
  }

  private static Double number(JsonNode root, String... path) {
    JsonNode node = root;
    for (String key : path) {
      node = node == null ? null : node.get(key);
    }
    return node != null && node.isNumber() ? node.doubleValue() : null;
  }

  /** Each run's folder name; where two share one, the parent folder too, then a number. */
  static List<String> labels(List<ComparedRun> runs) {
    List<String> labels = new ArrayList<>();
    for (ComparedRun r : runs) {
      Path p = new Path(r.uri());
      labels.add(p.getName());
    }
    if (new LinkedHashSet<>(labels).size() < labels.size()) {
      labels.clear();
      for (ComparedRun r : runs) {
        Path p = new Path(r.uri());
        labels.add(p.getParent() == null ? p.getName()
            : p.getParent().getName() + "/" + p.getName());
      }
    }
    if (new LinkedHashSet<>(labels).size() < labels.size()) {
      for (int i = 0; i < labels.size(); i++) {
        labels.set(i, (i + 1) + ":" + labels.get(i));
      }
    }
    return labels;
  }
}
