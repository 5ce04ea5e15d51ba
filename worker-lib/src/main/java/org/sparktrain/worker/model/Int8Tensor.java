package org.sparktrain.worker.model;

/**
 * A weight tensor quantized to int8, symmetrically and per output channel: each channel keeps
 * one float scale (its largest magnitude over 127) and every value becomes
 * {@code round(w / scale)} in [-127, 127]. Symmetric, so zero stays exactly zero (pruned
 * weights stay pruned); per channel, so one large filter does not flatten the others.
 *
 * @param shape the tensor's shape; values are in C order
 * @param channelDim the output-channel dimension (see {@link #outputChannelDim})
 */
public record Int8Tensor(long[] shape, int channelDim, float[] scales, byte[] values) {
  static final int LEVELS = 127;

  /**
   * Which dimension holds the output channels in DL4J's layouts: the columns of a dense or
   * embedding matrix ({@code [nIn, nOut]}), the first dimension of a convolution's filters
   * ({@code [nOut, nIn, kH, kW]}, and {@code [nOut, nIn, k]} in 1-D).
   */
  public static int outputChannelDim(long[] shape) {
    return shape.length == 2 ? 1 : 0;
  }

  public static Int8Tensor quantize(float[] weights, long[] shape) {
    int dim = outputChannelDim(shape);
    int channels = (int) shape[dim];
    long stride = stride(shape, dim);
    float[] max = new float[channels];
    for (int i = 0; i < weights.length; i++) {
      int c = channel(i, stride, channels);
      max[c] = Math.max(max[c], Math.abs(weights[i]));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = max[c] / LEVELS;
    }
    byte[] q = new byte[weights.length];
    for (int i = 0; i < weights.length; i++) {
      float scale = scales[channel(i, stride, channels)];
      long level = scale == 0 ? 0 : Math.round(weights[i] / scale);
      q[i] = (byte) Math.max(-LEVELS, Math.min(LEVELS, level));
    }
    return new Int8Tensor(shape.clone(), dim, scales, q);
  }

  public float[] dequantize() {
    int channels = scales.length;
    long stride = stride(shape, channelDim);
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] * scales[channel(i, stride, channels)];
    }
    return out;
  }

  /** Elements between one index of {@code dim} and the next, in C order. */
  static long stride(long[] shape, int dim) {
    long stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    return stride;
  }

  private static int channel(int index, long stride, int channels) {
    return (int) ((index / stride) % channels);
  }
}
