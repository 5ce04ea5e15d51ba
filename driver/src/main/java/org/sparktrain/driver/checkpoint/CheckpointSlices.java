package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.data.HadoopConfHolder;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.worker.sync.CollectiveAverager;

/**
 * Writes a worker's slices of a checkpoint from inside a collective stretch, in the store's
 * format: worker k of n writes slice k of the parameters ({@code params.part-K.bin}) and of the
 * shared optimizer state ({@code optimizer-state.part-K.bin}), or its own whole state
 * ({@code optimizer-state.worker-K.bin}). Slice k is [k * length / n, (k + 1) * length / n), as
 * in the averaging. The driver lists what the workers return in the manifest, which it writes
 * last, so a checkpoint whose slices are incomplete is never trusted.
 */
final class CheckpointSlices implements SliceWriter {
  private static final long serialVersionUID = 1L;

  private final String roundDirUri;
  /** The file-system settings (and credentials) travel with the task. */
  private final HadoopConfHolder conf;

  CheckpointSlices(String roundDirUri, Configuration conf) {
    this.roundDirUri = roundDirUri;
    this.conf = new HadoopConfHolder(conf);
  }

  @Override
  public List<WrittenFile> write(int rank, int workers, float[] params, float[] state,
      boolean sharedState) throws IOException {
    Path dir = new Path(roundDirUri);
    FileSystem fs = CheckpointFiles.fileSystem(dir, conf.get());
    List<WrittenFile> files = new ArrayList<>();
    files.add(write(fs, dir, CheckpointFiles.paramsPart(rank),
        CollectiveAverager.slice(params, rank, workers)));
    if (state.length > 0) {
      files.add(sharedState
          ? write(fs, dir, CheckpointFiles.statePart(rank),
              CollectiveAverager.slice(state, rank, workers))
          : write(fs, dir, CheckpointFiles.workerState(rank), state));
    }
    return files;
  }

  private static WrittenFile write(FileSystem fs, Path dir, String name, float[] values)
      throws IOException {
    return CheckpointFiles.write(fs, dir, name, out -> CheckpointFiles.writeFloats(out, values));
  }
}
