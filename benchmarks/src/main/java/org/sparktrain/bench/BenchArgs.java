package org.sparktrain.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sparktrain.worker.backend.NativeKernels;

/** A minimal {@code --key value} / {@code --key=value} parser for the benchmark programs. */
final class BenchArgs {
  private final Map<String, String> values = new LinkedHashMap<>();

  private BenchArgs() {}

  /**
   * @param allowed option names (without the leading dashes) that take a value
   * @param usage printed with any error
   */
  static BenchArgs parse(String[] args, Set<String> allowed, String usage) {
    // Every benchmark's main parses its arguments first, before anything loads ND4J: the place
    // to choose its kernels as sparktrain's own JVMs do (the best this CPU runs, or
    // -Dspark.sparktrain.native). Left to itself ND4J would load -avx512 whatever the CPU.
    NativeKernels.chooseBeforeNd4j(null);
    BenchArgs parsed = new BenchArgs();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.err.println(usage);
        System.exit(0);
      }
      if (!a.startsWith("--")) {
        fail("unexpected argument '" + a + "'", usage);
      }
      String key = a.substring(2);
      String value;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          fail("missing value for --" + key, usage);
        }
        value = args[++i];
      }
      if (!allowed.contains(key)) {
        fail("unknown option --" + key, usage);
      }
      parsed.values.put(key, value);
    }
    return parsed;
  }

  static void fail(String message, String usage) {
    System.err.println("error: " + message);
    System.err.println(usage);
    System.exit(2);
  }

  String string(String key, String defaultValue) {
    return values.getOrDefault(key, defaultValue);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  int integer(String key, int defaultValue, int min, String usage) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min) {
        fail("--" + key + " must be >= " + min + ", got " + n, usage);
      }
      return n;
    } catch (NumberFormatException e) {
      fail("--" + key + " must be an integer, got '" + v + "'", usage);
      return defaultValue;
    }
  }

  long longValue(String key, long defaultValue, String usage) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      fail("--" + key + " must be an integer, got '" + v + "'", usage);
      return defaultValue;
    }
  }
}
