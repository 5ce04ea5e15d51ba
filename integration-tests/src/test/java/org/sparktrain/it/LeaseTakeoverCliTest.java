package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose lease another run took over (as one does after the lease went a minute without
 * a heartbeat) stops writing into the directory and exits with a clear error, leaving the new
 * holder's lease alone.
 */
class LeaseTakeoverCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final long STOP_WITHIN_S = 60;
  @TempDir
  Path dir;

  @Test
  void aRunWhoseLeaseWasTakenOver_stopsWritingAndSaysSo() throws Exception {
    Path run = dir.resolve("run");
    // Long enough that it would still be training minutes later; a checkpoint every 2 rounds.
    Path spec = Files.writeString(dir.resolve("spec.yaml"), ItSpecs.yaml(
        ItSpecs.blobs(dir, 2000).toString(), run.toString(), 500, "{everyRounds: 2}"));
    CompletableFuture<ChildJvm.Result> training = CompletableFuture.supplyAsync(() -> {
      try {
        return ChildJvm.run(dir, MAIN, "train", spec.toString(), "--master", "local[2]");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (committed(run).size() < 2) {
      assertThat(training).as("the run ended before its second checkpoint").isNotDone();
      assertThat(System.nanoTime()).as("no checkpoint within 180 s").isLessThan(deadline);
      Thread.sleep(200);
    }
    // What another run writes when it takes a stale lease over: the next numbered lease.
    String thief = "{\"runId\": \"thief\", \"host\": \"elsewhere\", \"pid\": 1, "
        + "\"heartbeatMillis\": " + System.currentTimeMillis() + "}";
    long newestBefore = committed(run).stream().mapToLong(Long::longValue).max().orElse(-1);
    Files.writeString(run.resolve("_LEASE.1.json"), thief);
    long takenNanos = System.nanoTime();

    ChildJvm.Result r = training.get(STOP_WITHIN_S, TimeUnit.SECONDS);
    System.out.printf("the run stopped %.1f s after its lease was taken over%n",
        (System.nanoTime() - takenNanos) / 1e9);
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr()).contains("was taken over by another run (run thief on elsewhere")
        .contains("stopped writing into it");
    // At most the checkpoint already being written when the lease went: none after it.
    assertThat(committed(run).stream().filter(round -> round > newestBefore)).hasSizeLessThan(2);
    assertThat(run.resolve("summary.json")).doesNotExist();
    assertThat(run.resolve("model")).doesNotExist();
    assertThat(run.resolve("_LEASE.1.json")).hasContent(thief);
  }

  /** The rounds of the checkpoints committed so far (their manifest written). */
  private static List<Long> committed(Path run) throws Exception {
    Path checkpoints = run.resolve("checkpoints");
    if (!Files.isDirectory(checkpoints)) {
      return List.of();
    }
    try (Stream<Path> rounds = Files.list(checkpoints)) {
      return rounds.filter(c -> Files.exists(c.resolve("_MANIFEST.json")))
          .map(c -> Long.parseLong(c.getFileName().toString().replace("round-", ""))).toList();
    }
  }
}
