package org.sparktrain.worker.text;

import java.util.Arrays;

/** A growable int array without boxing, for token streams of a few million ids. */
final class IntArrayBuilder {
  private int[] data;
  private int size;

  IntArrayBuilder(int capacity) {
    data = new int[Math.max(16, capacity)];
  }

  void add(int value) {
    if (size == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[size++] = value;
  }

  void addAll(int[] values) {
    if (size + values.length > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, size + values.length));
    }
    System.arraycopy(values, 0, data, size, values.length);
    size += values.length;
  }

  int size() {
    return size;
  }

  int get(int i) {
    return data[i];
  }

  int[] toArray() {
    return Arrays.copyOf(data, size);
  }
}
