package org.sparktrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Medians and ratios of {@link FamilyBenchmark} lines (one JSON object per line): per family,
 * single-JVM DL4J at each thread count, sparktrain, and sparktrain over the best single JVM.
 * Prints a Markdown table.
 */
public final class FamilySummary {
  private FamilySummary() {}

  public static void main(String[] argv) throws IOException {
    if (argv.length != 1) {
      BenchArgs.fail("one argument: the JSON-lines file run-families.sh wrote",
          "usage: FamilySummary results/families.jsonl");
    }
    // family -> configuration ("single, 1 thread" or "sparktrain") -> rates
    Map<String, Map<String, List<Double>>> rates = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(argv[0]))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode j = BenchJson.MAPPER.readTree(line);
      String family = j.get("family").asText();
      String config = j.get("system").asText().equals("single")
          ? "single JVM, " + j.get("threads").asInt() + " thread(s)" : "sparktrain, 2 workers";
      rates.computeIfAbsent(family, f -> new LinkedHashMap<>())
          .computeIfAbsent(config, c -> new ArrayList<>()).add(j.get("perSec").asDouble());
      units.put(family, j.get("unit").asText());
    }
    StringBuilder md = new StringBuilder("| family | system | runs | " + "median rate | ratio "
        + "to the best single JVM |\n|---|---|---:|---:|---:|\n");
    for (var family : rates.entrySet()) {
      double bestSingle = 0;
      for (var c : family.getValue().entrySet()) {
        if (c.getKey().startsWith("single")) {
          bestSingle = Math.max(bestSingle, median(c.getValue()));
        }
      }
      for (var c : family.getValue().entrySet()) {
        double m = median(c.getValue());
        String ratio = c.getKey().startsWith("sparktrain") && bestSingle > 0
            ? String.format(Locale.ROOT, "%.2fx", m / bestSingle) : "";
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f %s | %s |%n",
            family.getKey(), c.getKey(), c.getValue().size(), m, units.get(family.getKey()),
            ratio));
      }
    }
    System.out.print(md);
  }

  private static double median(List<Double> values) {
    return BenchJson.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
