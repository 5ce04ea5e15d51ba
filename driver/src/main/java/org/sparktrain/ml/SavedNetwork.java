package org.sparktrain.ml;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.train.SparkNativeKernels;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;
import scala.Option;

/**
 * What a Spark ML model of sparktrain holds, for the classifier's and the regressor's models
 * alike: the network as model.zip's bytes (they travel to executors inside Spark's transform
 * closure; the network is restored once per JVM copy), the normalizer, and how the model was
 * made; and how such a model is saved: Spark ML's metadata, then the model's own files under
 * {@code data/} ({@code sparktrain predict} and {@code evaluate} read them too).
 */
final class SavedNetwork implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String DATA = "data";

  private final byte[] networkZip;
  private final Normalizer normalizer;
  private final String modelName;
  private final String tableEncodingJson;
  private final boolean classification;
  private final int numClasses;
  private transient Network network;

  private SavedNetwork(byte[] networkZip, ModelBundle bundle) {
    this.networkZip = networkZip;
    this.normalizer = bundle.normalizer();
    this.modelName = bundle.modelName();
    this.tableEncodingJson = bundle.tableEncodingJson();
    this.classification = bundle.classification();
    this.numClasses = bundle.numClasses();
    this.network = bundle.network();
  }

  static SavedNetwork of(ModelBundle bundle) {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try {
      bundle.network().save(zip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SavedNetwork(zip.toByteArray(), bundle);
  }

  /**
   * {@link #load(String)}, refused unless it is a classifier ({@code classification}) or a
   * regression model, as the Spark ML model that reads it expects; the message names the
   * other model's {@code fromModel}.
   */
  static ModelBundle load(String modelUri, boolean classification) {
    ModelBundle bundle = load(modelUri);
    if (bundle.classification() != classification) {
      throw new IllegalArgumentException(modelUri + (classification
          ? " is a regression model; use SparktrainRegressionModel.fromModel"
          : " is a classifier; use SparktrainClassificationModel.fromModel"));
    }
    return bundle;
  }

  /**
   * A model folder of numbers or table rows, read with the active SparkContext's Hadoop
   * configuration, if any.
   */
  static ModelBundle load(String modelUri) {
    // A model loaded in a fresh JVM may be the first thing to touch ND4J there.
    SparkNativeKernels.choose(SparkContext$.MODULE$.getActive()
        .map(SparkContext::getConf).getOrElse(SparkConf::new));
    Configuration conf = SparkContext$.MODULE$.getActive()
        .map(SparkContext::hadoopConfiguration)
        .getOrElse(Configuration::new);
    try {
      return ModelBundle.load(modelUri, conf).requireNumericInput("the Spark ML model");
    } catch (IOException e) {
      throw new UncheckedIOException("loading " + modelUri + ": " + e.getMessage(), e);
    }
  }

  synchronized Network network(String owner) {
    if (network == null) {
      try {
        network = Network.restore(new ByteArrayInputStream(networkZip), "model " + owner);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return network;
  }

  Normalizer normalizer() {
    return normalizer;
  }

  int numFeatures() {
    return normalizer.width();
  }

  /** A feature vector as the network reads it: float, normalized; its width checked. */
  float[] normalizedRow(Vector features, String owner) {
    int width = normalizer.width();
    if (features == null) {
      throw new IllegalArgumentException("model " + owner + " takes " + width + " features, "
          + "got a null vector (transform's handleInvalid skips or keeps such rows)");
    }
    if (features.size() != width) {
      throw new IllegalArgumentException("model " + owner + " takes " + width + " features, "
          + "got a vector of " + features.size());
    }
    float[] row = new float[width];
    for (int i = 0; i < width; i++) {
      row[i] = (float) features.apply(i);
    }
    return normalizer.apply(row);
  }

  /**
   * The network's outputs for many rows in one call, row after row ({@code rows.size()} times
   * the network's outputs).
   */
  float[] output(List<Vector> rows, String owner) {
    int width = normalizer.width();
    float[] x = new float[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(normalizedRow(rows.get(r), owner), 0, x, r * width, width);
    }
    return NativeArrays.toFloats(network(owner).output(NativeArrays.fromFloats(x, rows.size(),
        width)));
  }

  int numClasses() {
    return numClasses;
  }

  ModelBundle bundle(String owner) {
    return new ModelBundle(network(owner), normalizer, modelName, classification, numClasses,
        null, tableEncodingJson);
  }

  /** Spark ML's metadata (params) of {@code instance}, then the model's files. */
  static void save(Params instance, ModelBundle bundle, String path, SparkContext sc) {
    DefaultParamsWriter.saveMetadata(instance, path, sc, Option.empty(), Option.empty());
    try {
      bundle.save(new Path(path, DATA).toString(),
          sc.hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("saving " + path + ": " + e.getMessage(), e);
    }
  }

  /** The model's files that {@link #save} wrote under {@code path}. */
  static ModelBundle read(String path, SparkContext sc) {
    try {
      return ModelBundle.load(new Path(path, DATA).toString(),
          sc.hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("loading " + path + ": " + e.getMessage(), e);
    }
  }

  /** Spark ML's writer of a model that holds a SavedNetwork: {@link #save}. */
  static final class Writer extends MLWriter {
    private final Params instance;
    private final Supplier<ModelBundle> bundle;

    Writer(Params instance, Supplier<ModelBundle> bundle) {
      this.instance = instance;
      this.bundle = bundle;
    }

    @Override
    public void saveImpl(String path) {
      SavedNetwork.save(instance, bundle.get(), path, sc());
    }
  }

  /**
   * Spark ML's reader of such a model: its files, then its params from the metadata.
   *
   * @param <T> the model
   */
  static final class Reader<T extends Params> extends MLReader<T> {
    private final Class<T> type;
    private final BiFunction<String, ModelBundle, T> model;

    /** @param model makes the model of a uid and its files */
    Reader(Class<T> type, BiFunction<String, ModelBundle, T> model) {
      this.type = type;
      this.model = model;
    }

    @Override
    public T load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(),
          type.getName());
      T loaded = model.apply(metadata.uid(), SavedNetwork.read(path, sc()));
      metadata.getAndSetParams(loaded, Option.empty());
      return loaded;
    }
  }
}
