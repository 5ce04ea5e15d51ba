package org.sparktrain.worker.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads an IDX image file and its label file (the MNIST format: big-endian header, magic 2051 for
 * unsigned-byte images, 2049 for unsigned-byte labels) as a stream of records.
 *
 * <p>Structural problems (wrong magic, count mismatch, truncation) are fatal and name the file:
 * they mean the file is not what the spec says, not that one record is bad.
 */
public final class IdxReader implements Iterator<ParsedRecord>, AutoCloseable {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  private final DataInputStream images;
  private final DataInputStream labels;
  private final String imagesName;
  private final String labelsName;
  /** 4096 x 4096: far beyond any image an MLP or ResNet here takes, far below memory limits. */
  static final long MAX_PIXELS = 1L << 24;
  /** Magic, count, rows, columns. */
  private static final int HEADER_BYTES = 16;
  private final LabelRule labelRule;
  private final int count;
  private final int pixels;
  private final byte[] buffer;
  private int next;

  public IdxReader(InputStream images, String imagesName, InputStream labels, String labelsName,
      LabelRule labelRule) throws IOException {
    this.images = new DataInputStream(images);
    this.labels = new DataInputStream(labels);
    this.imagesName = imagesName;
    this.labelsName = labelsName;
    this.labelRule = labelRule;
    int imageMagic = readHeaderInt(this.images, imagesName);
    if (imageMagic != IMAGES_MAGIC) {
      throw new IOException(imagesName + ": not an IDX unsigned-byte image file (magic "
          + imageMagic + ", expected " + IMAGES_MAGIC + " for 3-dimensional ubyte data)");
    }
    int labelMagic = readHeaderInt(this.labels, labelsName);
    if (labelMagic != LABELS_MAGIC) {
      throw new IOException(labelsName + ": not an IDX unsigned-byte label file (magic "
          + labelMagic + ", expected " + LABELS_MAGIC + ")");
    }
    this.count = readHeaderInt(this.images, imagesName);
    int rows = readHeaderInt(this.images, imagesName);
    int cols = readHeaderInt(this.images, imagesName);
    int labelCount = readHeaderInt(this.labels, labelsName);
    // The header sizes what is allocated next: a crafted one must not pass unchecked.
    if (count < 0 || rows <= 0 || cols <= 0) {
      throw new IOException(imagesName + ": invalid IDX header (" + count + " images of " + rows
          + " x " + cols + " pixels; counts must be non-negative and sizes positive)");
    }
    long imagePixels = Math.multiplyExact((long) rows, cols);
    if (imagePixels > MAX_PIXELS) {
      throw new IOException(imagesName + ": IDX header says " + rows + " x " + cols + " = "
          + imagePixels + " pixels per image; at most " + MAX_PIXELS + " are supported");
    }
    if (labelCount != count) {
      throw new IOException(imagesName + " holds " + count + " images but " + labelsName
          + " holds " + labelCount + " labels; they must pair up one to one");
    }
    this.pixels = (int) imagePixels;
    this.buffer = new byte[pixels];
  }

  /**
   * Fails unless an uncompressed image file of {@code fileBytes} holds exactly what its header
   * says (header, then count x pixels bytes).
   */
  public void checkImagesLength(long fileBytes) throws IOException {
    long expected = HEADER_BYTES + (long) count * pixels;
    if (fileBytes != expected) {
      throw new IOException(imagesName + " is " + fileBytes + " bytes but its IDX header ("
          + count + " images of " + pixels + " pixels) needs " + expected
          + (fileBytes < expected ? " (truncated?)" : " (trailing data?)"));
    }
  }

  private static int readHeaderInt(DataInputStream in, String name) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new IOException(name + ": file ends inside the IDX header", e);
    }
  }

  public int count() {
    return count;
  }

  public int pixels() {
    return pixels;
  }

  @Override
  public boolean hasNext() {
    return next < count;
  }

  @Override
  public ParsedRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int record = next++;
    int label;
    try {
      images.readFully(buffer);
    } catch (IOException e) {
      throw new IllegalStateException(imagesName + ": cannot read image " + (record + 1) + " of "
          + count + " (file truncated?): " + e.getMessage(), e);
    }
    try {
      label = labels.readUnsignedByte();
    } catch (IOException e) {
      throw new IllegalStateException(labelsName + ": cannot read label " + (record + 1) + " of "
          + count + " (file truncated?): " + e.getMessage(), e);
    }
    float[] features = new float[pixels];
    for (int i = 0; i < pixels; i++) {
      features[i] = buffer[i] & 0xFF;
    }
    String problem = labelRule.violation(label);
    if (problem != null) {
      return ParsedRecord.bad(0, record + 1, DropReason.LABEL_OUT_OF_RANGE, problem);
    }
    return ParsedRecord.ok(0, record + 1, features, label);
  }

  @Override
  public void close() throws IOException {
    try {
      images.close();
    } finally {
      labels.close();
    }
  }
}
