package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * conf/java-serial-filter, the filter every launcher gives train, evaluate and crossval, refuses
 * streams that are too deep, claim too large an array, hold too many objects or are too long,
 * before anything is allocated for them (the limits' margins over Spark's own traffic are
 * measured in SerialFilterLimitsTest).
 */
class JavaSerialFilterTest {
  private static ObjectInputFilter filter;
  private static Map<String, Long> limits;

  @BeforeAll
  static void readFilter() throws IOException {
    String pattern = SerialFilterPattern.configured();
    filter = ObjectInputFilter.Config.createFilter(pattern);
    limits = SerialFilterPattern.limits(pattern);
    assertThat(limits).as("the filter's limits").containsOnlyKeys("maxdepth", "maxrefs",
        "maxbytes", "maxarray");
  }

  private static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] stream) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
      in.setObjectInputFilter(filter);
      return in.readObject();
    }
  }

  /** Arrays nested {@code depth} deep. */
  private static Object nested(long depth) {
    Object inner = new Object[0];
    for (long i = 1; i < depth; i++) {
      inner = new Object[] {inner};
    }
    return inner;
  }

  @Test
  void aStreamNestedDeeperThanTheLimitIsRefused() throws Exception {
    long max = limits.get("maxdepth");
    assertThat(deserialize(serialize(nested(max)))).isInstanceOf(Object[].class);
    assertThatThrownBy(() -> deserialize(serialize(nested(max + 1))))
        .isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
  }

  @Test
  void anArrayClaimingMoreThanTheLimitIsRefusedBeforeItIsAllocated() throws Exception {
    // A 4-byte array whose length field claims maxarray + 1 elements (the forged-size attack:
    // a few dozen bytes that would make the reader allocate the claimed array).
    byte[] stream = serialize(new byte[4]);
    ByteBuffer.wrap(stream).putInt(stream.length - 8, (int) (limits.get("maxarray") + 1));
    long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThatThrownBy(() -> deserialize(stream)).isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("REJECTED");
    assertThat(stream).hasSizeLessThan(64);
    long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(after - before).as("bytes allocated").isLessThan(limits.get("maxarray"));
  }

  @Test
  void aStreamWithMoreObjectsThanTheLimitIsRefused() throws Exception {
    long max = limits.get("maxrefs");
    // The array and its class descriptor take handles too, so this many elements passes...
    Object[] within = new Object[(int) max - 8];
    for (int i = 0; i < within.length; i++) {
      within[i] = Long.valueOf(1000L + i);
    }
    assertThat(deserialize(serialize(within))).isInstanceOf(Object[].class);
    // ...and one object more than the limit does not.
    Object[] over = new Object[(int) max + 1];
    for (int i = 0; i < over.length; i++) {
      over[i] = Long.valueOf(1000L + i);
    }
    assertThatThrownBy(() -> deserialize(serialize(over)))
        .isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
  }

  @Test
  void aStreamLongerThanTheLimitIsRefused() throws Exception {
    // Bytes are counted at each object the stream declares: a long block of raw data (as a task
    // result's value bytes are) followed by one more object.
    long max = limits.get("maxbytes");
    assertThat(filter.checkInput(info(max))).isNotEqualTo(ObjectInputFilter.Status.REJECTED);
    assertThat(filter.checkInput(info(max + 1))).isEqualTo(ObjectInputFilter.Status.REJECTED);
  }

  /** What the stream reports to the filter at an object after {@code streamBytes} bytes. */
  private static ObjectInputFilter.FilterInfo info(long streamBytes) {
    return new ObjectInputFilter.FilterInfo() {
      @Override
      public Class<?> serialClass() {
        return String.class;
      }

      @Override
      public long arrayLength() {
        return -1;
      }

      @Override
      public long depth() {
        return 1;
      }

      @Override
      public long references() {
        return 1;
      }

      @Override
      public long streamBytes() {
        return streamBytes;
      }
    };
  }
}
