package org.sparktrain.worker.json;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.nd4j.shade.jackson.core.JsonFactory;
import org.nd4j.shade.jackson.core.JsonLocation;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.JsonToken;

/**
 * Walks JSON from anyone token by token (no recursion, no tree) and refuses it as soon as it
 * nests, or holds a string or number, beyond {@link Limits}. It runs before any parser that
 * recurses per level or reads a value whole: DL4J's configuration parser and the tokenizer's
 * tree both use ND4J's shaded Jackson 2.13, which has no {@code StreamReadConstraints}, and a
 * file nested 100,000 levels overflowed their stack.
 */
public final class BoundedJson {
  /** The bounds of one kind of file; each is far above what sparktrain itself writes. */
  public record Limits(int maxDepth, int maxStringChars, int maxNumberChars) {}

  /** Receives each field whose value is a string, in document order. */
  public interface FieldVisitor {
    void field(String name, String value) throws IOException;
  }

  private static final JsonFactory FACTORY = new JsonFactory();

  private BoundedJson() {}

  /**
   * Checks {@code json} against {@code limits}.
   *
   * @throws IllegalArgumentException saying which bound it broke and where, or why it is not
   *     JSON
   */
  public static void check(String json, Limits limits) {
    try {
      walk(FACTORY.createParser(json), limits, null);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * As {@link #check}, and hands every string-valued field to {@code visitor}.
   *
   * @throws IOException from the visitor
   */
  public static void forEachStringField(String json, Limits limits, FieldVisitor visitor)
      throws IOException {
    JsonParser parser;
    try {
      parser = FACTORY.createParser(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    walk(parser, limits, visitor);
  }

  /**
   * Reads a JSON document of at most {@code maxBytes} bytes, checking it against
   * {@code limits} while it streams in: a file too large or too deep is refused at the byte
   * that breaks the bound, never read whole.
   *
   * @return the document as read (UTF-8)
   * @throws IllegalArgumentException for a document beyond the bounds or not JSON
   */
  public static String read(InputStream in, long maxBytes, Limits limits) throws IOException {
    CappedCopy copy = new CappedCopy(in, maxBytes);
    // The walk goes to the end of the input (Jackson reads root values until EOF).
    walk(FACTORY.createParser(copy), limits, null);
    return copy.copied.toString(StandardCharsets.UTF_8);
  }

  private static void walk(JsonParser parser, Limits limits, FieldVisitor visitor)
      throws IOException {
    int depth = 0;
    String field = null;
    try (parser) {
      for (JsonToken t = nextToken(parser); t != null; t = nextToken(parser)) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            if (++depth > limits.maxDepth()) {
              throw new IllegalArgumentException("it nests deeper than " + limits.maxDepth()
                  + " levels" + locationOf(parser.getTokenLocation()));
            }
          }
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> {
            checkLength(parser, parser.getTextLength(), limits.maxStringChars(), "a name");
            field = parser.getCurrentName();
          }
          case VALUE_STRING -> {
            checkLength(parser, parser.getTextLength(), limits.maxStringChars(), "a string");
            if (visitor != null && field != null
                && parser.getParsingContext().inObject()) {
              visitor.field(field, parser.getText());
            }
          }
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
              checkLength(parser, parser.getTextLength(), limits.maxNumberChars(), "a number");
          default -> { }
        }
      }
    } catch (JsonProcessingException e) {
      // A string's content is parsed only when it is read (getText), after nextToken.
      throw new IllegalArgumentException("it is not valid JSON: " + e.getOriginalMessage()
          + locationOf(e.getLocation()), e);
    }
  }

  private static JsonToken nextToken(JsonParser parser) {
    try {
      return parser.nextToken();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("it is not valid JSON: " + e.getOriginalMessage()
          + locationOf(e.getLocation()), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static void checkLength(JsonParser parser, int length, int max, String what) {
    if (length > max) {
      throw new IllegalArgumentException("it holds " + what + " of " + length
          + " characters; at most " + max + " are read" + locationOf(
          parser.getTokenLocation()));
    }
  }

  private static String locationOf(JsonLocation at) {
    return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** Copies what the parser reads, and refuses to read past the cap. */
  private static final class CappedCopy extends FilterInputStream {
    private final long maxBytes;
    private final ByteArrayOutputStream copied = new ByteArrayOutputStream();

    CappedCopy(InputStream in, long maxBytes) {
      super(in);
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, (int) Math.min(len, maxBytes + 1 - copied.size()));
      if (n > 0) {
        copied.write(b, off, n);
        if (copied.size() > maxBytes) {
          throw new IllegalArgumentException("it is larger than " + maxBytes + " bytes");
        }
      }
      return n;
    }
  }
}
