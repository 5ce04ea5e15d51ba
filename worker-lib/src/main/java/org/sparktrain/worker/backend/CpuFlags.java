package org.sparktrain.worker.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/** The instruction-set flags of this machine's CPU, as Linux reports them in /proc/cpuinfo. */
public final class CpuFlags {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  private CpuFlags() {}

  /** This CPU's flags; empty where /proc/cpuinfo cannot be read (not Linux). */
  public static Set<String> read() {
    try {
      return parse(Files.readString(CPUINFO));
    } catch (IOException | RuntimeException e) {
      return Set.of();
    }
  }

  /** The flags of the first processor listed (Linux lists the same flags for every core). */
  static Set<String> parse(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        return Set.copyOf(Arrays.asList(line.substring(line.indexOf(':') + 1).trim()
            .split("\\s+")));
      }
    }
    return Set.of();
  }
}
