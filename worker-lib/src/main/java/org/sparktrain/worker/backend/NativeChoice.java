package org.sparktrain.worker.backend;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which build of ND4J's CPU kernels a JVM chose, and why.
 *
 * @param build the build chosen
 * @param requested what {@code spark.sparktrain.native} said ("auto" when unset)
 * @param reason one line: the CPU flags and builds present behind an automatic choice, or the
 *     setting that forced it
 */
public record NativeChoice(NativeBuild build, String requested, String reason)
    implements Serializable {

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("build", build.key());
    m.put("requested", requested);
    m.put("reason", reason);
    return m;
  }

  @Override
  public String toString() {
    return build.key() + " (" + reason + ")";
  }
}
