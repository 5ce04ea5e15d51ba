package org.sparktrain.worker.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network with int8 weights ({@code model.int8}): its configuration, then every parameter
 * tensor in layer order, weights as {@link Int8Tensor}s and everything else (biases,
 * normalization gains and running statistics) as floats. gzip over the whole.
 *
 * <p>DL4J has no int8 kernels on the CPU, so {@link #read} dequantizes into an ordinary float
 * network: the file is smaller, inference is as fast as the float model's, and its outputs are
 * those of the quantized weights. No optimizer state is kept: the file is for inference.
 *
 * <p>A file may come from anyone: its configuration gets the checks of {@link ModelZip}, and
 * every tensor must have the name and shape that configuration gives it before anything of its
 * size is allocated.
 */
public final class Int8ModelFile {
  public static final String FILE = "model.int8";
  private static final int MAGIC = 0x53545138; // "STQ8"
  private static final int VERSION = 1;
  private static final byte FLOATS = 0;
  private static final byte INT8 = 1;

  /** What a file holds: how many values went to int8 and how many stayed float. */
  public record Stats(int int8Tensors, long int8Values, int floatTensors, long floatValues) {}

  private Int8ModelFile() {}

  /** Quantizes the network's weights and writes the file. */
  public static Stats write(Network net, OutputStream target) throws IOException {
    if (net.params().dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("int8 quantization takes float networks; this one is "
          + net.params().dataType());
    }
    int int8Tensors = 0;
    int floatTensors = 0;
    long int8Values = 0;
    long floatValues = 0;
    GZIPOutputStream zip = new GZIPOutputStream(target, 1 << 16);
    DataOutputStream out = new DataOutputStream(zip);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    byte[] config = net.config().toJson().getBytes(StandardCharsets.UTF_8);
    out.writeInt(config.length);
    out.write(config);
    for (Network.LayerParams layer : net.layerParams()) {
      for (Map.Entry<String, INDArray> p : layer.params().entrySet()) {
        INDArray view = p.getValue();
        long[] shape = view.shape();
        float[] values = view.dup('c').data().asFloat();
        out.writeUTF(layer.layer());
        out.writeUTF(p.getKey());
        boolean quantize = layer.isWeight(p.getKey());
        out.writeByte(quantize ? INT8 : FLOATS);
        out.writeByte(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        if (quantize) {
          Int8Tensor q = Int8Tensor.quantize(values, shape);
          for (float s : q.scales()) {
            out.writeFloat(s);
          }
          out.write(q.values());
          int8Tensors++;
          int8Values += values.length;
        } else {
          for (float v : values) {
            out.writeFloat(v);
          }
          floatTensors++;
          floatValues += values.length;
        }
      }
    }
    out.flush();
    zip.finish();
    return new Stats(int8Tensors, int8Values, floatTensors, floatValues);
  }

  /**
   * Reads a file back as a float network holding the dequantized weights.
   *
   * @param source the file's name, for messages
   */
  public static Network read(InputStream file, String source) throws IOException {
    try {
      return readChecked(file, source);
    } catch (EOFException e) {
      throw new IOException(source + " ends early: a truncated int8 model", e);
    } catch (ZipException e) {
      throw new IOException(source + " is not a readable int8 model (gzip: " + e.getMessage()
          + ")", e);
    }
  }

  private static Network readChecked(InputStream file, String source) throws IOException {
    DataInputStream in = new DataInputStream(new GZIPInputStream(file, 1 << 16));
    if (in.readInt() != MAGIC) {
      throw new IOException(source + " is not a sparktrain int8 model (wrong magic number)");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException(source + " is an int8 model of format version " + version
          + "; this sparktrain reads version " + VERSION);
    }
    int configBytes = in.readInt();
    if (configBytes <= 0 || configBytes > ModelZip.MAX_CONFIGURATION_BYTES) {
      throw new IOException(source + ": its configuration claims " + configBytes + " bytes");
    }
    String config = new String(in.readNBytes(configBytes), StandardCharsets.UTF_8);
    ModelZip.checkConfiguration(config, source);
    // Building the network allocates every parameter before a tensor is read.
    ModelMemory.checkLoad(config, source);
    Network net;
    try {
      net = NetworkConfig.fromJson(config).newNetwork();
    } catch (RuntimeException e) {
      throw new IOException(source + ": DL4J cannot build a network from it: " + e, e);
    }
    for (Network.LayerParams layer : net.layerParams()) {
      for (Map.Entry<String, INDArray> p : layer.params().entrySet()) {
        readInto(in, layer.layer(), p.getKey(), p.getValue(), source);
      }
    }
    if (in.read() != -1) {
      throw new IOException(source + " has data after its last tensor");
    }
    return net;
  }

  private static void readInto(DataInputStream in, String layer, String key, INDArray view,
      String source) throws IOException {
    String name = layer + "/" + key;
    String gotLayer = in.readUTF();
    String gotKey = in.readUTF();
    byte kind = in.readByte();
    long[] shape = new long[in.readByte()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = in.readLong();
    }
    if (!gotLayer.equals(layer) || !gotKey.equals(key) || !Arrays.equals(shape, view.shape())) {
      throw new IOException(source + ": expected tensor " + name + " of shape "
          + Arrays.toString(view.shape()) + " next, found " + gotLayer + "/" + gotKey + " of "
          + "shape " + Arrays.toString(shape));
    }
    int length = (int) view.length();
    float[] values;
    if (kind == INT8) {
      float[] scales = new float[(int) shape[Int8Tensor.outputChannelDim(shape)]];
      for (int c = 0; c < scales.length; c++) {
        scales[c] = in.readFloat();
      }
      byte[] q = in.readNBytes(length);
      if (q.length != length) {
        throw new IOException(source + " ends inside tensor " + name);
      }
      values = new Int8Tensor(shape, Int8Tensor.outputChannelDim(shape), scales, q)
          .dequantize();
    } else if (kind == FLOATS) {
      values = new float[length];
      for (int i = 0; i < length; i++) {
        values[i] = in.readFloat();
      }
    } else {
      throw new IOException(source + ": tensor " + name + " has unknown kind " + kind);
    }
    view.assign(Nd4j.create(values, shape, 'c'));
  }
}
