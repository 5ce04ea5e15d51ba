package org.sparktrain.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sync frames as a peer (or a stranger past the handshake) could send them: a valid frame with
 * bits flipped, its lengths forged to edge values, bytes inserted or cut. Each must be read back
 * as the frame sent (an edit the checksum cannot see does not exist here: CRC32C catches every
 * burst under 32 bits) or refused with an IOException, allocating no more than the expected
 * shape; never another exception. Seeded, so a failure reproduces; the counts are in the README.
 */
class SyncFrameFuzzTest {
  private static final int CASES = Integer.getInteger("fuzz.cases", 300) * 4;
  private static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  private static final int[] EDGE_INTS = {-1, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE,
      1 << 30, 1000, 1001, 2000};

  private static byte[] frame(boolean bfloat16) throws IOException {
    float[] params = new float[1000];
    float[] state = new float[2000];
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) Math.sin(i);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new SyncFrame(7, 32, 1.5, 4, 1000, 12_345, params, state, bfloat16)
        .writeTo(new DataOutputStream(bytes), SyncFrame.newChunk());
    return bytes.toByteArray();
  }

  private static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    switch (random.nextInt(5)) {
      case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> {
        // Forge a figure or a length of the header (the lengths sit at its end).
        int at = random.nextBoolean() ? SyncFrame.HEADER_BYTES - 8 + 4 * random.nextInt(2)
            : random.nextInt(SyncFrame.HEADER_BYTES - 3);
        ByteBuffer.wrap(b).putInt(at, EDGE_INTS[random.nextInt(EDGE_INTS.length)]);
      }
      case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length));
      case 3 -> {
        int at = random.nextInt(b.length);
        byte[] longer = new byte[b.length + 1 + random.nextInt(64)];
        System.arraycopy(b, 0, longer, 0, at);
        System.arraycopy(b, at, longer, longer.length - (b.length - at), b.length - at);
        b = longer;
      }
      default -> b[SyncFrame.HEADER_BYTES - 9] = (byte) random.nextInt(256); // precision flag
    }
    return b;
  }

  @Test
  void aFrameFromAnyoneIsReadAsSentOrRefusedWithAnIoException() throws IOException {
    Random random = new Random(SEED);
    int read = 0;
    int refused = 0;
    List<String> failures = new ArrayList<>();
    for (boolean bfloat16 : new boolean[] {false, true}) {
      byte[] seed = frame(bfloat16);
      SyncFrame.FrameShape shape = new SyncFrame.FrameShape(1000, 2000, bfloat16);
      for (int i = 0; i < CASES; i++) {
        byte[] input = mutate(seed, random);
        try {
          SyncFrame f = SyncFrame.readFrom(new DataInputStream(new ByteArrayInputStream(input)),
              SyncFrame.newChunk(), shape);
          assertThat(f.params()).hasSize(1000);
          read++;
        } catch (IOException e) {
          refused++;
        } catch (RuntimeException | Error e) {
          failures.add("case " + i + " (bfloat16 " + bfloat16 + "): " + e);
        }
      }
    }
    System.out.printf("sync-frame fuzz (seed %d): %d inputs, %d read, %d refused%n", SEED,
        read + refused + failures.size(), read, refused);
    assertThat(failures).isEmpty();
    assertThat(refused).isPositive();
  }
}
