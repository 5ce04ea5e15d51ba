package org.sparktrain.driver.train.state;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * Where the workers of a collective stretch write their own slices of the checkpoint due at its
 * end, straight to the checkpoint store, so that the checkpoint's bytes do not pass through the
 * driver; the driver then writes the small files and commits the manifest. Implemented by the
 * checkpoint package (which owns the format); travels to the executors inside the task.
 */
public interface SliceWriter extends Serializable {

  /**
   * Writes worker {@code rank}'s share of the snapshot after the stretch.
   *
   * @param params the full parameters (every worker holds them after the all-gather); the
   *     worker writes its slice
   * @param state the shared optimizer state (the worker writes its slice), or with per-worker
   *     state this worker's own (written whole); empty for a stateless optimizer
   * @param sharedState whether {@code state} is the one shared state
   * @return the files written, in the manifest's form
   */
  List<WrittenFile> write(int rank, int workers, float[] params, float[] state,
      boolean sharedState) throws IOException;

  /** One file a worker wrote: what the manifest needs to trust it (size, CRC32C in hex). */
  record WrittenFile(String name, long bytes, String crc32c) implements Serializable {}
}
