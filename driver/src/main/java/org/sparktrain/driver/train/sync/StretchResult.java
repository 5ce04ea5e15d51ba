package org.sparktrain.driver.train.sync;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.sparktrain.driver.train.state.SliceWriter;

/**
 * What one worker of a collective run returns to the driver: the snapshot pieces the driver
 * needs at the boundary and, from rank 0, the figures of every round (every worker knows the
 * round's totals from the reduce-scatter; rank 0's timings stand for the round's).
 *
 * @param params the averaged parameters after the last round (rank 0 only; empty otherwise)
 * @param state rank 0: the averaged optimizer state; without state averaging every worker's
 *     own state; empty for a stateless optimizer
 * @param outerMomentum rank 0: the outer optimizer's momentum; empty otherwise or without one
 * @param rounds rank 0: one entry per round of the run; empty otherwise
 * @param checkpointFiles this worker's checkpoint slices, when asked for and written; else empty
 */
public record StretchResult(int partition, float[] params, float[] state, float[] outerMomentum,
    List<RoundFigures> rounds, List<SliceWriter.WrittenFile> checkpointFiles) {

  /** One round as rank 0 saw it; also what the live feed sends the driver. */
  public record RoundFigures(long round, long examples, double meanLoss, long maxComputeNanos,
      long wallNanos, long averageNanos, long bytes) {

    /** The one binary form, for the live feed and for Kryo. */
    public void writeTo(DataOutput out) throws IOException {
      out.writeLong(round);
      out.writeLong(examples);
      out.writeDouble(meanLoss);
      out.writeLong(maxComputeNanos);
      out.writeLong(wallNanos);
      out.writeLong(averageNanos);
      out.writeLong(bytes);
    }

    public static RoundFigures readFrom(DataInput in) throws IOException {
      return new RoundFigures(in.readLong(), in.readLong(), in.readDouble(), in.readLong(),
          in.readLong(), in.readLong(), in.readLong());
    }
  }
}
