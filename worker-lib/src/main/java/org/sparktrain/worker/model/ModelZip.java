package org.sparktrain.worker.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.sparktrain.worker.json.BoundedJson;

/**
 * A model file checked before DL4J reads it, because a model zip may come from anyone. DL4J's
 * {@code ModelSerializer} would Java-deserialize a {@code preprocessor.bin} entry (running
 * whatever code its classes bring), inflate every entry whole whatever its size, build any class
 * the configuration's {@code "@class"} names, and allocate whatever an array header claims.
 *
 * <p>Here a model file may hold only the entries sparktrain writes; each is inflated up to the
 * size its content can have (a zip bomb is refused); every {@code "@class"} must be a DL4J, ND4J
 * or sparktrain class; the parameter count implied by the configuration is computed without
 * allocating and capped; and the array headers must match it. What reaches DL4J is a new zip of
 * just those entries.
 */
final class ModelZip {
  static final String CONFIGURATION = "configuration.json";
  static final String COEFFICIENTS = "coefficients.bin";
  static final String UPDATER_STATE = "updaterState.bin";
  /** Written by DL4J for a network without parameters. */
  static final String NO_PARAMS = "noParams.marker";
  private static final List<String> ENTRIES = List.of(CONFIGURATION, COEFFICIENTS,
      UPDATER_STATE, NO_PARAMS);
  /** Entries DL4J reads with Java deserialization; sparktrain never writes them. */
  private static final List<String> SERIALIZED = List.of("preprocessor.bin", "normalizer.bin");
  private static final List<String> CLASS_PREFIXES = List.of("org.deeplearning4j.",
      "org.nd4j.", "org.sparktrain.");
  static final int MAX_CONFIGURATION_BYTES = 16 << 20;
  /** Parameters travel as one float[], so no more than Java can index. */
  static final long MAX_PARAMS = Integer.MAX_VALUE - 8;
  /** Room for an array's two headers (allocation mode, length, type, shape). */
  private static final int HEADER_BYTES = 4096;
  /** The most optimizer state per parameter of any DL4J updater (AMSGrad keeps three). */
  private static final int MAX_STATE_PER_PARAM = 3;

  private ModelZip() {}

  /**
   * The checks a configuration gets wherever it comes from: only DL4J, ND4J or sparktrain
   * classes, and a parameter count within {@link #MAX_PARAMS}, computed without allocating.
   */
  static void checkConfiguration(String configuration, String source) throws IOException {
    checkClasses(configuration, source);
    parameterCount(configuration, source);
  }

  /** The configuration JSON and a zip holding only the checked entries. */
  record Checked(String configuration, byte[] zip) {}

  /**
   * @param source the file's name, for messages
   */
  static Checked check(byte[] zip, String source) throws IOException {
    try {
      return checked(zip, source);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IOException(source + " is not a readable model file: " + e, e);
    } catch (IllegalArgumentException e) {
      // ZipInputStream's answer to an entry name that is not UTF-8.
      throw new IOException(source + " is not a readable model file: " + e, e);
    }
  }

