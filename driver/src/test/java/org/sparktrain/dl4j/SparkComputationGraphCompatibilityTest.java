package org.sparktrain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.train.NativeArrays;
import scala.Tuple2;

/**
 * Scenarios of dl4j-spark's {@code TestSparkComputationGraph} on the shim: a graph trains from
 * DataSets, MultiDataSets and saved MultiDataSet files to the same parameters; evaluation and
 * scoring equal the local graph's, for MultiDataSets with two inputs and two outputs too; what
 * the engine cannot train is refused naming the alternative.
 */
class SparkComputationGraphCompatibilityTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private static ComputationGraphConfiguration oneInOneOut() {
    return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(0.02))
        .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(8)
            .activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nIn(8).nOut(3).build(), "hidden")
        .setOutputs("out").build();
  }

  /** Two inputs merged, two outputs: a class and a regression target. */
  private static ComputationGraphConfiguration twoInTwoOut() {
    return new NeuralNetConfiguration.Builder().seed(6).updater(new Adam(0.02))
        .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("a", "b")
        .addLayer("da", new DenseLayer.Builder().nIn(4).nOut(5).build(), "a")
        .addLayer("db", new DenseLayer.Builder().nIn(2).nOut(5).build(), "b")
        .addVertex("merge", new MergeVertex(), "da", "db")
        .addLayer("class", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nIn(10).nOut(3).build(), "merge")
        .addLayer("value", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .activation(Activation.IDENTITY).nIn(10).nOut(1).build(), "merge")
        .setOutputs("class", "value").build();
  }

  @Test
  void dataSetsMultiDataSetsAndSavedFilesTrainToTheSameParameters() throws IOException {
    List<DataSet> sets = Dl4jSparkFixtures.dataSets(4, 15, "classes", 21);
    List<MultiDataSet> mds = new ArrayList<>();
    for (int i = 0; i < sets.size(); i++) {
      mds.add(sets.get(i).toMultiDataSet());
      mds.get(i).save(dir.resolve(i + ".bin")
          .toFile());
    }
    SparkComputationGraph viaDataSets = new SparkComputationGraph(sc, oneInOneOut(),
        Dl4jSparkFixtures.master(2, 10, 2, "auto"));
    ComputationGraph initial = viaDataSets.getNetwork();
    INDArray before = initial.params().dup();
    assertThat(viaDataSets.fit(sc.parallelize(sets))).isSameAs(initial);
    assertThat(initial.params()).isNotEqualTo(before);
    assertThat(initial.getConfiguration().getEpochCount()).isEqualTo(1);

    SparkComputationGraph viaMds = new SparkComputationGraph(sc.sc(), oneInOneOut(),
        Dl4jSparkFixtures.master(2, 10, 2, "auto"));
    viaMds.fitMultiDataSet(sc.parallelize(mds));
    SparkComputationGraph viaFiles = new SparkComputationGraph(sc, oneInOneOut(),
        Dl4jSparkFixtures.master(2, 10, 2, "auto"));
    viaFiles.fitMultiDataSet(dir.toUri().toString());
    float[] expected = NativeArrays.toFloats(initial.params());
    assertThat(NativeArrays.toFloats(viaMds.getNetwork().params())).isEqualTo(expected);
    assertThat(NativeArrays.toFloats(viaFiles.getNetwork().params())).isEqualTo(expected);

    Evaluation local = new Evaluation();
    for (DataSet ds : sets) {
      local.eval(ds.getLabels(), initial.outputSingle(ds.getFeatures()));
    }
    assertThat(viaDataSets.evaluate(sc.parallelize(sets)).getConfusionMatrix())
        .isEqualTo(local.getConfusionMatrix());
    assertThat(viaDataSets.evaluateMDS(sc.parallelize(mds)).getConfusionMatrix())
        .isEqualTo(local.getConfusionMatrix());
  }

  @Test
  void multiInputMultiOutputScoringEqualsTheLocalGraphAndTrainingIsRefused() {
    ComputationGraph graph = new ComputationGraph(twoInTwoOut());
    graph.init();
    Nd4j.getRandom().setSeed(3);
    List<MultiDataSet> mds = new ArrayList<>();
    List<Tuple2<Integer, INDArray[]>> keyed = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      INDArray a = Nd4j.rand(5, 4);
      INDArray b = Nd4j.rand(5, 2);
      INDArray classes = Nd4j.zeros(5, 3);
      for (int j = 0; j < 5; j++) {
        classes.putScalar(j, (i + j) % 3, 1.0);
      }
      mds.add(Dl4jSparkFixtures.multiDataSet(new INDArray[] {a, b},
          new INDArray[] {classes, Nd4j.rand(5, 1)}));
      keyed.add(new Tuple2<>(i, new INDArray[] {a, b}));
    }
    SparkComputationGraph spark = new SparkComputationGraph(sc, graph, null);
    double sum = 0;
    List<Double> perExample = new ArrayList<>();
    for (MultiDataSet m : mds) {
      sum += graph.score(m) * 5;
      for (double d : graph.scoreExamples(m, true).toDoubleVector()) {
        perExample.add(d);
      }
    }
    assertThat(spark.calculateScoreMultiDataSet(sc.parallelize(mds, 2), false))
        .isCloseTo(sum, within(1e-4));
    assertThat(spark.calculateScoreMultiDataSet(sc.parallelize(mds, 2), true))
        .isCloseTo(sum / 30, within(1e-6));
    List<Double> scores = spark.scoreExamplesMultiDataSet(sc.parallelize(mds, 2), true)
        .collect();
    for (int i = 0; i < perExample.size(); i++) {
      assertThat(scores.get(i)).isCloseTo(perExample.get(i), within(1e-6));
    }
    Map<Integer, INDArray[]> outputs = spark.feedForwardWithKey(sc.parallelizePairs(keyed, 2),
        4).collectAsMap();
    INDArray[] local = graph.output(keyed.get(2)._2());
    assertThat(outputs.get(2)).hasSize(2);
    assertThat(outputs.get(2)[1].toDoubleVector()).containsExactly(local[1].toDoubleVector(),
        within(1e-6));

    SparkComputationGraph training = new SparkComputationGraph(sc, twoInTwoOut(),
        Dl4jSparkFixtures.master(2, 5, 1, "auto"));
    JavaRDD<MultiDataSet> rdd = sc.parallelize(mds);
    assertThatThrownBy(() -> training.fitMultiDataSet(rdd))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("SparkComputationGraph.fitMultiDataSet of a graph with 2 inputs "
            + "and 2 outputs")
        .hasMessageContaining("ComputationGraph.fit");
    assertThatThrownBy(() -> training.evaluateMDS(rdd))
        .hasMessageContaining("doEvaluationMDS of a graph with 2 outputs");
  }
}
