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
 */
public final class CollectiveAverager {
  private final PeerMesh mesh;
  private final boolean averageState;
  private final SyncPrecision precision;
  /** This worker's slice sums, reused round after round. */
  private final ParameterAccumulator sum = new ParameterAccumulator();

  /**
   * @param averageState average the optimizer state too (else each worker keeps its own)
   * @param precision how the averages are exchanged; with bfloat16 the caller passes each
   *     worker's rounded changes ({@link SyncPrecision#contribution}) and applies the average
   */
  public CollectiveAverager(PeerMesh mesh, boolean averageState, SyncPrecision precision) {
    this.mesh = mesh;
    this.averageState = averageState;
    this.precision = precision;
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
      SyncFrame f = expect(mesh.receive(worker, "reduce-scatter of round " + round), round,
          worker);
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
          : expect(mesh.receive(worker, "all-gather of round " + round), round, worker);
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
        bytes += SyncFrame.HEADER_BYTES + (long) bytesPerValue
            * (sliceLength(params, peer, n) + sliceLength(state, peer, n));
      }
    }
    return bytes + (long) (n - 1) * (SyncFrame.HEADER_BYTES + (long) bytesPerValue
        * (sliceLength(params, me, n) + sliceLength(state, me, n)));
  }

  private static int sliceLength(int length, int k, int n) {
    return start(length, k + 1, n) - start(length, k, n);
  }

  private static SyncFrame expect(SyncFrame f, long round, int worker) throws IOException {
    if (f.round() != round) {
      throw new IOException("synchronization out of step: worker " + worker + " sent round "
          + f.round() + " while round " + round + " was due");
    }
    return f;
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
