package org.sparktrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Lines as BufferedReader splits them, but never longer than the bound. */
class LineReaderTest {
  /** A first line "1,2", then endless digits; counts what it handed out. */
  private static final class EndlessSecondLine extends Reader {
    private boolean first = true;
    long read;

    @Override
    public int read(char[] buf, int off, int len) {
      if (first) {
        first = false;
        "1,2\n".getChars(0, 4, buf, off);
        return 4;
      }
      Arrays.fill(buf, off, off + len, '7');
      read += len;
      return len;
    }

    @Override
    public void close() {}
  }

  private static List<String> lines(Reader in) throws IOException {
    List<String> out = new ArrayList<>();
    try (LineReader reader = new LineReader(in, "f.csv", 1 << 20)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  void splitsExactlyAsBufferedReaderDoes() throws IOException {
    Random random = new Random(5);
    char[] alphabet = {'a', '1', ',', '\n', '\r', ' '};
    for (int round = 0; round < 200; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(round < 100 ? 40 : 200_000);
      for (int i = 0; i < length; i++) {
        text.append(alphabet[random.nextInt(alphabet.length)]);
      }
      List<String> expected = new BufferedReader(new StringReader(text.toString())).lines()
          .toList();
      assertThat(lines(new StringReader(text.toString()))).as("round %d", round)
          .isEqualTo(expected);
    }
  }

  @Test
  void countsLines() throws IOException {
    try (LineReader reader = new LineReader(new StringReader("a\r\nb\n\nc"), "f", 10)) {
      reader.readLine();
      reader.readLine();
      reader.readLine();
      assertThat(reader.readLine()).isEqualTo("c");
      assertThat(reader.lineNumber()).isEqualTo(4);
      assertThat(reader.readLine()).isNull();
    }
  }

  @Test
  void aLineBeyondTheBoundIsRefusedNamingFileAndLineWithoutReadingTheRest() throws IOException {
    EndlessSecondLine in = new EndlessSecondLine();
    try (LineReader reader = new LineReader(in, "file:/d/x.csv", 1 << 22)) {
      assertThat(reader.readLine()).isEqualTo("1,2");
      assertThatThrownBy(reader::readLine).isInstanceOf(LineReader.LineTooLongException.class)
          .hasMessage("file:/d/x.csv: line 2 is longer than 4194304 characters; lines are read "
              + "up to that (is this a text file of records?)");
    }
    // At most one buffer past the bound was read.
    assertThat(in.read).isLessThanOrEqualTo((1 << 22) + (1 << 16));
  }
}
