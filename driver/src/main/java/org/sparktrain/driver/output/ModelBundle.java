package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.json.BoundedJson;
import org.sparktrain.worker.model.Int8ModelFile;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.Tokenizer;

/**
 * A trained model as files: {@code model.zip} (DL4J ModelSerializer, with optimizer state; or
 * {@code model.int8}, a compressed model's int8 weights, see {@link Int8ModelFile}) and
 * {@code preprocessing.json} (normalizer statistics and label meaning, and for table data how
 * its columns became features: TableEncoding's JSON, under "table"), so predict and evaluate
 * apply exactly the preprocessing the model was trained with.
 */
public record ModelBundle(Network network, Normalizer normalizer, String modelName,
    boolean classification, int numClasses, String tokenizerJson, String tableEncodingJson) {
  public static final String NETWORK_FILE = "model.zip";
  public static final String PREPROCESSING_FILE = "preprocessing.json";
  /** A language model's tokenizer (Tokenizer.toJson), saved beside the network. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** A model without a tokenizer (classifiers and regressors). */
  public ModelBundle(Network network, Normalizer normalizer, String modelName,
      boolean classification, int numClasses) {
    this(network, normalizer, modelName, classification, numClasses, null, null);
  }

  /**
   * Refuses models whose inputs are token ids (language models, text classifiers): predict and
   * evaluate read rows of numbers.
   */
  public ModelBundle requireNumericInput(String command) {
    if (tokenizerJson != null) {
      throw new IllegalArgumentException(command + " reads rows of numbers; this is a "
          + modelName + " model, whose inputs are texts (not supported by " + command
          + " yet; its training run reports validation and test metrics)");
    }
    return this;
  }

  /**
   * Refuses anything but a bert model with its tokenizer, as {@code model.pretrained} must name
   * ({@code uri} is the spec's value, for the message).
   */
  public ModelBundle requirePretrainedBert(String uri) {
    if (tokenizerJson == null || !modelName.equals(TransformerConfig.BERT)) {
      throw new IllegalArgumentException("model.pretrained: " + uri + " is a " + modelName
          + " model; it must be a bert model folder with its tokenizer (a bert run's model/)");
    }
    return this;
  }

  public int numFeatures() {
    return normalizer.width();
  }

  /**
   * Where the two files of a model live: {@code DIR/model.zip} and {@code DIR/preprocessing.json}
   * for a folder, or {@code NAME.zip} and {@code NAME.preprocessing.json} side by side.
   */
  private record Files(Path network, Path preprocessing, Path tokenizer) {
    static Files of(String uri) {
      Path p = new Path(uri);
      if (p.getName().endsWith(".zip")) {
        String base = p.getName().substring(0, p.getName().length() - 4);
        return new Files(p, new Path(p.getParent(), base + "." + PREPROCESSING_FILE),
            new Path(p.getParent(), base + "." + TOKENIZER_FILE));
      }
      return new Files(new Path(p, NETWORK_FILE), new Path(p, PREPROCESSING_FILE),
          new Path(p, TOKENIZER_FILE));
    }
  }

  /** How the network file is written. */
  public enum NetworkFormat {
    /** model.zip with the optimizer state: training can go on from it. */
    TRAINABLE,
    /** model.zip without optimizer state: for inference (a pruned model). */
    INFERENCE,
    /** model.int8: int8 weights, dequantized on load. */
    INT8
  }

  /**
   * Writes the model's files, each replaced whole ({@link AtomicFiles}): a driver that dies while
   * saving leaves the previous model's files readable, never a truncated zip.
   */
  public void save(String uri, Configuration conf) throws IOException {
    save(uri, conf, NetworkFormat.TRAINABLE);
  }

  /**
   * As {@link #save(String, Configuration)}, with the network in {@code format}; an int8 model
   * must be a folder.
   *
   * @return the network file written
   */
  public Path save(String uri, Configuration conf, NetworkFormat format) throws IOException {
    Files files = Files.of(uri);
    Path networkFile = files.network();
    if (format == NetworkFormat.INT8) {
      if (new Path(uri).getName().endsWith(".zip")) {
        throw new IllegalArgumentException("an int8 model is a folder (model.int8 and "
            + PREPROCESSING_FILE + "), not " + uri);
      }
      networkFile = new Path(new Path(uri), Int8ModelFile.FILE);
    }
    FileSystem fs = networkFile.getFileSystem(conf);
    fs.mkdirs(networkFile.getParent());
    // One network file per folder: loading picks whichever is there.
    Path other = format == NetworkFormat.INT8 ? files.network()
        : new Path(files.network().getParent(), Int8ModelFile.FILE);
    if (!new Path(uri).getName().endsWith(".zip")) {
      fs.delete(other, false);
    }
    AtomicFiles.write(fs, networkFile, switch (format) {
      case TRAINABLE -> network::save;
      case INFERENCE -> network::saveForInference;
      case INT8 -> out -> Int8ModelFile.write(network, out);
    });
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("formatVersion", 1);
    meta.put("model", modelName);
    meta.put("task", classification ? "classification" : "regression");
    meta.put("numClasses", numClasses);
    meta.put("numFeatures", normalizer.width());
    meta.put("normalize", normalizer.method().key());
    meta.put("shift", normalizer.shift());
    meta.put("scale", normalizer.scale());
    if (tableEncodingJson != null) {
      meta.put("table", Json.MAPPER.readTree(tableEncodingJson));
    }
    AtomicFiles.write(fs, files.preprocessing(),
        out -> out.write(Json.pretty(meta).getBytes(StandardCharsets.UTF_8)));
    if (tokenizerJson != null) {
      AtomicFiles.write(fs, files.tokenizer(),
          out -> out.write(tokenizerJson.getBytes(StandardCharsets.UTF_8)));
    }
    return networkFile;
  }

  /** The network file of a model folder or zip: model.zip, or model.int8 where that is. */
  public static Path networkFile(String uri, Configuration conf) throws IOException {
    Files files = Files.of(uri);
    Path int8 = new Path(files.network().getParent(), Int8ModelFile.FILE);
    FileSystem fs = files.network().getFileSystem(conf);
    return !new Path(uri).getName().endsWith(".zip") && !fs.exists(files.network())
        && fs.exists(int8) ? int8 : files.network();
  }

  public static ModelBundle load(String uri, Configuration conf) throws IOException {
    Files files = Files.of(uri);
    FileSystem fs = files.network().getFileSystem(conf);
    Path networkFile = networkFile(uri, conf);
    Path metaFile = files.preprocessing();
    for (Path p : new Path[] {networkFile, metaFile}) {
      if (!fs.exists(p)) {
        throw new IOException("not a sparktrain model: " + p + " is missing (--model must name "
            + "a run's model folder, e.g. runs/digits/model, or an exported model.zip)");
      }
    }
    long size = fs.getFileStatus(networkFile).getLen();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException(networkFile + " is " + size + " bytes; sparktrain reads model files "
          + "of up to 2 GiB");
    }
    Network net;
    try (InputStream in = fs.open(networkFile)) {
      net = networkFile.getName().equals(Int8ModelFile.FILE)
          ? Int8ModelFile.read(in, networkFile.toString())
          : Network.restore(in, networkFile.toString());
    }
    Preprocessing meta = Preprocessing.read(fs, metaFile);
    String tokenizer = fs.exists(files.tokenizer()) ? readTokenizer(fs, files.tokenizer()) : null;
    return new ModelBundle(net, meta.normalizer(), meta.modelName(), meta.classification(),
        meta.numClasses(), tokenizer, meta.tableEncodingJson());
  }

  /**
   * The tokenizer file, refused by its size on storage or, while it streams in, at the byte that
   * breaks the tokenizer's bounds: never read whole before its checks.
   */
  private static String readTokenizer(FileSystem fs, Path file) throws IOException {
    long size = fs.getFileStatus(file).getLen();
    if (size > Tokenizer.MAX_FILE_BYTES) {
      throw new IOException(file + " is " + size + " bytes; a tokenizer file is at most "
          + Tokenizer.MAX_FILE_BYTES);
    }
    try (InputStream in = fs.open(file)) {
      return BoundedJson.read(in, Tokenizer.MAX_FILE_BYTES, Tokenizer.JSON_LIMITS);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a readable tokenizer file: " + e.getMessage(), e);
    }
  }
}
