package org.sparktrain.worker.sync;

import java.io.IOException;
import java.util.Arrays;
import org.sparktrain.worker.train.ParameterAccumulator;
import org.sparktrain.worker.train.WorkerResult;

/**
 * The example-weighted average of all workers' parameters (and optimizer state), computed by
 * the workers themselves: a reduce-scatter, where worker k owns the k-th slice and sums every
 * worker's contribution to it, then an all-gather of the averaged slices. Each worker sends and
 * receives about twice the synchronized bytes per round, whatever the number of workers.
 *
 * <p>The owner sums with {@link ParameterAccumulator} in partition order, exactly as the driver
 * does with all results: each element's sum is the same double-precision sum over the same
 * workers in the same order, so the average is bitwise the driver's.
 *
 * <p>A wrong average is worse than a failed round, so nothing a peer declares is taken on
 * trust: every frame must carry the round that is due, exactly the slice lengths this worker
 * expects from that peer, the examples and steps that peer's shard gives in this round
 * ({@link PeerExpectations}) and the traffic its slice sizes imply; anything else fails the
 * round with a message naming the peer and what was wrong.
 */
public final class CollectiveAverager {
  private final PeerMesh mesh;
  private final boolean averageState;
  private final SyncPrecision precision;
  private final PeerExpectations expected;
  /** This worker's slice sums, reused round after round. */
  private final ParameterAccumulator sum = new ParameterAccumulator();

  /**
   * What each worker must declare for a round: the examples and steps its shard gives. Known to
   * every worker from the schedule and the shard sizes, so no peer's word is needed.
   */
  public interface PeerExpectations {
    long examples(int worker, long round);

    int steps(long round);
  }

  /**
   * @param averageState average the optimizer state too (else each worker keeps its own)
   * @param precision how the averages are exchanged; with bfloat16 the caller passes each
   *     worker's rounded changes ({@link SyncPrecision#contribution}) and applies the average
   * @param expected what every peer's frames must declare
   */
  public CollectiveAverager(PeerMesh mesh, boolean averageState, SyncPrecision precision,
      PeerExpectations expected) {
    this.mesh = mesh;
    this.averageState = averageState;
    this.precision = precision;
    this.expected = expected;
  }

  /**
   * What every worker holds after one round's synchronization.
   *
   * @param params the average of the contributions (with bfloat16, of the changes)
   * @param state the averaged optimizer state, or this worker's own when state is not averaged
   * @param roundBytes what all workers sent for it together
   */
  public record Averaged(float[] params, float[] state, long examples, double meanLoss,
      long maxComputeNanos, long roundBytes) {}

  public Averaged average(long round, WorkerResult mine) throws IOException {
    int n = mesh.size();
    int me = mesh.rank();
    float[] state = averageState ? mine.optimizerState() : new float[0];
    boolean half = precision == SyncPrecision.BFLOAT16;
    int paramsLength = mine.params().length;
    int stateLength = state.length;
    mesh.expectFrames((peer, index) -> index % 2 == 0
        ? new SyncFrame.FrameShape(sliceLength(paramsLength, me, n),
            sliceLength(stateLength, me, n), half)
        : new SyncFrame.FrameShape(sliceLength(paramsLength, peer, n),
            sliceLength(stateLength, peer, n), half));
    long myBytes = bytesSentPerRound(mine.params().length, state.length, me, n,
        precision.bytesPerValue());
    for (int peer = 0; peer < n; peer++) {
      if (peer != me) {
        mesh.send(peer, new SyncFrame(round, mine.examples(), mine.lossSum(), mine.steps(),
            mine.computeNanos(), myBytes, slice(mine.params(), peer, n), slice(state, peer, n),
            half));
      }
    }
    sum.clear();
    long roundBytes = 0;
    for (int worker = 0; worker < n; worker++) {
      if (worker == me) {
        // Its own slice is summed where it lies: no copy.
        sum.add(mine.params(), start(mine.params().length, me, n),
            start(mine.params().length, me + 1, n), state, start(state.length, me, n),
            start(state.length, me + 1, n), mine.examples(), mine.lossSum(), mine.steps(),
            mine.computeNanos());
        roundBytes += myBytes;
        continue;
      }
      SyncFrame f = checkContribution(mesh.receive(worker, "reduce-scatter of round " + round),
          round, worker, paramsLength, stateLength);
      sum.add(f.params(), 0, f.params().length, f.state(), 0, f.state().length, f.examples(),
          f.lossSum(), f.steps(), f.computeNanos());
      roundBytes += f.roundBytes();
    }
    float[] mineParams = precision.exchanged(sum.averageParams());
    float[] mineState = averageState ? precision.exchanged(sum.averageState()) : new float[0];
    for (int peer = 0; peer < n; peer++) {
      if (peer != me) {
        mesh.send(peer, SyncFrame.averages(round, mineParams, mineState, half));
      }
    }
    float[] params = new float[mine.params().length];
    float[] averagedState = new float[state.length];
    for (int worker = 0; worker < n; worker++) {
      SyncFrame f = worker == me ? SyncFrame.averages(round, mineParams, mineState, half)
          : checkAverages(mesh.receive(worker, "all-gather of round " + round), round, worker,
              paramsLength, stateLength);
      place(f.params(), params, worker, n);
      place(f.state(), averagedState, worker, n);
    }
    return new Averaged(params, averageState ? averagedState : mine.optimizerState(),
        sum.examples(), sum.meanLoss(), sum.maxComputeNanos(), roundBytes);
  }

