package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs racing for one run directory: of every race exactly one takes the lease, whether the
 * directory is free or holds a stale lease; a run whose lease was taken over is told so and
 * leaves the new lease alone.
 */
class RunLeaseRaceTest {
  private static final int RACES = 200;
  private static final int RUNNERS = 4;
  private static ExecutorService pool;
  @TempDir
  java.nio.file.Path dir;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(RUNNERS);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  /** RUNNERS acquirers released at once on {@code run}: the leases they got. */
  private static List<RunLease> race(FileSystem fs, Path run) throws Exception {
    CyclicBarrier start = new CyclicBarrier(RUNNERS);
    List<Future<RunLease>> tries = new ArrayList<>();
    for (int i = 0; i < RUNNERS; i++) {
      tries.add(pool.submit(() -> {
        start.await();
        try {
          return RunLease.acquire(fs, run, w -> { });
        } catch (RunDirectoryException refused) {
          return null;
        }
      }));
    }
    List<RunLease> won = new ArrayList<>();
    for (Future<RunLease> t : tries) {
      RunLease lease = t.get();
      if (lease != null) {
        won.add(lease);
      }
    }
    return won;
  }

  @Test
  void ofRunsRacingForAFreeDirectory_exactlyOneWinsEveryTime() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (int i = 0; i < RACES; i++) {
      Path run = new Path(dir.resolve("free-" + i).toUri());
      List<RunLease> won = race(fs, run);
      assertThat(won).as("race %d", i).hasSize(1);
      won.get(0).close();
      assertThat(dir.resolve("free-" + i).resolve(RunLease.FILE)).doesNotExist();
    }
  }

  @Test
  void ofRunsRacingToTakeOverAStaleLease_exactlyOneWinsEveryTime() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (int i = 0; i < RACES; i++) {
      java.nio.file.Path folder = Files.createDirectories(dir.resolve("stale-" + i));
      Files.writeString(folder.resolve(RunLease.FILE), staleLease("crashed-" + i));
      List<RunLease> won = race(fs, new Path(folder.toUri()));
      assertThat(won).as("race %d", i).hasSize(1);
      // The stale lease is gone; the winner's is the only one left.
      try (var files = Files.list(folder)) {
        assertThat(files.map(f -> f.getFileName().toString()).filter(RunLease::isLeaseFile))
            .containsExactly("_LEASE.1.json");
      }
      won.get(0).close();
    }
  }

  private static String staleLease(String runId) {
    return "{\"runId\": \"" + runId + "\", \"host\": \"elsewhere\", \"pid\": 1, "
        + "\"heartbeatMillis\": " + (System.currentTimeMillis() - 10 * 60_000) + "}";
  }

  @Test
  void aRunWhoseLeaseWasTakenOver_isToldAndLeavesTheNewLeaseAlone() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    java.nio.file.Path folder = Files.createDirectories(dir.resolve("stolen"));
    Path run = new Path(folder.toUri());
    RunLease first = RunLease.acquire(fs, run, w -> { });
    first.verify();
    // The first run's driver stood still past the lease's life: its lease looks stale now.
    Files.writeString(folder.resolve(RunLease.FILE), staleLease(first.runId()));
    List<String> warnings = new ArrayList<>();
    try (RunLease second = RunLease.acquire(fs, run, warnings::add)) {
      assertThat(warnings).singleElement().asString()
          .contains("taking over the run directory").contains(first.runId());
      assertThatThrownBy(first::verify).isInstanceOf(LeaseLostException.class)
          .hasMessageContaining("was taken over by another run (run " + second.runId())
          .hasMessageContaining("this run (" + first.runId() + ") stopped writing");
      assertThatThrownBy(first::requireHeld).isInstanceOf(LeaseLostException.class);
      first.close();
      second.verify();
      assertThat(folder.resolve("_LEASE.1.json")).exists();
    }
    assertThat(folder.resolve("_LEASE.1.json")).doesNotExist();
  }

  @Test
  void aLeaseBeingWrittenRightNow_countsAsHeld() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    java.nio.file.Path folder = Files.createDirectories(dir.resolve("half"));
    Files.writeString(folder.resolve(RunLease.FILE), "");
    assertThatThrownBy(() -> RunLease.acquire(fs, new Path(folder.toUri()), w -> { }))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("is being written");
  }
}
