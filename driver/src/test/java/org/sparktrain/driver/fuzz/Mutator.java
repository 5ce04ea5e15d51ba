package org.sparktrain.driver.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random edits of a valid input, the kinds that find parser bugs: bit flips, bytes and
 * integers at their edges, structural characters, insertions, deletions, duplicated ranges and
 * truncation. One to four edits per input.
 */
final class Mutator {
  private static final byte[] INTERESTING_BYTES = {0, -1, 0x7f, (byte) 0x80, '-', '9', '[', ']',
      '{', '}', ':', ',', '"', '\\', '\n', ' ', 'e', '.', '&', '*'};
  private static final int[] INTERESTING_INTS = {-1, 0, 1, Integer.MAX_VALUE,
      Integer.MIN_VALUE, 65_536, 1 << 24, 1 << 30, 255, 256};

  private Mutator() {}

  static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      b = edit(b, random);
    }
    return b;
  }

  private static byte[] edit(byte[] b, Random random) {
    if (b.length == 0) {
      return new byte[] {INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]};
    }
    int at = random.nextInt(b.length);
    switch (random.nextInt(7)) {
      case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b[at] = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
      case 2 -> {
        if (b.length >= 4) {
          int pos = random.nextInt(b.length - 3);
          ByteBuffer.wrap(b).putInt(pos, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
        }
      }
      case 3 -> {
        byte[] insert = new byte[1 + random.nextInt(8)];
        for (int i = 0; i < insert.length; i++) {
          insert[i] = random.nextBoolean() ? (byte) random.nextInt(256)
              : INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
        }
        return splice(b, at, at, insert);
      }
      case 4 -> {
        int end = Math.min(b.length, at + 1 + random.nextInt(16));
        return splice(b, at, end, new byte[0]);
      }
      case 5 -> {
        int end = Math.min(b.length, at + 1 + random.nextInt(32));
        return splice(b, at, at, Arrays.copyOfRange(b, at, end));
      }
      default -> {
        return Arrays.copyOf(b, at);
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }
}
