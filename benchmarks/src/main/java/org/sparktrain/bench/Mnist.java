package org.sparktrain.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.IdxReader;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/** The MNIST files of the benchmark: reading them (pixels / 255) and cutting smoke-test copies. */
final class Mnist {
  static final int CLASSES = 10;
  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private Mnist() {}

  /** {@code dir/name.gz} when it exists, else {@code dir/name}. */
  static Path file(Path dir, String name) throws FileNotFoundException {
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new FileNotFoundException("neither " + gz + " nor " + plain + " exists");
  }

  static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16)
        : raw;
  }

  /**
   * Reads the first {@code limit} examples (all when {@code limit <= 0}) with worker-lib's
   * {@link IdxReader}, pixels divided by 255, into one row-major block.
   */
  static ExampleBlock read(Path dir, String imagesName, String labelsName, int limit)
      throws IOException {
    Path images = file(dir, imagesName);
    Path labels = file(dir, labelsName);
    try (IdxReader reader = new IdxReader(open(images), images.toString(), open(labels),
        labels.toString(), LabelRule.classes(CLASSES))) {
      int n = limit > 0 ? Math.min(limit, reader.count()) : reader.count();
      int width = reader.pixels();
      float[] x = new float[n * width];
      float[] y = new float[n];
      for (int r = 0; r < n; r++) {
        ParsedRecord rec = reader.next();
        if (!rec.isOk()) {
          throw new IOException(images + ": record " + rec.line() + ": " + rec.detail());
        }
        float[] f = rec.features();
        for (int i = 0; i < width; i++) {
          x[r * width + i] = f[i] / 255f;
        }
        y[r] = (float) rec.label();
      }
      return new ExampleBlock(0, n, width, x, y);
    }
  }

  /**
   * Writes plain (uncompressed) IDX copies of the first {@code limit} training images and labels
   * into {@code target}; returns {images, labels}. The IDX header is big-endian: images magic
   * 2051, count, rows, cols; labels magic 2049, count.
   */
  static Path[] truncatedTrainCopy(Path dir, int limit, Path target) throws IOException {
    return trainSliceCopy(dir, 0, limit, target);
  }

  /**
   * Training images and labels {@code [from, to)} as IDX files of their own in {@code target}
   * (uncompressed): e.g. rows held out of training, from the same distribution.
   */
  static Path[] trainSliceCopy(Path dir, int from, int to, Path target) throws IOException {
    Path images = target.resolve(TRAIN_IMAGES);
    Path labels = target.resolve(TRAIN_LABELS);
    int n;
    try (DataInputStream in = new DataInputStream(open(file(dir, TRAIN_IMAGES)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
            Files.newOutputStream(images), 1 << 16))) {
      int magic = in.readInt();
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      n = Math.max(0, Math.min(to, count) - from);
      out.writeInt(magic);
      out.writeInt(n);
      out.writeInt(rows);
      out.writeInt(cols);
      in.skipNBytes((long) from * rows * cols);
      copy(in, out, (long) n * rows * cols);
    }
    try (DataInputStream in = new DataInputStream(open(file(dir, TRAIN_LABELS)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
            Files.newOutputStream(labels), 1 << 16))) {
      out.writeInt(in.readInt());
      int count = in.readInt();
      if (count < from + n) {
        throw new IOException("label file holds " + count + " labels, fewer than " + (from + n));
      }
      out.writeInt(n);
      in.skipNBytes(from);
      copy(in, out, n);
    }
    return new Path[] {images, labels};
  }

  private static void copy(DataInputStream in, OutputStream out, long bytes) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = bytes;
    while (left > 0) {
      int chunk = (int) Math.min(buf.length, left);
      in.readFully(buf, 0, chunk);
      out.write(buf, 0, chunk);
      left -= chunk;
    }
  }
}
