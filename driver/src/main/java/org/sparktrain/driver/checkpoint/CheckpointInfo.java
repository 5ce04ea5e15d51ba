package org.sparktrain.driver.checkpoint;

import java.util.Map;

/**
 * One checkpoint folder as found on storage.
 *
 * @param problem why it is not valid (naming the file), or null when valid
 * @param metrics the manifest's validation metrics, when it has any
 */
public record CheckpointInfo(long round, String path, String problem, long createdAtMillis,
    long bytes, Map<String, Double> metrics) {

  public boolean valid() {
    return problem == null;
  }
}
