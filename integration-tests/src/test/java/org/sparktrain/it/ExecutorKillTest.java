package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * An executor JVM killed with SIGKILL in the middle of a run, with either synchronization: the
 * lost work is redone (driver: Spark reruns the lost tasks; collective: the barrier job fails
 * and its stretch of rounds reruns from the stretch's starting snapshot), lost cached shards are
 * recomputed from their lineage, and the run ends with exactly the parameters of a fault-free
 * run. Only an executor of the test's own application is killed, while it runs a task; Spark's
 * own task events must then show that task lost and its partition run again.
 */
class ExecutorKillTest {
  /** The first round a job trains, from its description ("round 40 (...)", "rounds 38-75"). */
  private static final Pattern FIRST_ROUND =
      Pattern.compile("^rounds? (\\d+)");
  private static final long KILL_ROUND = 38;

  @TempDir
  Path dir;

  /**
   * The JVM of executor {@code executorId} of application {@code appId}, read from /proc (Java
   * truncates long command lines). Both ids are matched, so a test never kills an executor of
   * another application running on this machine.
   */
  private static Optional<ProcessHandle> executorProcess(String appId, String executorId) {
    String app = "--app-id\0" + appId + "\0";
    String executor = "--executor-id\0" + executorId + "\0";
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"),
            StandardCharsets.ISO_8859_1);
        return cmdline.contains("CoarseGrainedExecutorBackend") && cmdline.contains(app)
            && cmdline.contains(executor);
      } catch (IOException e) {
        return false;
      }
    }).findFirst();
  }

  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void runEndsIdenticalToAFaultFreeRun(String sync) throws Exception {
    String data = ItSpecs.blobs(dir, 3000).toUri().toString();
    JobSpec faulty = ItSpecs.spec(data, dir.resolve("faulty").toUri().toString(), 3,
        "{everyEpoch: true}", sync);
    // The reference trains on local[2] with the driver strategy: equal to either.
    JobSpec clean = ItSpecs.spec(data, dir.resolve("clean").toUri().toString(), 3,
        "{everyEpoch: true}", "driver");

    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    SparkConf conf = SparkSetup.strictKryo(SparkSetup.conf("local-cluster[2,1,1024]",
        "sparktrain-executor-kill"))
        .set("spark.executor.extraClassPath", ChildJvm.testClasspath())
        .set("spark.executor.memory", "1024m");
    float[] faultyParams;
    int rounds;
    TaskLossWatcher watcher = new TaskLossWatcher();
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.sc().addSparkListener(watcher);
      watcher.killer = new ExecutorKiller(sc.sc().applicationId(), watcher);
      TrainJob.Result r = TrainJob.run(sc, faulty, false);
      assertThat(r.summary().get("sync")).isEqualTo(sync);
      faultyParams = r.model().network().params().toFloatVector();
      rounds = r.model().history().size();
    }
    assertThat(watcher.killer.failure).as("the kill itself").isNull();
    assertThat(watcher.killer.killedPid).as("an executor of this run was killed mid-run")
        .isPositive();
    assertThat(rounds).isGreaterThan((int) KILL_ROUND);
    // Seen by Spark itself: a task was lost with its executor, and its partition ran again.
    assertThat(watcher.lostPartitions).as("tasks lost with the killed executor").isNotEmpty();
    assertThat(watcher.rerunPartitions).as("lost partitions that later ran to success")
        .containsAll(watcher.lostPartitions);
    try (JavaSparkContext sc = ItSpecs.local(new SparkConf(false))) {
      float[] cleanParams = TrainJob.run(sc, clean, false).model().network().params()
          .toFloatVector();
      assertThat(faultyParams).containsExactly(cleanParams);
    }
  }

  /**
   * Watches tasks through Spark's own events: which run on which executor, which were lost with
   * an executor and which of those partitions later ran to success. Starts the killer when the
   * job training round {@link #KILL_ROUND} or later starts.
   */
  private static final class TaskLossWatcher extends SparkListener {
    final Map<String, Set<Long>> running = new ConcurrentHashMap<>();
    final Set<Integer> lostPartitions = ConcurrentHashMap.newKeySet();
    final Set<Integer> rerunPartitions = ConcurrentHashMap.newKeySet();
    volatile ExecutorKiller killer;

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      String description = job.properties().getProperty("spark.job.description", "");
      Matcher m = FIRST_ROUND.matcher(description);
      if (m.find() && Long.parseLong(m.group(1)) >= KILL_ROUND) {
        killer.startOnce();
      }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      running.computeIfAbsent(start.taskInfo().executorId(), e -> ConcurrentHashMap.newKeySet())
          .add(start.taskInfo().taskId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      TaskInfo task = end.taskInfo();
      running.getOrDefault(task.executorId(), Set.of()).remove(task.taskId());
      if (end.reason() instanceof ExecutorLostFailure) {
        lostPartitions.add(task.partitionId());
      } else if (end.reason() instanceof Success$ && lostPartitions.contains(task.partitionId())) {
        rerunPartitions.add(task.partitionId());
      }
    }

    boolean isRunningTasks(String executorId) {
      return !running.getOrDefault(executorId, Set.of()).isEmpty();
    }
  }

  /**
   * Kills an executor of this application while it is running a task, so the kill is sure to
   * lose work. Tasks of the driver strategy last milliseconds, too short to hit with a timed
   * kill: the executor is first frozen (SIGSTOP), which keeps the task it runs, or the next one
   * the scheduler gives it, from finishing; once Spark has reported a task on it for a while, it
   * is killed (SIGKILL).
   */
  private static final class ExecutorKiller {
    private static final long SETTLE_MS = 300;
    private static final long GIVE_UP_MS = 20_000;
    private final String appId;
    private final TaskLossWatcher watcher;
    private final AtomicBoolean started = new AtomicBoolean();
    volatile long killedPid = -1;
    volatile Throwable failure;

    ExecutorKiller(String appId, TaskLossWatcher watcher) {
      this.appId = appId;
      this.watcher = watcher;
    }

    void startOnce() {
      if (started.compareAndSet(false, true)) {
        Thread t = new Thread(this::killAnExecutorRunningATask, "executor-killer");
        t.setDaemon(true);
        t.start();
      }
    }

    private void killAnExecutorRunningATask() {
      try {
        String victim = awaitExecutorWithTask();
        ProcessHandle process = executorProcess(appId, victim).orElseThrow(
            () -> new IllegalStateException("no process for executor " + victim + " of " + appId));
        signal(process, "STOP");
        long deadline = System.currentTimeMillis() + GIVE_UP_MS;
        long busySince = -1;
        while (System.currentTimeMillis() < deadline) {
          if (!watcher.isRunningTasks(victim)) {
            busySince = -1;
          } else if (busySince < 0) {
            busySince = System.currentTimeMillis();
          } else if (System.currentTimeMillis() - busySince >= SETTLE_MS) {
            killedPid = process.pid();
            process.destroyForcibly(); // SIGKILL, delivered to a stopped process too
            return;
          }
          Thread.sleep(10);
        }
        signal(process, "CONT");
        throw new IllegalStateException("executor " + victim + " got no task while frozen");
      } catch (Throwable e) {
        failure = e;
      }
    }

    private String awaitExecutorWithTask() throws InterruptedException {
      long deadline = System.currentTimeMillis() + GIVE_UP_MS;
      while (System.currentTimeMillis() < deadline) {
        for (String executor : watcher.running.keySet()) {
          if (!"driver".equals(executor) && watcher.isRunningTasks(executor)) {
            return executor;
          }
        }
        Thread.sleep(1);
      }
      throw new IllegalStateException("no executor ran a task for " + GIVE_UP_MS + " ms");
    }

    private static void signal(ProcessHandle process, String signal) throws Exception {
      int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .inheritIO().start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited " + rc);
      }
    }
  }
}
