package org.sparktrain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.regression.LabeledPoint;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.evaluation.classification.ROCMultiClass;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.train.NativeArrays;
import scala.Tuple2;

/**
 * Scenarios of dl4j-spark's {@code TestSparkMultiLayerParameterAveraging}, written against the
 * shim with only the imports changed: DL4J's constructors and builder, fitting from RDDs,
 * LabeledPoints and saved DataSet files, seeds, iteration and epoch counts, distributed scoring
 * and evaluation equal to the local ones.
 */
class SparkDl4jMultiLayerCompatibilityTest {
  private static final int N_IN = 4;
  private static final int N_OUT = 3;
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private static MultiLayerConfiguration rmsPropNet() {
    return new NeuralNetConfiguration.Builder().seed(12345).updater(new RmsProp())
        .weightInit(WeightInit.XAVIER).list()
        .layer(0, new DenseLayer.Builder().nIn(N_IN).nOut(8).activation(Activation.TANH).build())
        .layer(1, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(N_OUT)
            .activation(Activation.SOFTMAX).build())
        .build();
  }

  private List<DataSet> singles(int n, long seed) {
    List<DataSet> out = new ArrayList<>();
    for (DataSet ds : Dl4jSparkFixtures.dataSets(1, n, "classes", seed)) {
      out.addAll(ds.asList());
    }
    return out;
  }