  /**
   * What worker {@code me} sends in one round: a slice to each peer in the reduce-scatter, its
   * averaged slice to each peer in the all-gather. Known before sending, so it travels in the
   * first frames.
   */
  static long bytesSentPerRound(int params, int state, int me, int n, int bytesPerValue) {
    long bytes = 0;
    for (int peer = 0; peer < n; peer++) {
      if (peer != me) {
        bytes += SyncFrame.FIXED_BYTES + (long) bytesPerValue
            * (sliceLength(params, peer, n) + sliceLength(state, peer, n));
      }
    }
    return bytes + (long) (n - 1) * (SyncFrame.FIXED_BYTES + (long) bytesPerValue
        * (sliceLength(params, me, n) + sliceLength(state, me, n)));
  }

  private static int sliceLength(int length, int k, int n) {
    return start(length, k + 1, n) - start(length, k, n);
  }

  /** A reduce-scatter frame: this worker's slice of {@code worker}'s contribution. */
  private SyncFrame checkContribution(SyncFrame f, long round, int worker, int paramsLength,
      int stateLength) throws IOException {
    int me = mesh.rank();
    int n = mesh.size();
    checkRound(f, round, worker);
    checkLengths(f, round, worker, sliceLength(paramsLength, me, n),
        sliceLength(stateLength, me, n));
    long examples = expected.examples(worker, round);
    int steps = expected.steps(round);
    long bytes = bytesSentPerRound(paramsLength, stateLength, worker, n,
        precision.bytesPerValue());
    if (f.examples() != examples || f.steps() != steps) {
      throw refused(worker, round, "declares " + f.examples() + " examples in " + f.steps()
          + " steps, but its shard gives " + examples + " in " + steps);
    }
    if (f.roundBytes() != bytes || f.computeNanos() < 0) {
      throw refused(worker, round, "declares " + f.roundBytes() + " bytes sent and "
          + f.computeNanos() + " ns of compute; its slices make " + bytes + " bytes");
    }
    return f;
  }

  /** An all-gather frame: {@code worker}'s averaged slice, with no figures of its own. */
  private SyncFrame checkAverages(SyncFrame f, long round, int worker, int paramsLength,
      int stateLength) throws IOException {
    int n = mesh.size();
    checkRound(f, round, worker);
    checkLengths(f, round, worker, sliceLength(paramsLength, worker, n),
        sliceLength(stateLength, worker, n));
    if (f.examples() != 0 || f.steps() != 0 || f.lossSum() != 0 || f.roundBytes() != 0
        || f.computeNanos() != 0) {
      throw refused(worker, round, "sent figures with its averaged slice");
    }
    return f;
  }

  private static void checkRound(SyncFrame f, long round, int worker) throws IOException {
    if (f.round() != round) {
      throw new IOException("synchronization out of step: worker " + worker + " sent round "
          + f.round() + " while round " + round + " was due");
    }
  }

  private void checkLengths(SyncFrame f, long round, int worker, int params, int state)
      throws IOException {
    boolean half = precision == SyncPrecision.BFLOAT16;
    if (f.params().length != params || f.state().length != state || f.bfloat16() != half) {
      throw refused(worker, round, "sent " + f.params().length + " parameter and "
          + f.state().length + " state values" + (f.bfloat16() ? " in bfloat16" : "")
          + ", expected " + params + " and " + state + (half ? " in bfloat16" : ""));
    }
  }

  private IOException refused(int worker, long round, String what) {
    return new IOException("synchronization peer rank " + worker + " " + what + " (round "
        + round + "); the round is refused rather than averaged wrong");
  }

  /**
   * Slice k of n of {@code values}: [k * length / n, (k + 1) * length / n), the slice worker k
   * owns (and writes into a checkpoint).
   */
  public static float[] slice(float[] values, int k, int n) {
    return Arrays.copyOfRange(values, start(values.length, k, n), start(values.length, k + 1, n));
  }

  private static void place(float[] slice, float[] into, int k, int n) {
    int from = start(into.length, k, n);
    if (slice.length != start(into.length, k + 1, n) - from) {
      throw new IllegalStateException("slice " + k + " has " + slice.length + " values, expected "
          + (start(into.length, k + 1, n) - from));
    }
    System.arraycopy(slice, 0, into, from, slice.length);
  }

  private static int start(int length, int k, int n) {
    return (int) ((long) length * k / n);
  }
}
