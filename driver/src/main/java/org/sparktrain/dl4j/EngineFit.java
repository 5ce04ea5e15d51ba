package org.sparktrain.dl4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.train.TrainedModel;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.worker.model.Dl4jConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.NativeArrays;

/**
 * Epochs of a DL4J network on sparktrain's engine, continuing from where the network is: its
 * parameters, its updater state and its epoch count (DL4J's {@code getEpochCount()}) are the
 * snapshot the engine starts from, at the first round of that epoch; afterwards the trained
 * parameters, averaged updater state and counts are written back into the same network object.
 * So two calls of one epoch train exactly as one call of two, and a network that trained
 * elsewhere continues here.
 */
final class EngineFit {
  private static final Logger LOG = LoggerFactory.getLogger(EngineFit.class);
  private EngineFit() {}

  /**
   * Trains {@code network} (in place) for {@code epochs} epochs over {@code dataSets}.
   *
   * @param configurationJson the network's configuration as the program gave it (DL4J keeps a
   *     clone of it too): every worker builds its copy from it
   * @param firstEpoch the epoch to start at: the epochs the network trained before
   * @return the mean training loss of the last round (DL4J's {@code getScore()})
   */
  static double fit(JavaSparkContext sc, Network network, String configurationJson,
      TrainingMaster<?, ?> master, JavaRDD<DataSet> dataSets, int firstEpoch, int epochs,
      String caller) {
    if (master == null) {
      throw new IllegalStateException(caller + ": this instance was built without a "
          + "TrainingMaster (for evaluation only); build it with a "
          + "ParameterAveragingTrainingMaster to train");
    }
    EngineSettings s = master.engineSettings();
    int workers = s.workers() > 0 ? s.workers() : sc.defaultParallelism();
    ExampleShards shards = ExampleShards.of(sc, dataSets, workers, caller);
    if (shards.workers() < workers) {
      LOG.warn("{}: {} examples for {} workers; training with {} (each needs one)", caller,
          shards.workers(), workers, shards.workers());
    }
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("sparktrain-dl4j");
      JobSpec spec = spec(scratch, configurationJson, shards, s, shards.workers(),
          firstEpoch + epochs);
      TrainingLoop loop = new TrainingLoop(sc, spec, shards.data());
      try {
        long firstRound = (long) firstEpoch
            * loop.settings().schedule().roundsPerEpoch();
        TrainedModel trained = loop.run((metrics, schedule) -> { },
            new Progress(snapshotOf(network, firstEpoch), firstRound, List.of(), 0,
                0));
        ModelSnapshot end = trained.finalProgress().snapshot().withStatesMerged();
        NativeArrays.copyInto(network.params(), end.params());
        INDArray state = network.updaterState();
        if (state != null && end.optimizerStates().length > 0) {
          NativeArrays.copyInto(state, end.optimizerStates()[0]);
        }
        network.setCounts(Math.toIntExact(end.iteration()), firstEpoch + epochs);
        List<RoundMetrics> history = trained.history();
        return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).loss();
      } finally {
        loop.release();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(caller + ": " + e.getMessage(), e);
    } finally {
      shards.data().release();
      if (scratch != null) {
        FileUtils.deleteQuietly(scratch.toFile());
      }
    }
  }

  /** Where the network is now: the engine's starting snapshot. */
  private static ModelSnapshot snapshotOf(Network network, int epoch) {
    INDArray state = network.updaterState();
    float[][] states = state == null ? new float[0][]
        : new float[][] {NativeArrays.toFloats(state)};
    return new ModelSnapshot(NativeArrays.toFloats(network.params()), states,
        network.iterationCount(), epoch);
  }

  /**
   * The engine's spec for these shards: the configuration as it is, labels as given, no
   * validation, test or checkpoints (the program holds the network), the master's settings.
   */
  private static JobSpec spec(Path scratch, String configurationJson, ExampleShards shards,
      EngineSettings s, int workers, int epochs) throws IOException {
    Path configuration = scratch.resolve("configuration.json");
    Files.writeString(configuration, configurationJson, StandardCharsets.UTF_8);
    Dl4jConfig parsed = new Dl4jConfig(configurationJson, "the network's configuration");
    JobSpec spec = JobSpecParser.parseTree(Map.of(
        // Never read: the shards are prepared already.
        "data", Map.of("uri", scratch.resolve("rdd.csv").toString(),
            "numClasses", parsed.kind().classification() ? parsed.outputWidth(0) : 0,
            "split", Map.of("train", 1.0, "validation", 0.0, "test", 0.0)),
        "preprocess", Map.of("normalize", "none"),
        "model", Map.of("name", "dl4j", "configuration", configuration.toUri().toString()),
        "train", Map.of("epochs", epochs, "batchSize", s.batchSizePerWorker(),
            "workers", workers, "averagingFrequency", s.averagingFrequency(),
            "seed", s.seed(), "sync", s.sync(), "averageOptimizerState", true),
        "output", Map.of("dir", scratch.resolve("run").toUri().toString())), null);
    Dl4jConfig given = ((Dl4jConfig) spec.model()).withExamplesAsGiven(shards.featureShape(),
        shards.labelShape());
    return new JobSpec(spec.data(), spec.preprocess(), given, spec.train(), spec.eval(),
        spec.checkpoint(), spec.output());
  }
}
