package org.sparktrain.worker.sync;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One message between two workers in a synchronization: a worker's round totals and a slice of
 * its parameters (and optimizer state). In the reduce-scatter the totals are the sender's own
 * (with {@code roundBytes}, what it sends in this whole round, so every worker learns the
 * round's traffic); in the all-gather they are zero and the slices are averages.
 *
 * <p>Floats travel in chunks of {@link #CHUNK_FLOATS}, so a 100 MB tensor never needs a 100 MB
 * byte buffer on either side. With {@code bfloat16} each value travels as its high 16 bits: the
 * values are bfloat16 already ({@link SyncPrecision}), so nothing is lost.
 */
public record SyncFrame(long round, long examples, double lossSum, int steps, long computeNanos,
    long roundBytes, float[] params, float[] state, boolean bfloat16) {
  static final int CHUNK_FLOATS = 64 * 1024;
  static final int HEADER_BYTES = Long.BYTES * 4 + Double.BYTES + Integer.BYTES * 3 + 1;

  /** A slice of averages: no totals. */
  public static SyncFrame averages(long round, float[] params, float[] state, boolean bfloat16) {
    return new SyncFrame(round, 0, 0, 0, 0, 0, params, state, bfloat16);
  }

  public long sizeBytes() {
    return HEADER_BYTES + (long) (params.length + state.length) * (bfloat16 ? 2 : Float.BYTES);
  }

  void writeTo(DataOutputStream out, ByteBuffer chunk) throws IOException {
    out.writeLong(round);
    out.writeLong(examples);
    out.writeDouble(lossSum);
    out.writeInt(steps);
    out.writeLong(computeNanos);
    out.writeLong(roundBytes);
    out.writeBoolean(bfloat16);
    writeFloats(out, params, chunk, bfloat16);
    writeFloats(out, state, chunk, bfloat16);
    out.flush();
  }

  static SyncFrame readFrom(DataInputStream in, ByteBuffer chunk) throws IOException {
    long round = in.readLong();
    long examples = in.readLong();
    double lossSum = in.readDouble();
    int steps = in.readInt();
    long computeNanos = in.readLong();
    long roundBytes = in.readLong();
    boolean bfloat16 = in.readBoolean();
    float[] params = readFloats(in, chunk, bfloat16);
    float[] state = readFloats(in, chunk, bfloat16);
    return new SyncFrame(round, examples, lossSum, steps, computeNanos, roundBytes, params,
        state, bfloat16);
  }

  /** A reusable buffer for {@link #writeTo} and {@link #readFrom}, one per thread. */
  static ByteBuffer newChunk() {
    return ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void writeFloats(DataOutputStream out, float[] values, ByteBuffer chunk,
      boolean bfloat16) throws IOException {
    out.writeInt(values.length);
    for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, values.length - from);
      chunk.clear();
      if (bfloat16) {
        for (int i = 0; i < n; i++) {
          chunk.putShort((short) (Float.floatToRawIntBits(values[from + i]) >>> 16));
        }
        out.write(chunk.array(), 0, n * 2);
      } else {
        chunk.asFloatBuffer().put(values, from, n);
        out.write(chunk.array(), 0, n * Float.BYTES);
      }
    }
  }

  private static float[] readFloats(DataInputStream in, ByteBuffer chunk, boolean bfloat16)
      throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("corrupt synchronization frame: negative length " + length);
    }
    float[] values = new float[length];
    for (int from = 0; from < length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, length - from);
      chunk.clear();
      if (bfloat16) {
        in.readFully(chunk.array(), 0, n * 2);
        for (int i = 0; i < n; i++) {
          values[from + i] = Float.intBitsToFloat(chunk.getShort() << 16);
        }
      } else {
        in.readFully(chunk.array(), 0, n * Float.BYTES);
        chunk.asFloatBuffer().get(values, from, n);
      }
    }
    return values;
  }
}
