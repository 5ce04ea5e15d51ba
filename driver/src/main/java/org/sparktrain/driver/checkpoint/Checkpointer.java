package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.LeaseLostException;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * A run's checkpoints as the training loop sees them: it hears of every boundary, asks the
 * {@link CheckpointSchedule} whether a checkpoint is due, and hands the state to the
 * {@link CheckpointWriter}, which writes it in the background with retries and then lets the
 * {@link CheckpointRetention} expire old ones. What goes into a checkpoint (model, spec,
 * normalizer, tokenizer, privacy accounting) is assembled here.
 */
public final class Checkpointer implements TrainingListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

  private final CheckpointStore store;
  private final CheckpointSchedule schedule;
  private final CheckpointWriter writer;
  private final String modelConfigJson;
  private final String specYaml;
  private final Normalizer normalizer;
  private final String tokenizerJson;
  private final String tableEncodingJson;
  /** Set when workers may write checkpoint slices (see {@link #withWorkerWrites}). */
  private Configuration workerConf;
  /** Checked before each write: throws when this run may no longer write (see withWriteGuard). */
  private WriteGuard guard = () -> { };
  /** A private run's accounting and secret, kept in every checkpoint; null otherwise. */
  private PrivateRun privateRun;
  private byte[] privacySecret;

  /**
   * @param tokenizerJson a text model's tokenizer, kept in every checkpoint; else null
   * @param tableEncodingJson a table's encoding, kept in every checkpoint; else null
   */
  public Checkpointer(CheckpointStore store, JobSpec.Checkpoint policy, String modelConfigJson,
      String specYaml, Normalizer normalizer, String tokenizerJson, String tableEncodingJson) {
    this.store = store;
    this.schedule = new CheckpointSchedule(policy);
    this.writer = new CheckpointWriter(store, policy, new CheckpointRetention(policy));
    this.modelConfigJson = modelConfigJson;
    this.specYaml = specYaml;
    this.normalizer = normalizer;
    this.tokenizerJson = tokenizerJson;
    this.tableEncodingJson = tableEncodingJson;
  }

  /**
   * Keeps a private run's secret and spent budget in every checkpoint, so a resumed run draws
   * the same samples and noise and continues the accounting.
   */
  public Checkpointer withPrivacy(PrivateRun run, byte[] secret) {
    this.privateRun = run;
    this.privacySecret = secret;
    return this;
  }

  /** Says whether this run may still write into its run directory. */
  public interface WriteGuard {
    /** @throws LeaseLostException when another run holds the directory now */
    void check() throws IOException;
  }

  /**
   * Checks {@code guard} before every checkpoint write and every clearing of a checkpoint
   * folder: a run whose lease was taken over writes no further checkpoint and stops, instead of
   * writing over the checkpoints of the run that holds the directory now.
   */
  public Checkpointer withWriteGuard(WriteGuard guard) {
    this.guard = guard;
    writer.guardWith(guard);
    return this;
  }

  /**
   * Lets the workers of collective stretches write the parameter and optimizer-state files of
   * checkpoints due at a stretch's end, with this Hadoop configuration. Only for a store every
   * executor reaches as the driver does: not a driver-local {@code file://} folder on a cluster.
   */
  public Checkpointer withWorkerWrites(Configuration conf) {
    this.workerConf = conf;
    return this;
  }

  /**
   * Where the workers write their slices of the checkpoint that will be due after round
   * {@code boundary - 1} by round count or epoch end; null when none is due then (a time-based
   * checkpoint is only known at the boundary, and the driver writes it) or workers may not
   * write here.
   */
  public SliceWriter checkpointSlices(long boundary, EpochSchedule epochs) {
    if (workerConf == null || !schedule.workersMayWrite(boundary, epochs)) {
      return null;
    }
    try {
      guard.check();
      store.delete(boundary - 1); // leftovers of an attempt that never committed
    } catch (IOException e) {
      LOG.warn("could not clear {} for the workers' checkpoint slices ({}); the driver will "
          + "write it", store.roundUri(boundary - 1), e.getMessage());
      return null;
    }
    return new CheckpointSlices(store.roundUri(boundary - 1), workerConf);
  }

  @Override
  public void onRound(RoundMetrics metrics, EpochSchedule epochs) {
    writer.failIfStopped();
  }

  @Override
  public void onBoundary(Progress after, EpochSchedule epochs) {
    writer.failIfStopped();
    if (schedule.dueAfter(after.nextRound(), epochs)) {
      submit(after);
    }
  }

  /** Checkpoints the final state (if not already) and waits for every write to finish. */
  public void finish(Progress last) {
    if (schedule.finalDue(last.nextRound())) {
      submit(last);
    }
    writer.awaitIdle();
    writer.failIfStopped();
  }

  /**
   * The newest committed checkpoint, read back once the writes in flight have ended: where a
   * diverged run goes back to. Null when the store holds none.
   */
  @Override
  public Progress lastCheckpoint() {
    writer.awaitIdle();
    try {
      return store.latestValid(LOG::warn).map(CheckpointContent::toProgress).orElse(null);
    } catch (IOException e) {
      throw new CheckpointException("cannot read the last checkpoint back to roll back to it "
          + "from " + store.uri() + ": " + e.getMessage(), e);
    }
  }

  private CheckpointPrivacy privacy(Progress progress) {
    if (privateRun == null) {
      return null;
    }
    long steps = progress.snapshot().iteration();
    return new CheckpointPrivacy(privacySecret, steps, privateRun.epsilonAfter(steps).epsilon());
  }

  private void submit(Progress progress) {
    CheckpointContent content = new CheckpointContent(progress.nextRound() - 1,
        progress.snapshot(), modelConfigJson, normalizer, specYaml,
        List.copyOf(progress.history()), progress.examples(), progress.trainSeconds(),
        System.currentTimeMillis(), progress.best(), progress.checkpointFiles(), tokenizerJson,
        tableEncodingJson, progress.rollbacks(), privacy(progress));
    schedule.submitted(content.round());
    writer.submit(content);
  }

  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dir", store.uri());
    writer.summarize(m);
    return m;
  }

  /** Ends the writer (see {@link CheckpointWriter#close}). */
  @Override
  public void close() {
    writer.close();
  }
}
