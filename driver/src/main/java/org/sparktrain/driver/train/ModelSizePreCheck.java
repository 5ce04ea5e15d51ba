package org.sparktrain.driver.train;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;
import org.sparktrain.driver.cluster.OffHeapPreCheck;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.model.Dl4jConfig;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.ModelMemory;
import org.sparktrain.worker.model.ModelSize;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.model.ResNetConfig;
import org.sparktrain.worker.model.TransformerConfig;

/**
 * Refuses, before the driver builds the network, a model this run cannot hold. Every model key
 * has bounds, yet together they can define a network no machine holds ({@code model.hidden:
 * [65536, 65536]} is 4.3 billion parameters, 16 GiB of floats); built first, such a network took
 * the driver minutes and most of the machine's memory before any check ran.
 *
 * <p>The size is counted from the configuration ({@link ModelSize}, DL4J's memory report),
 * nothing of it allocated: the parameters within what one float[] holds, the driver's copy of
 * parameters and optimizer state within its heap and ND4J off-heap limit, and every training
 * task within the executors' limit ({@link OffHeapPreCheck}).
 */
final class ModelSizePreCheck {
  private static final long MIB = 1 << 20;

  private ModelSizePreCheck() {}

  static void check(SparkConf sparkConf, JobSpec spec, NetworkConfig network, int numFeatures) {
    ModelSize size = ModelSize.of(network);
    int batchSize = spec.train().batchSize();
    if (size.params() > ModelMemory.MAX_PARAMS) {
      throw new SpecException(String.format(Locale.ROOT, "%s: the network would have %,d "
          + "parameters (%,d MiB as floats, and optimizer state beside them); at most %,d "
          + "are supported. Use %s", sizeKeys(spec.model()), size.params(),
          size.params() * Float.BYTES / MIB, ModelMemory.MAX_PARAMS, advice(spec.model())));
    }
    // The driver holds the network (off-heap) and its snapshot of parameters and optimizer
    // state (on the heap).
    long heap = Runtime.getRuntime().maxMemory();
    long offHeap = Pointer.maxBytes();
    if (size.floatBytes() > heap || (offHeap > 0 && size.floatBytes() > offHeap)) {
      throw new SpecException(String.format(Locale.ROOT, "%s: the network has %,d parameters "
          + "and %,d optimizer state values (%,d MiB as floats), which the driver holds both on "
          + "its heap and off-heap, but it may use %,d MiB of heap (-Xmx, --driver-memory) and "
          + "%,d MiB off-heap (org.bytedeco.javacpp.maxbytes). Use %s, or give the driver more "
          + "memory (bin/sparktrain reads SPARKTRAIN_JAVA_OPTS)", sizeKeys(spec.model()),
          size.params(), size.stateValues(), size.floatBytes() / MIB, heap / MIB, offHeap / MIB,
          advice(spec.model())));
    }
    OffHeapPreCheck.check(sparkConf, OffHeapPreCheck.bytesPerTask(network, numFeatures,
        batchSize), spec.train().workers());
  }

  /** The spec keys that set the model's size, with their values. */
  static String sizeKeys(ModelConfig model) {
    if (model instanceof MlpConfig mlp) {
      return "model.hidden " + Arrays.toString(mlp.hidden());
    }
    if (model instanceof TransformerConfig t) {
      return "model.layers " + t.layers() + ", model.width " + t.width() + " (model "
          + t.name() + ")";
    }
    if (model instanceof ResNetConfig r) {
      return "model.widths " + Arrays.toString(r.stageWidths()) + ", model.blocksPerStage "
          + r.blocksPerStage() + ", model.stemWidth " + r.stemWidth();
    }
    if (model instanceof Dl4jConfig d) {
      return "model.configuration " + d.source();
    }
    return "model " + model.name() + " (its size follows the data's features and classes)";
  }

  private static String advice(ModelConfig model) {
    if (model instanceof MlpConfig) {
      return "fewer or narrower hidden layers in model.hidden";
    }
    if (model instanceof TransformerConfig) {
      return "fewer model.layers or a smaller model.width";
    }
    if (model instanceof ResNetConfig) {
      return "smaller model.widths or fewer model.blocksPerStage";
    }
    if (model instanceof Dl4jConfig) {
      return "a smaller network in model.configuration";
    }
    return "fewer features or classes";
  }
}