  private static Checked checked(byte[] zip, String source) throws IOException {
    String configuration = new String(entry(zip, CONFIGURATION, MAX_CONFIGURATION_BYTES, source),
        StandardCharsets.UTF_8);
    checkClasses(configuration, source);
    long params = parameterCount(configuration, source);
    // Before any entry is inflated: the caps below follow the configuration's claim, so the
    // claim must first fit this JVM.
    ModelMemory.checkLoad(configuration, source);
    Map<String, byte[]> entries = new HashMap<>();
    entries.put(CONFIGURATION, configuration.getBytes(StandardCharsets.UTF_8));
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = e.getName();
        if (!ENTRIES.contains(name)) {
          throw new IOException(source + ": unexpected entry '" + name + "' (a sparktrain model "
              + "holds only " + String.join(", ", ENTRIES) + ")"
              + (SERIALIZED.contains(name) ? "; '" + name + "' would be read by Java "
                  + "deserialization, which sparktrain never does" : ""));
        }
        if (name.equals(CONFIGURATION)) {
          continue;
        }
        if (entries.containsKey(name)) {
          throw new IOException(source + ": entry '" + name + "' appears twice");
        }
        long cap = switch (name) {
          case COEFFICIENTS -> params * Float.BYTES + HEADER_BYTES;
          case UPDATER_STATE -> params * Float.BYTES * MAX_STATE_PER_PARAM + HEADER_BYTES;
          default -> 64; // the no-parameters marker
        };
        entries.put(name, readCapped(in, cap, source, name));
      }
    }
    if (params > 0 && !entries.containsKey(COEFFICIENTS)) {
      throw new IOException(source + ": no " + COEFFICIENTS + " for the " + params
          + " parameters its configuration has");
    }
    if (entries.containsKey(COEFFICIENTS)) {
      checkArray(entries.get(COEFFICIENTS), params, params, source, COEFFICIENTS);
    }
    if (entries.containsKey(UPDATER_STATE)) {
      checkArray(entries.get(UPDATER_STATE), 0, params * MAX_STATE_PER_PARAM, source,
          UPDATER_STATE);
    }
    return new Checked(configuration, rezip(entries));
  }

  /** One entry's bytes, inflated no further than {@code cap}; fails if it is missing. */
  private static byte[] entry(byte[] zip, String name, long cap, String source)
      throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(name)) {
          return readCapped(in, cap, source, name);
        }
      }
    } catch (ZipException e) {
      throw new IOException(source + " is not a readable zip file: " + e.getMessage(), e);
    }
    throw new IOException(source + " is not a DL4J model file: it has no " + name);
  }

  private static byte[] readCapped(InputStream in, long cap, String source, String name)
      throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
    if (bytes.length > cap) {
      throw new IOException(source + ": entry '" + name + "' inflates to more than " + cap
          + " bytes, more than its content can need (a zip bomb?)");
    }
    return bytes;
  }

  /**
   * Every "@class" in the configuration names a DL4J, ND4J or sparktrain class. A streaming walk
   * within {@link NetworkConfig#LIMITS}: a tree walked by recursion overflowed the stack on a
   * configuration nested 100,000 levels.
   */
  private static void checkClasses(String configuration, String source) throws IOException {
    try {
      BoundedJson.forEachStringField(configuration, NetworkConfig.LIMITS, (field, name) -> {
        if (field.equals("@class") && CLASS_PREFIXES.stream().noneMatch(name::startsWith)) {
          throw new IOException(source + ": " + CONFIGURATION + " names the class '"
              + abbreviate(name) + "'; a model may only use classes of "
              + String.join(", ", CLASS_PREFIXES).replace(".,", ",").replaceAll("\\.$", ""));
        }
      });
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + CONFIGURATION + " is refused: " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  /** The parameters the configuration defines, counted without allocating them. */
  private static long parameterCount(String configuration, String source) throws IOException {
    long total = 0;
    try {
      NetworkConfig config = NetworkConfig.fromJson(configuration);
      if (config.isGraph()) {
        ComputationGraphConfiguration graph = config.graph();
        for (GraphVertex vertex : graph.getVertices().values()) {
          total = Math.addExact(total, vertex.numParams(true));
        }
      } else {
        MultiLayerConfiguration layers = config.layers();
        for (NeuralNetConfiguration layer : layers.getConfs()) {
          total = Math.addExact(total, layer.getLayer().initializer().numParams(layer));
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(source + ": " + CONFIGURATION + " is not a network configuration "
          + "sparktrain can read: " + e.getMessage(), e);
    }
    if (total < 0 || total > MAX_PARAMS) {
      throw new IOException(source + ": its configuration defines " + total + " parameters; at "
          + "most " + MAX_PARAMS + " are supported");
    }
    return total;
  }

  /**
   * An ND4J array file (shape buffer, then data buffer, each with a header): its data holds
   * between {@code min} and {@code max} values and the file is exactly as long as its headers
   * say, so reading it allocates no more than what is there.
   */
  private static void checkArray(byte[] bytes, long min, long max, String source, String name)
      throws IOException {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      Header shape = Header.read(in);
      if (shape.length() < 0 || shape.length() > 64) {
        throw new IOException("its shape has " + shape.length() + " values");
      }
      in.skipNBytes(shape.length() * shape.bytesPerValue());
      Header data = Header.read(in);
      if (data.length() < min || data.length() > max) {
        throw new IOException("it holds " + data.length() + " values where " + (min == max
            ? min : "at most " + max) + " fit the configuration");
      }
      if (in.available() != data.length() * data.bytesPerValue()) {
        throw new IOException("its data is " + in.available() + " bytes, its header says "
            + data.length() * data.bytesPerValue());
      }
    } catch (EOFException e) {
      throw new IOException(source + ": entry '" + name + "' is truncated", e);
    } catch (IOException e) {
      throw new IOException(source + ": entry '" + name + "' is not a valid array: "
          + e.getMessage(), e);
    }
  }

  /** An ND4J buffer header, as {@code BaseDataBuffer.write} puts it. */
  private record Header(long length, int bytesPerValue) {
    static Header read(DataInputStream in) throws IOException {
      String mode = in.readUTF();
      long length = switch (mode) {
        case "HEAP", "JAVACPP", "DIRECT" -> in.readInt();
        case "LONG_SHAPE", "MIXED_DATA_TYPES" -> in.readLong();
        default -> throw new IOException("unknown allocation mode '" + mode + "'");
      };
      String type = in.readUTF();
      int bytes = switch (type) {
        case "DOUBLE", "LONG", "UINT64" -> 8;
        case "FLOAT", "INT", "UINT32" -> 4;
        case "HALF", "BFLOAT16", "SHORT", "UINT16" -> 2;
        case "BYTE", "UBYTE", "BOOL" -> 1;
        default -> throw new IOException("unsupported data type '" + type + "'");
      };
      return new Header(length, bytes);
    }
  }

  private static byte[] rezip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(Deflater.NO_COMPRESSION);
      for (String name : ENTRIES) {
        if (entries.containsKey(name)) {
          zip.putNextEntry(new ZipEntry(name));
          zip.write(entries.get(name));
          zip.closeEntry();
        }
      }
    }
    return out.toByteArray();
  }
}