  /** testSmallAmountOfData: fewer examples than workers; a softmax with MSE on random labels. */
  @Test
  void smallAmountOfDataTrainsASoftmaxWithMse() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new RmsProp())
        .list()
        .layer(0, new DenseLayer.Builder().nIn(N_IN).nOut(3).activation(Activation.TANH).build())
        .layer(1, new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(N_OUT)
            .activation(Activation.SOFTMAX).build())
        .build();
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, conf,
        new ParameterAveragingTrainingMaster(true, 4, 1, 10, 1, 0));
    Nd4j.getRandom().setSeed(12345);
    DataSet d1 = new DataSet(Nd4j.rand(1, N_IN), Nd4j.rand(1, N_OUT));
    DataSet d2 = new DataSet(Nd4j.rand(1, N_IN), Nd4j.rand(1, N_OUT));
    INDArray before = sparkNet.getNetwork().params().dup();
    sparkNet.fit(sc.parallelize(Arrays.asList(d1, d2)));
    assertThat(sparkNet.getNetwork().params()).isNotEqualTo(before);
    assertThat(sparkNet.getNetwork().getEpochCount()).isEqualTo(1);
  }

  /** testFromSvmLightBackprop: fitLabeledPoint trains a classifier from MLlib points. */
  @Test
  void fitLabeledPointTrainsFromMllibPoints() {
    List<LabeledPoint> points = new ArrayList<>();
    for (DataSet ds : singles(90, 5)) {
      points.add(new LabeledPoint(ds.getLabels().argMax(1).getInt(0),
          Vectors.dense(ds.getFeatures().toDoubleVector())));
    }
    SparkDl4jMultiLayer master = new SparkDl4jMultiLayer(sc, rmsPropNet(),
        new ParameterAveragingTrainingMaster(true, 2, 1, 5, 1, 0));
    for (int epoch = 0; epoch < 3; epoch++) {
      master.fitLabeledPoint(sc.parallelize(points));
    }
    MultiLayerNetwork network = master.getNetwork();
    Evaluation evaluation = new Evaluation();
    DataSet all = DataSet.merge(singles(90, 5));
    evaluation.eval(all.getLabels(), network.output(all.getFeatures()));
    assertThat(evaluation.accuracy()).isGreaterThan(0.8);

    Vector prediction = master.predict(points.get(0).features());
    assertThat(prediction.toArray()).containsExactly(network.output(
        all.getFeatures().getRow(0, true)).toDoubleVector(), within(1e-6));
    assertThatThrownBy(() -> master.fitLabeledPoint(sc.parallelize(List.of(
        new LabeledPoint(3.0, Vectors.dense(1, 2, 3, 4))))))
        .hasRootCauseMessage("SparkDl4jMultiLayer.fitLabeledPoint: label 3.0 is not a class of"
            + " the output layer's 3 (an integer 0..2); for a regression target use "
            + "fitContinuousLabeledPoint");
  }

  /** testSeedRepeatability: the same seed trains to the same parameters, another does not. */
  @Test
  void theSameSeedTrainsToTheSameParameters() {
    MultiLayerConfiguration conf = rmsPropNet();
    List<SparkDl4jMultiLayer> nets = new ArrayList<>();
    for (long seed : new long[] {12345, 12345, 98765}) {
      MultiLayerNetwork n = new MultiLayerNetwork(conf);
      n.init();
      nets.add(new SparkDl4jMultiLayer(sc, n, new ParameterAveragingTrainingMaster.Builder(1)
          .workerPrefetchNumBatches(5).batchSizePerWorker(5).averagingFrequency(1)
          .repartionData(Repartition.Always).rngSeed(seed).build()));
    }
    JavaRDD<DataSet> rdd = sc.parallelize(singles(60, 6));
    nets.forEach(n -> n.fit(rdd));
    INDArray p1 = nets.get(0).getNetwork().params();
    assertThat(p1).isEqualTo(nets.get(1).getNetwork().params());
    assertThat(p1).isNotEqualTo(nets.get(2).getNetwork().params());
  }

  /** testIterationCounts and testEpochCounter: counts as DL4J keeps them. */
  @Test
  void iterationAndEpochCountsAreDl4js() {
    int batchSizePerExecutor = 5;
    int minibatchesPerWorkerPerEpoch = 4;
    JavaRDD<DataSet> rdd = sc.parallelize(Dl4jSparkFixtures.dataSets(8, 5, "classes", 7));
    for (int avgFreq : new int[] {1, 3}) {
      SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, rmsPropNet().clone(),
          new ParameterAveragingTrainingMaster.Builder(2, 5)
              .batchSizePerWorker(batchSizePerExecutor).averagingFrequency(avgFreq)
              .repartionData(Repartition.Always).build());
      sparkNet.setListeners(new ScoreIterationListener(1));
      for (int i = 0; i < 2; i++) {
        assertThat(sparkNet.getNetwork().getLayerWiseConfigurations().getEpochCount())
            .isEqualTo(i);
        sparkNet.fit(rdd);
        assertThat(sparkNet.getNetwork().getLayerWiseConfigurations().getIterationCount())
            .isEqualTo((i + 1) * minibatchesPerWorkerPerEpoch);
        assertThat(sparkNet.getNetwork().getLayerWiseConfigurations().getEpochCount())
            .isEqualTo(i + 1);
      }
      assertThat(sparkNet.getScore()).isFinite();
    }
  }

  /** testFitViaStringPaths: saved DataSets train as the same DataSets in an RDD do. */
  @Test
  void fitFromSavedDataSetFilesEqualsFitFromTheRdd() throws IOException {
    List<DataSet> sets = Dl4jSparkFixtures.dataSets(6, 10, "classes", 8);
    for (int i = 0; i < sets.size(); i++) {
      sets.get(i).save(dir.resolve(i + ".bin").toFile());
    }
    SparkDl4jMultiLayer viaPath = new SparkDl4jMultiLayer(sc, rmsPropNet(),
        Dl4jSparkFixtures.master(2, 5, 2, "driver"));
    INDArray paramsBefore = viaPath.getNetwork().params().dup();
    viaPath.fit(dir.toUri().toString());
    assertThat(viaPath.getNetwork().params()).isNotEqualTo(paramsBefore);

    SparkDl4jMultiLayer viaRdd = new SparkDl4jMultiLayer(sc, rmsPropNet(),
        Dl4jSparkFixtures.master(2, 5, 2, "driver"));
    viaRdd.fit(sc.parallelize(sets, 3));
    assertThat(NativeArrays.toFloats(viaPath.getNetwork().params()))
        .isEqualTo(NativeArrays.toFloats(viaRdd.getNetwork().params()));
    assertThat(viaPath.evaluate(dir.toUri().toString()).accuracy())
        .isEqualTo(viaRdd.evaluate(sc.parallelize(sets)).accuracy());
  }

  /** testEvaluation: the distributed evaluation equals a local one. */
  @Test
  void evaluationEqualsTheLocalOne() {
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, rmsPropNet(),
        Dl4jSparkFixtures.master(2, 8, 2, "driver"));
    List<DataSet> sets = Dl4jSparkFixtures.dataSets(5, 20, "classes", 9);
    sparkNet.fit(sc.parallelize(sets));
    MultiLayerNetwork netCopy = sparkNet.getNetwork().clone();
    DataSet all = DataSet.merge(sets);
    Evaluation evalExpected = new Evaluation();
    evalExpected.eval(all.getLabels(), netCopy.output(all.getFeatures(), false));

    Evaluation evalActual = sparkNet.evaluate(sc.parallelize(sets, 3), List.of("a", "b", "c"),
        7);
    assertThat(evalActual.accuracy()).isEqualTo(evalExpected.accuracy());
    assertThat(evalActual.f1()).isEqualTo(evalExpected.f1());
    assertThat(evalActual.getConfusionMatrix()).isEqualTo(evalExpected.getConfusionMatrix());
    assertThat(evalActual.getLabelsList()).containsExactly("a", "b", "c");
    Evaluation[] two = sparkNet.doEvaluation(sc.parallelize(sets), 16, new Evaluation(),
        new Evaluation());
    assertThat(two[1].accuracy()).isEqualTo(evalExpected.accuracy());
  }

  /** testDistributedScoring: per-example and total scores equal the local network's. */
  @Test
  void distributedScoringEqualsLocalScoring() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().l1(0.1).l2(0.1)
        .seed(123).updater(new Nesterovs(0.1, 0.9)).list()
        .layer(0, new DenseLayer.Builder().nIn(N_IN).nOut(3).activation(Activation.TANH).build())
        .layer(1, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(N_OUT)
            .activation(Activation.SOFTMAX).build())
        .build();
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, conf,
        new ParameterAveragingTrainingMaster(true, 2, 1, 10, 1, 0));
    MultiLayerNetwork netCopy = sparkNet.getNetwork().clone();
    int nRows = 40;
    INDArray features = Nd4j.rand(nRows, N_IN);
    INDArray labels = Nd4j.zeros(nRows, N_OUT);
    Random r = new Random(12345);
    for (int i = 0; i < nRows; i++) {
      labels.putScalar(new int[] {i, r.nextInt(N_OUT)}, 1.0);
    }
    INDArray localWithReg = netCopy.scoreExamples(new DataSet(features, labels), true);
    INDArray localNoReg = netCopy.scoreExamples(new DataSet(features, labels), false);

    List<Tuple2<String, DataSet>> withKeys = new ArrayList<>();
    List<DataSet> noKeys = new ArrayList<>();
    for (int i = 0; i < nRows; i++) {
      DataSet ds = new DataSet(features.getRow(i, true).dup(), labels.getRow(i, true).dup());
      withKeys.add(new Tuple2<>(String.valueOf(i), ds));
      noKeys.add(ds);
    }
    JavaPairRDD<String, DataSet> keyed = sc.parallelizePairs(withKeys);
    Map<String, Double> withReg = sparkNet.scoreExamples(keyed, true, 4).collectAsMap();
    Map<String, Double> noReg = sparkNet.scoreExamples(keyed, false, 4).collectAsMap();
    for (int i = 0; i < nRows; i++) {
      assertThat(withReg.get(String.valueOf(i))).isCloseTo(localWithReg.getDouble(i),
          within(1e-5));
      assertThat(noReg.get(String.valueOf(i))).isCloseTo(localNoReg.getDouble(i),
          within(1e-5));
    }
    List<Double> scores = new ArrayList<>(sparkNet.scoreExamples(sc.parallelize(noKeys), true, 4)
        .collect());
    Collections.sort(scores);
    double[] local = localWithReg.toDoubleVector();
    Arrays.sort(local);
    for (int i = 0; i < local.length; i++) {
      assertThat(scores.get(i)).isCloseTo(local[i], within(1e-5));
    }
    DataSet all = new DataSet(features, labels);
    assertThat(sparkNet.calculateScore(sc.parallelize(noKeys, 3), true))
        .isCloseTo(netCopy.score(all), within(1e-5));
    assertThat(sparkNet.calculateScore(sc.parallelize(noKeys, 3), false))
        .isCloseTo(netCopy.score(all) * nRows, within(1e-3));
  }

  /** testROC and testROCMultiClass, plus regression evaluation and feedForwardWithKey. */
  @Test
  void rocRegressionAndFeedForwardEqualTheLocalOnes() {
    MultiLayerNetwork net = new MultiLayerNetwork(rmsPropNet());
    net.init();
    Nd4j.getRandom().setSeed(12345);
    Random r = new Random(12345);
    ROCMultiClass local = new ROCMultiClass(20);
    List<DataSet> dsList = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      INDArray features = Nd4j.rand(16, N_IN);
      INDArray p = net.output(features);
      INDArray l = Nd4j.zeros(16, N_OUT);
      for (int j = 0; j < 16; j++) {
        l.putScalar(j, r.nextInt(N_OUT), 1.0);
      }
      local.eval(l, p);
      dsList.add(new DataSet(features, l));
    }
    SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, null);
    ROCMultiClass sparkRoc = sparkNet.evaluateROCMultiClass(sc.parallelize(dsList), 20, 8);
    for (int i = 0; i < N_OUT; i++) {
      assertThat(sparkRoc.calculateAUC(i)).isCloseTo(local.calculateAUC(i), within(1e-6));
      assertThat(sparkRoc.getRocCurve(i)).isEqualTo(local.getRocCurve(i));
    }
    RegressionEvaluation regression = sparkNet.evaluateRegression(sc.parallelize(dsList));
    RegressionEvaluation regressionLocal = new RegressionEvaluation(N_OUT);
    DataSet all = DataSet.merge(dsList);
    regressionLocal.eval(all.getLabels(), net.output(all.getFeatures()));
    assertThat(regression.averageMeanSquaredError())
        .isCloseTo(regressionLocal.averageMeanSquaredError(), within(1e-6));
    MultiLayerNetwork binary = new MultiLayerNetwork(Dl4jSparkFixtures.network(1,
        Activation.SIGMOID, LossFunctions.LossFunction.XENT));
    binary.init();
    List<DataSet> binarySets = Dl4jSparkFixtures.dataSets(4, 16, "binary", 10);
    ROC rocLocal = new ROC(20);
    for (DataSet ds : binarySets) {
      rocLocal.eval(ds.getLabels(), binary.output(ds.getFeatures()));
    }
    ROC roc = new SparkDl4jMultiLayer(sc, binary, null).evaluateROC(sc.parallelize(binarySets),
        20, 5);
    assertThat(roc.calculateAUC()).isCloseTo(rocLocal.calculateAUC(), within(1e-9));
    assertThat(roc.getRocCurve()).isEqualTo(rocLocal.getRocCurve());

    List<Tuple2<Integer, INDArray>> keyed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keyed.add(new Tuple2<>(i, all.getFeatures().getRow(i, true).dup()));
    }
    Map<Integer, INDArray> out = sparkNet.feedForwardWithKey(sc.parallelizePairs(keyed, 2), 3)
        .collectAsMap();
    for (int i = 0; i < 10; i++) {
      assertThat(out.get(i).toDoubleVector()).containsExactly(
          net.output(all.getFeatures().getRow(i, true)).toDoubleVector(), within(1e-6));
    }
    assertThatThrownBy(() -> sparkNet.feedForwardWithMaskAndKey(null, 2))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("feedForwardWithMaskAndKey")
        .hasMessageContaining("use feedForwardWithKey");
  }
}
