package org.sparktrain.driver.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a text file, as {@code BufferedReader.readLine} splits them ({@code \n}, {@code \r}
 * or {@code \r\n}), each at most {@code maxChars} long: a longer line is refused, naming the file
 * and the line, before more than {@code maxChars} of it is held. {@code readLine} would hold a
 * 100 MB line (or a whole file without a newline) in memory before any check could see it.
 */
public final class LineReader implements Closeable {
  /**
   * CSV and LibSVM lines: {@link #MAX_CSV_COLUMNS} columns of 32 characters; the widest data
   * sparktrain trains on (3,073-column images) has lines under 20,000.
   */
  public static final int MAX_LINE_CHARS = 1 << 22;
  /** Dense features per CSV line (plus the label); wider data is LibSVM's or IDX's. */
  public static final int MAX_CSV_COLUMNS = 1 << 17;
  private static final int BUFFER_CHARS = 1 << 16;

  private final Reader in;
  private final String file;
  private final int maxChars;
  private final char[] buffer = new char[BUFFER_CHARS];
  private int position;
  private int limit;
  private boolean skipLineFeed;
  private long lineNumber;

  /** @param file the file's name, for messages */
  public LineReader(Reader in, String file, int maxChars) {
    this.in = in;
    this.file = file;
    this.maxChars = maxChars;
  }

  /** The next line without its terminator, or null at the end of the file. */
  public String readLine() throws IOException {
    StringBuilder line = null;
    while (true) {
      if (position == limit && !fill()) {
        if (line == null) {
          return null;
        }
        lineNumber++;
        return line.toString();
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (buffer[position] == '\n') {
          position++;
          continue;
        }
      }
      int start = position;
      while (position < limit && buffer[position] != '\n' && buffer[position] != '\r') {
        position++;
      }
      int held = line == null ? 0 : line.length();
      if (held + position - start > maxChars) {
        throw new LineTooLongException(file + ": line " + (lineNumber + 1) + " is longer than "
            + maxChars + " characters; lines are read up to that (is this a text file of "
            + "records?)");
      }
      if (position < limit) {
        char end = buffer[position++];
        skipLineFeed = end == '\r';
        lineNumber++;
        return line == null ? new String(buffer, start, position - 1 - start)
            : line.append(buffer, start, position - 1 - start).toString();
      }
      if (line == null) {
        line = new StringBuilder();
      }
      line.append(buffer, start, position - start);
    }
  }

  /** A line past the reader's bound; the message names the file and the line. */
  public static final class LineTooLongException extends IOException {
    LineTooLongException(String message) {
      super(message);
    }
  }

  /** The number of the line {@link #readLine} returned last (1 for the first). */
  public long lineNumber() {
    return lineNumber;
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
