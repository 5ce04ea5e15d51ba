package org.sparktrain.driver.train.sync;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.SparkNativeKernels;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.sync.StretchResult.RoundFigures;
import org.sparktrain.worker.backend.NativeMemory;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.sync.CollectiveAverager;
import org.sparktrain.worker.sync.LinkSecurity;
import org.sparktrain.worker.sync.PeerMesh;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.PartitionTrainer;
import org.sparktrain.worker.train.TrainerSettings;
import org.sparktrain.worker.train.WorkerResult;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * One worker of a collective run, inside a Spark barrier task: it meets the other workers
 * through the driver's {@link Rendezvous} (host:port), then for every round trains H steps
 * from the current snapshot and averages with the others over direct connections
 * ({@link PeerMesh}, {@link CollectiveAverager}). Its network stays in its executor between rounds; only its
 * figures and, at the end, the snapshot pieces go back to the driver.
 */
final class CollectiveTask extends AbstractFunction1<Iterator<ExampleBlock>,
    Iterator<StretchResult>> implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CollectiveTask.class);

  private final TrainerSettings settings;
  private final Broadcast<ModelSnapshot> start;
  private final long first;
  private final long until;
  private final Averaging averaging;
  private final PeerOptions peers;
  private final DataPlaneCredentials credentials;
  private final int[] shardRows;
  private final String feedAddress;
  private final String rendezvousAddress;
  private final SliceWriter slices;

  /**
   * @param credentials how this attempt's data plane is secured
   * @param shardRows the examples in each shard, by partition
   * @param feedAddress the driver's {@link RoundFeed}, for rank 0's live figures
   * @param rendezvousAddress the driver's {@link Rendezvous}, where the workers meet
   * @param slices where to write this worker's slices of the checkpoint due at the end; null
   *     for none
   */
  CollectiveTask(TrainerSettings settings, Broadcast<ModelSnapshot> start, long first,
      long until, Averaging averaging, PeerOptions peers, DataPlaneCredentials credentials,
      int[] shardRows, String feedAddress, String rendezvousAddress, SliceWriter slices) {
    this.settings = settings;
    this.start = start;
    this.first = first;
    this.until = until;
    this.averaging = averaging;
    this.peers = peers;
    this.credentials = credentials;
    this.shardRows = shardRows;
    this.feedAddress = feedAddress;
    this.rendezvousAddress = rendezvousAddress;
    this.slices = slices;
  }

  @Override
  public Iterator<StretchResult> apply(Iterator<ExampleBlock> blocks) {
    // TaskContext, not BarrierTaskContext.get(): on Spark 3.5 the first touch of the latter's
    // companion object starts a non-daemon "Barrier task timer" thread that never ends, and in
    // local mode (a notebook, a Spark ML fit, a test) it would keep the user's JVM alive after
    // spark.stop(). This task needs only its partition and a completion listener, which every
    // TaskContext has; the rendezvous is ours (see Rendezvous), not Spark's allGather.
    SparkNativeKernels.chooseInTask();
    TaskContext context = TaskContext.get();
    int rank = context.partitionId();
    if (!blocks.hasNext()) {
      throw new IllegalStateException("shard " + rank + " is empty");
    }
    ExampleBlock shard = blocks.next();
    String host = SparkEnv.get().blockManager().blockManagerId().host();
    LinkSecurity security = credentials.linkSecurity();
    try (PeerMesh mesh = PeerMesh.listen(host, peers.timeoutMs(), peers.handOff(), security)) {
      // Closing the connections when Spark kills this task (a peer failed) ends the readers.
      context.addTaskCompletionListener((TaskCompletionListener) c -> mesh.close());
      // Not context.allGather: it waits for its answer in steps of a second (see Rendezvous).
      mesh.connect(rank, Rendezvous.join(rendezvousAddress, rank, shardRows.length,
          mesh.address(), security, peers.timeoutMs()));
      StretchResult result = train(shard, rank, mesh.size(), security,
          new CollectiveAverager(mesh, averaging.averageState(), averaging.precision(),
              expectations()));
      return JavaConverters.asScalaIteratorConverter(List.of(result).iterator()).asScala();
    } catch (IOException e) {
      throw new UncheckedIOException("worker " + rank + " of a collective run (rounds " + first
          + "-" + (until - 1) + "): " + e.getMessage(), e);
    }
  }

  /** What every worker's frames must declare: what its shard gives in the round. */
  private CollectiveAverager.PeerExpectations expectations() {
    EpochSchedule schedule = settings.schedule();
    return new CollectiveAverager.PeerExpectations() {
      @Override
      public long examples(int worker, long round) {
        return schedule.examplesInRound(schedule.plan(round), shardRows[worker]);
      }

      @Override
      public int steps(long round) {
        return schedule.plan(round).steps();
      }
    };
  }

  private StretchResult train(ExampleBlock shard, int rank, int workers, LinkSecurity security,
      CollectiveAverager averager) throws IOException {
    List<RoundFigures> rounds = new ArrayList<>();
    PartitionTrainer trainer = new PartitionTrainer(settings);
    ModelSnapshot snapshot = start.value();
    float[] state = new float[0];
    RoundFeed.Sender feed = rank == 0 ? RoundFeed.Sender.connect(feedAddress, security) : null;
    // What a round exports is dead once it is averaged, so the next round exports into the same
    // arrays: a model's worth less garbage per round. Not a state the worker keeps as its own.
    float[] paramsBuffer = null;
    float[] stateBuffer = null;
    try {
      for (long round = first; round < until; round++) {
        long roundStart = System.nanoTime();
        EpochSchedule.RoundPlan plan = settings.schedule().plan(round);
        ModelSnapshot from = snapshot;
        float[] paramsInto = paramsBuffer;
        float[] stateInto = stateBuffer;
        WorkerResult mine = NativeMemory.guard("training shard " + rank,
            () -> trainer.run(shard, from, plan, paramsInto, stateInto));
        paramsBuffer = mine.params();
        stateBuffer = averaging.averageState() ? mine.optimizerState() : null;
        long averageStart = System.nanoTime();
        CollectiveAverager.Averaged averaged = averager.average(round,
            averaging.contribution(mine, from));
        state = averaging.averageState() ? averaging.state(from, averaged.state())
            : averaged.state();
        OuterOptimizer.Step params = averaging.params(from, averaged.params());
        // One state either way: the average, or this worker's own (stateFor picks the only one).
        snapshot = new ModelSnapshot(params.params(),
            state.length == 0 ? new float[0][] : new float[][] {state},
            plan.iteration() + plan.steps(), plan.epoch(), params.momentum());
        long end = System.nanoTime();
        if (rank == 0) {
          RoundFigures figures = new RoundFigures(round, averaged.examples(),
              averaged.meanLoss(), averaged.maxComputeNanos(), end - roundStart,
              end - averageStart, averaged.roundBytes());
          rounds.add(figures);
          if (feed != null) {
            feed.send(figures);
          }
        }
      }
    } finally {
      if (feed != null) {
        feed.close();
      }
    }
    boolean sendsState = rank == 0 || !averaging.averageState();
    return new StretchResult(rank, rank == 0 ? snapshot.params() : new float[0],
        sendsState ? state : new float[0], rank == 0 ? snapshot.outerMomentum() : new float[0],
        rounds, writeSlices(rank, workers, snapshot.params(), state));
  }

  /**
   * This worker's slices of the checkpoint due at the stretch's end, if one is. A write that
   * fails is not the stretch's failure: the driver then writes the whole checkpoint itself.
   */
  private List<SliceWriter.WrittenFile> writeSlices(int rank, int workers, float[] params,
      float[] state) {
    if (slices == null) {
      return List.of();
    }
    try {
      return slices.write(rank, workers, params, state, averaging.averageState());
    } catch (IOException | RuntimeException e) {
      LOG.warn("worker {} could not write its checkpoint slices for round {} ({}); the driver "
          + "will write the checkpoint", rank, until - 1, e.toString());
      return List.of();
    }
  }
}
