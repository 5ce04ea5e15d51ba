package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.testing.FlakyFileSystem;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;

/** The checkpoint writer on its own, on a local store with a remote store's faults. */
class CheckpointerTest {
  /** 10 rounds per epoch. */
  private static final EpochSchedule SCHEDULE = new EpochSchedule(100, 10, 1, 1);
  @TempDir
  Path dir;

  @AfterEach
  void clearFaults() {
    FlakyFileSystem.reset();
  }

  private CheckpointStore store() throws IOException {
    return new CheckpointStore(FlakyFileSystem.uri(dir), FlakyFileSystem.conf());
  }

  private static Checkpointer checkpointer(CheckpointStore store, int keepLast) {
    return checkpointer(store, keepLast, 0);
  }

  private static Checkpointer checkpointer(CheckpointStore store, int keepLast, int retries) {
    JobSpec.Checkpoint everyRound = new JobSpec.Checkpoint(1, false, 0, keepLast, null, false,
        retries, 1);
    return new Checkpointer(store, everyRound, "{}", "model: {name: mlp}\n",
        Normalizer.identity(4), null, null);
  }

  /** The state after {@code done} rounds (checkpointed as round {@code done - 1}). */
  private static Progress after(long done) {
    float[] params = new float[1000];
    Arrays.fill(params, done);
    return new Progress(new ModelSnapshot(params, new float[][] {params.clone()},
        done, 0), done, List.of(), done * 10, 1.0);
  }

  @Test
  void whenARunFails_theCheckpointBeingWrittenCommitsBeforeCloseReturns() throws IOException {
    CheckpointStore store = store();
    // The parameters file takes 1.5 s to create, as on a slow store.
    FlakyFileSystem.SLOW_CREATES.add("round-000002/" + CheckpointFiles.PARAMS);
    Checkpointer checkpointer = checkpointer(store, 10);
    checkpointer.onBoundary(after(3), SCHEDULE);
    // Due while round 2 is written: waits as the pending one.
    checkpointer.onBoundary(after(4), SCHEDULE);
    // Training failed: no finish(), the run closes the checkpointer and the driver exits.
    checkpointer.close();

    // Round 2 was in flight and committed; round 3 had not started and was dropped.
    assertThat(store.list()).extracting(CheckpointInfo::round, CheckpointInfo::valid)
        .containsExactly(tuple(2L, true));
    assertThat(store.load(2).snapshot().params()[0]).isEqualTo(3f);
  }

  @Test
  void aManifestTheStoreCannotRead_skipsPruningInsteadOfDeletingItsCheckpoint()
      throws IOException {
    CheckpointStore store = store();
    Checkpointer checkpointer = checkpointer(store, 2);
    checkpointer.onBoundary(after(1), SCHEDULE);
    checkpointer.finish(after(1));
    // Round 0's manifest now fails to read, as an S3 503 would, while rounds 1 and 2 commit.
    FlakyFileSystem.FAILING_READS.add("round-000000/" + CheckpointFiles.MANIFEST);
    checkpointer.onBoundary(after(2), SCHEDULE);
    checkpointer.finish(after(2));
    checkpointer.onBoundary(after(3), SCHEDULE);
    checkpointer.finish(after(3));
    FlakyFileSystem.FAILING_READS.clear();

    // keepLast is 2, but round 0 could not be judged, so nothing was pruned.
    assertThat(store.list()).extracting(CheckpointInfo::round, CheckpointInfo::valid)
        .containsExactly(tuple(2L, true), tuple(1L, true), tuple(0L, true));

    // With the store answering again, pruning goes on.
    checkpointer.onBoundary(after(4), SCHEDULE);
    checkpointer.finish(after(4));
    checkpointer.close();
    assertThat(store.list()).extracting(CheckpointInfo::round).containsExactly(3L, 2L);
  }

  @Test
  void aWriteThatFailsIsRetriedAndCounted_untilTheRetriesRunOut() throws IOException {
    CheckpointStore store = store();
    // Round 0's parameters fail twice, then the store is back: 2 retries, one checkpoint.
    assertThat(checkpointRound0WithFailingCreates(store, 2)).containsEntry("written", 1)
        .containsEntry("retried", 2).containsEntry("failed", 0);
    assertThat(store.list()).extracting(CheckpointInfo::round).containsExactly(0L);

    // Five failures against 3 retries: 4 attempts, 3 of them retried, then reported failed.
    CheckpointStore other = new CheckpointStore(FlakyFileSystem.uri(dir.resolve("other")),
        FlakyFileSystem.conf());
    assertThat(checkpointRound0WithFailingCreates(other, 5)).containsEntry("written", 0)
        .containsEntry("retried", 3).containsEntry("failed", 1);
  }

  /**
   * Checkpoints round 0 with 3 retries while creating its parameter file fails
   * {@code failures} times; the checkpointer's summary afterwards.
   */
  private static Map<String, Object> checkpointRound0WithFailingCreates(
      CheckpointStore store, int failures) throws IOException {
    FlakyFileSystem.FAILING_CREATES.put("round-000000/" + CheckpointFiles.PARAMS,
        new AtomicInteger(failures));
    Checkpointer checkpointer = checkpointer(store, 10, 3);
    checkpointer.onBoundary(after(1), SCHEDULE);
    checkpointer.finish(after(1));
    checkpointer.close();
    return checkpointer.summary();
  }

  @Test
  void oneWriteInFlight_andANewerPendingOneSupersedesTheOlder() throws IOException {
    CheckpointStore store = store();
    FlakyFileSystem.SLOW_CREATES.add("round-000002/" + CheckpointFiles.PARAMS);
    Checkpointer checkpointer = checkpointer(store, 10);
    long start = System.nanoTime();
    checkpointer.onBoundary(after(3), SCHEDULE); // round 2: written, slowly
    checkpointer.onBoundary(after(4), SCHEDULE); // round 3: waits
    checkpointer.onBoundary(after(5), SCHEDULE); // round 4: replaces round 3
    // Training was not held up by the slow write.
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(1.0);
    checkpointer.finish(after(5));
    checkpointer.close();

    assertThat(store.list()).extracting(CheckpointInfo::round).containsExactly(4L, 2L);
    Map<String, Object> summary = checkpointer.summary();
    assertThat(summary).containsEntry("written", 2).containsEntry("superseded", 1)
        .containsEntry("lastRound", 4L).containsEntry("failed", 0);
  }
}
