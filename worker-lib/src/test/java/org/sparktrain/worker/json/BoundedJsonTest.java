package org.sparktrain.worker.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON from anyone, walked within bounds: refused at the byte that breaks one. */
class BoundedJsonTest {
  private static final BoundedJson.Limits LIMITS = new BoundedJson.Limits(8, 100, 20);

  /** An endless stream of one byte that counts what was read from it. */
  private static final class Endless extends InputStream {
    private final byte b;
    long read;

    Endless(char c) {
      this.b = (byte) c;
    }

    @Override
    public int read() {
      read++;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
      Arrays.fill(buf, off, off + len, b);
      read += len;
      return len;
    }
  }

  @Test
  void aDocumentWithinTheLimitsPassesAndItsStringFieldsAreVisited() throws IOException {
    List<String> seen = new ArrayList<>();
    BoundedJson.forEachStringField("{\"@class\": \"a.B\", \"x\": [1, {\"@class\": \"c.D\"}], "
        + "\"n\": 2.5}", LIMITS, (field, value) -> seen.add(field + "=" + value));
    assertThat(seen).containsExactly("@class=a.B", "@class=c.D");
  }

  @Test
  void nestingBeyondTheLimitIsRefusedWithItsPosition() {
    assertThatThrownBy(() -> BoundedJson.check("[".repeat(9) + "]".repeat(9), LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nests deeper than 8 levels (line 1, column 9)");
    BoundedJson.check("[".repeat(8) + "]".repeat(8), LIMITS);
  }

  @Test
  void aHundredThousandLevelsAreRefusedWithoutRecursion() {
    String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    assertThatThrownBy(() -> BoundedJson.check(deep, new BoundedJson.Limits(64, 100, 20)))
        .hasMessageContaining("nests deeper than 64 levels");
  }

  @Test
  void longStringsNumbersAndNamesAreRefused() {
    assertThatThrownBy(() -> BoundedJson.check("[\"" + "x".repeat(101) + "\"]", LIMITS))
        .hasMessageContaining("a string of 101 characters; at most 100");
    assertThatThrownBy(() -> BoundedJson.check("{\"" + "x".repeat(101) + "\": 1}", LIMITS))
        .hasMessageContaining("a name of 101 characters");
    assertThatThrownBy(() -> BoundedJson.check("[" + "9".repeat(21) + "]", LIMITS))
        .hasMessageContaining("a number of 21 characters; at most 20");
  }

  @Test
  void whatIsNotJsonIsRefusedWithWhere() {
    assertThatThrownBy(() -> BoundedJson.check("{\"a\": tru}", LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
    // A string's content is parsed only when it is read: the fuzzer found this one.
    assertThatThrownBy(() -> BoundedJson.forEachStringField("{\"a\": \"x\u0000y\"}", LIMITS,
        (field, value) -> { })).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void readStopsAtTheSizeCapWithoutReadingTheRest() {
    Endless spaces = new Endless(' ');
    assertThatThrownBy(() -> BoundedJson.read(spaces, 1 << 20, LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than 1048576 bytes");
    assertThat(spaces.read).isLessThanOrEqualTo((1 << 20) + 1);
  }

  @Test
  void readStopsAtTheFirstLevelTooDeep() {
    Endless brackets = new Endless('[');
    assertThatThrownBy(() -> BoundedJson.read(brackets, 64L << 20, LIMITS))
        .hasMessageContaining("nests deeper than 8 levels");
    // The parser reads ahead one buffer, not the 64 MB the cap would allow.
    assertThat(brackets.read).isLessThan(64 * 1024);
  }

  @Test
  void readReturnsTheDocument() throws IOException {
    String doc = "{\"a\": [1, 2, \"\u00e9\"]}\n";
    assertThat(BoundedJson.read(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)),
        1000, LIMITS)).isEqualTo(doc);
  }
}
