package org.sparktrain.worker.sync;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

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
  /** The fixed part: the figures, the precision flag and both array lengths. */
  static final int HEADER_BYTES = Long.BYTES * 4 + Double.BYTES + Integer.BYTES * 3 + 1;
  static final int CHECKSUM_BYTES = Integer.BYTES;
  /** What a frame costs beyond its values. */
  static final int FIXED_BYTES = HEADER_BYTES + CHECKSUM_BYTES;

  /** A slice of averages: no totals. */
  public static SyncFrame averages(long round, float[] params, float[] state, boolean bfloat16) {
    return new SyncFrame(round, 0, 0, 0, 0, 0, params, state, bfloat16);
  }

  public long sizeBytes() {
    return FIXED_BYTES + (long) (params.length + state.length) * (bfloat16 ? 2 : Float.BYTES);
  }

  void writeTo(DataOutputStream out, ByteBuffer chunk) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.putLong(round).putLong(examples).putDouble(lossSum).putInt(steps)
        .putLong(computeNanos).putLong(roundBytes).put((byte) (bfloat16 ? 1 : 0))
        .putInt(params.length).putInt(state.length);
    crc.update(header.array(), 0, HEADER_BYTES);
    out.write(header.array(), 0, HEADER_BYTES);
    writeFloats(out, params, chunk, bfloat16, crc);
    writeFloats(out, state, chunk, bfloat16, crc);
    out.writeInt((int) crc.getValue());
    out.flush();
  }

  /**
   * Reads one frame that must have {@code expected}'s shape: the lengths are checked before
   * anything is allocated, and a CRC32C over the whole frame catches a stream corrupted in
   * transit (encryption, where on, also catches a forged one).
   */
  static SyncFrame readFrom(DataInputStream in, ByteBuffer chunk, FrameShape expected)
      throws IOException {
    byte[] headerBytes = new byte[HEADER_BYTES];
    in.readFully(headerBytes);
    CRC32C crc = new CRC32C();
    crc.update(headerBytes, 0, HEADER_BYTES);
    ByteBuffer header = ByteBuffer.wrap(headerBytes);
    long round = header.getLong();
    long examples = header.getLong();
    double lossSum = header.getDouble();
    int steps = header.getInt();
    long computeNanos = header.getLong();
    long roundBytes = header.getLong();
    byte precisionFlag = header.get();
    int paramsLength = header.getInt();
    int stateLength = header.getInt();
    if (precisionFlag != (expected.bfloat16() ? 1 : 0)) {
      throw new IOException("its precision flag is " + precisionFlag + ", expected "
          + (expected.bfloat16() ? "1 (bfloat16)" : "0 (float32)"));
    }
    if (paramsLength != expected.params() || stateLength != expected.state()) {
      throw new IOException("it carries " + paramsLength + " parameter and " + stateLength
          + " optimizer-state values, expected " + expected.params() + " and "
          + expected.state());
    }
    float[] params = readFloats(in, chunk, expected.bfloat16(), paramsLength, crc);
    float[] state = readFloats(in, chunk, expected.bfloat16(), stateLength, crc);
    int sent = in.readInt();
    if (sent != (int) crc.getValue()) {
      throw new IOException("its checksum does not match its content (corrupted in transit)");
    }
    return new SyncFrame(round, examples, lossSum, steps, computeNanos, roundBytes, params,
        state, precisionFlag == 1);
  }

  /** The array lengths and precision the receiver expects of a frame. */
  record FrameShape(int params, int state, boolean bfloat16) {}

  /** A reusable buffer for {@link #writeTo} and {@link #readFrom}, one per thread. */
  static ByteBuffer newChunk() {
    return ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void writeFloats(DataOutputStream out, float[] values, ByteBuffer chunk,
      boolean bfloat16, CRC32C crc) throws IOException {
    for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, values.length - from);
      chunk.clear();
      int bytes;
      if (bfloat16) {
        for (int i = 0; i < n; i++) {
          chunk.putShort((short) (Float.floatToRawIntBits(values[from + i]) >>> 16));
        }
        bytes = n * 2;
      } else {
        chunk.asFloatBuffer().put(values, from, n);
        bytes = n * Float.BYTES;
      }
      crc.update(chunk.array(), 0, bytes);
      out.write(chunk.array(), 0, bytes);
    }
  }

  private static float[] readFloats(DataInputStream in, ByteBuffer chunk, boolean bfloat16,
      int length, CRC32C crc) throws IOException {
    float[] values = new float[length];
    for (int from = 0; from < length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, length - from);
      chunk.clear();
      int bytes = n * (bfloat16 ? 2 : Float.BYTES);
      in.readFully(chunk.array(), 0, bytes);
      crc.update(chunk.array(), 0, bytes);
      if (bfloat16) {
        for (int i = 0; i < n; i++) {
          values[from + i] = Float.intBitsToFloat(chunk.getShort() << 16);
        }
      } else {
        chunk.asFloatBuffer().get(values, from, n);
      }
    }
    return values;
  }
}
