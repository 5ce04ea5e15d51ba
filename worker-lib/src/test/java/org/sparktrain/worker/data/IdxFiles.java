package org.sparktrain.worker.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Builds small IDX files in memory for tests. */
public final class IdxFiles {
  private IdxFiles() {}

  public static byte[] images(int count, int rows, int cols, int magic) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int i = 0; i < count * rows * cols; i++) {
      out.writeByte(i % 256);
    }
    return bytes.toByteArray();
  }

  public static byte[] labels(int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(IdxReader.LABELS_MAGIC);
    out.writeInt(labels.length);
    for (int l : labels) {
      out.writeByte(l);
    }
    return bytes.toByteArray();
  }
}
