package org.sparktrain.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** conf/java-serial-filter, the JVM-wide filter every launcher passes as jdk.serialFilter. */
final class SerialFilterPattern {
  static final Path FILE = Path.of("../conf/java-serial-filter").toAbsolutePath().normalize();

  private SerialFilterPattern() {}

  static String configured() throws IOException {
    return Files.readString(FILE).strip();
  }

  /** The pattern's resource limits (maxdepth=..., ...) by name. */
  static Map<String, Long> limits(String pattern) {
    Map<String, Long> limits = new LinkedHashMap<>();
    for (String part : pattern.split(";")) {
      int eq = part.indexOf('=');
      if (part.startsWith("max") && eq > 0) {
        limits.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
      }
    }
    return limits;
  }
}
