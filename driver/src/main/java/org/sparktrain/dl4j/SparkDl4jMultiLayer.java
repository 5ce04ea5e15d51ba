package org.sparktrain.dl4j;

import java.util.List;
import java.util.Collection;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaDoubleRDD;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.regression.LabeledPoint;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.evaluation.classification.ROCMultiClass;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.model.Network;
import scala.Tuple2;

/**
 * Deeplearning4j's {@code SparkDl4jMultiLayer} on sparktrain's engine: a dl4j-spark program
 * switches by changing its imports (this class, {@link ParameterAveragingTrainingMaster},
 * {@link TrainingMaster}). Each {@code fit} is one epoch that continues from the network's
 * parameters, updater state and epoch count, as in DL4J; labels reach the loss as the DataSets
 * hold them, so any output layer trains. Evaluation and scoring run on the executors. What is
 * not supported throws {@link UnsupportedOperationException} naming the alternative; the README
 * has the full table.
 */
public final class SparkDl4jMultiLayer {
  public static final int DEFAULT_EVAL_SCORE_BATCH_SIZE = 64;
  public static final int DEFAULT_ROC_THRESHOLD_STEPS = 32;
  public static final int DEFAULT_EVAL_WORKERS = 4;

  private final SparkNetworkCore core;
  private MultiLayerNetwork network;
  private int defaultEvaluationWorkers = DEFAULT_EVAL_WORKERS;

  public SparkDl4jMultiLayer(SparkContext sc, MultiLayerNetwork network,
      TrainingMaster<?, ?> trainingMaster) {
    this(JavaSparkContext.fromSparkContext(sc), network, trainingMaster);
  }

  public SparkDl4jMultiLayer(SparkContext sc, MultiLayerConfiguration conf,
      TrainingMaster<?, ?> trainingMaster) {
    this(JavaSparkContext.fromSparkContext(sc), initialized(conf), trainingMaster);
  }

  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerConfiguration conf,
      TrainingMaster<?, ?> trainingMaster) {
    this(sc, initialized(conf), trainingMaster);
  }

  /** @param trainingMaster null for an instance that only evaluates and predicts */
  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerNetwork network,
      TrainingMaster<?, ?> trainingMaster) {
    if (!network.isInitCalled()) {
      network.init();
    }
    this.network = network;
    this.core = new SparkNetworkCore(sc, Network.wrap(network),
        network.getLayerWiseConfigurations().clone().toJson(), trainingMaster,
        "SparkDl4jMultiLayer");
  }

  private static MultiLayerNetwork initialized(MultiLayerConfiguration conf) {
    // A clone: the network keeps its epoch and iteration counts in its configuration, which
    // would otherwise be shared with every other network the program builds from it.
    MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
    net.init();
    return net;
  }

  public JavaSparkContext getSparkContext() {
    return core.sc();
  }

  /** The network: initialized before the first {@code fit}, trained in place by each. */
  public MultiLayerNetwork getNetwork() {
    return network;
  }

  @SuppressWarnings("rawtypes")
  public TrainingMaster getTrainingMaster() {
    return core.master();
  }

  /** Trains and evaluates {@code network} from now on (its own configuration and state). */
  public void setNetwork(MultiLayerNetwork network) {
    if (!network.isInitCalled()) {
      network.init();
    }
    this.network = network;
    core.setNetwork(Network.wrap(network), network.getLayerWiseConfigurations().clone()
        .toJson());
  }

  public int getDefaultEvaluationWorkers() {
    return defaultEvaluationWorkers;
  }

  /**
   * Accepted; each evaluation task uses its executor's one pooled copy of the network, so the
   * number has no effect here.
   */
  public void setDefaultEvaluationWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("Number of workers must be > 0: got " + workers);
    }
    this.defaultEvaluationWorkers = workers;
  }

  /** Accepted and ignored, logged once: see the README's table. */
  public void setListeners(TrainingListener... listeners) {
    core.setListeners();
  }

  public void setListeners(Collection<TrainingListener> listeners) {
    core.setListeners();
  }

  public void setCollectTrainingStats(boolean collectTrainingStats) {
    core.master().setCollectTrainingStats(collectTrainingStats);
  }

  /** Refused: see {@link TrainingMaster#getTrainingStats()}. */
  public Object getSparkTrainingStats() {
    return core.master().getTrainingStats();
  }

  /** The mean training loss of the last round of the last {@code fit}. */
  public double getScore() {
    return core.score();
  }

  public void setScore(double lastScore) {
    core.setScore(lastScore);
  }

  public Matrix predict(Matrix features) {
    return core.predict(features);
  }

  public Vector predict(Vector point) {
    return core.predict(point);
  }

  public MultiLayerNetwork fit(RDD<DataSet> trainingData) {
    return fit(trainingData.toJavaRDD());
  }

  /**
   * One epoch over every example of {@code trainingData} on sparktrain's engine, continuing
   * from the network's current state; the epoch count goes up by one. Examples keep their RDD
   * order, so the same program trains to the same parameters.
   */
  public MultiLayerNetwork fit(JavaRDD<DataSet> trainingData) {
    return fitEpochs(trainingData, 1);
  }

  /** {@code epochs} epochs in one engine run: the same parameters as that many fit calls. */
  MultiLayerNetwork fitEpochs(JavaRDD<DataSet> trainingData, int epochs) {
    core.fit(trainingData, epochs, "fit");
    return network;
  }

  /** One epoch over the DataSets saved ({@code DataSet.save}) under {@code path}. */
  public MultiLayerNetwork fit(String path) {
    return fitPaths(DataSetFiles.list(core.sc(), path));
  }

  /** @deprecated as in DL4J: use {@link #fit(String)} */
  @Deprecated
  public MultiLayerNetwork fit(String path, int minPartitions) {
    return fit(path);
  }

  /** One epoch over the saved DataSets at {@code paths}, in that order. */
  public MultiLayerNetwork fitPaths(JavaRDD<String> paths) {
    return fit(DataSetFiles.dataSets(core.sc(), paths));
  }

  /** One epoch over labeled points, each label a class index (one-hot over the outputs). */
  public MultiLayerNetwork fitLabeledPoint(JavaRDD<LabeledPoint> rdd) {
    return fit(core.fromLabeledPoints(rdd, false));
  }

  /** One epoch over labeled points, each label a regression target. */
  public MultiLayerNetwork fitContinuousLabeledPoint(JavaRDD<LabeledPoint> rdd) {
    return fit(core.fromLabeledPoints(rdd, true));
  }

  public double calculateScore(RDD<DataSet> data, boolean average) {
    return calculateScore(data.toJavaRDD(), average);
  }

  public double calculateScore(JavaRDD<DataSet> data, boolean average) {
    return calculateScore(data, average, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  /** The mean ({@code average}) or sum of DL4J's score over every example, on the executors. */
  public double calculateScore(JavaRDD<DataSet> data, boolean average, int minibatchSize) {
    return core.calculateScore(data, average, minibatchSize);
  }

  public JavaDoubleRDD scoreExamples(RDD<DataSet> data, boolean includeRegularizationTerms) {
    return scoreExamples(data.toJavaRDD(), includeRegularizationTerms);
  }

  public JavaDoubleRDD scoreExamples(JavaRDD<DataSet> data,
      boolean includeRegularizationTerms) {
    return scoreExamples(data, includeRegularizationTerms, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public JavaDoubleRDD scoreExamples(RDD<DataSet> data, boolean includeRegularizationTerms,
      int batchSize) {
    return scoreExamples(data.toJavaRDD(), includeRegularizationTerms, batchSize);
  }

  /** Each example's score, in RDD order (DL4J's {@code MultiLayerNetwork.scoreExamples}). */
  public JavaDoubleRDD scoreExamples(JavaRDD<DataSet> data, boolean includeRegularizationTerms,
      int batchSize) {
    return core.onExecutors().scoreExamples(data, includeRegularizationTerms, batchSize);
  }

  public <K> JavaPairRDD<K, Double> scoreExamples(JavaPairRDD<K, DataSet> data,
      boolean includeRegularizationTerms) {
    return scoreExamples(data, includeRegularizationTerms, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  /** The score of each keyed DataSet of one example. */
  public <K> JavaPairRDD<K, Double> scoreExamples(JavaPairRDD<K, DataSet> data,
      boolean includeRegularizationTerms, int batchSize) {
    return core.onExecutors().scoreExamples(data, includeRegularizationTerms);
  }

  /** The network's output for each keyed features array. */
  public <K> JavaPairRDD<K, INDArray> feedForwardWithKey(JavaPairRDD<K, INDArray> featuresData,
      int batchSize) {
    return core.onExecutors().feedForwardWithKey(featuresData, batchSize);
  }

  /** Refused: masks (variable-length sequences) are not supported. */
  public <K> JavaPairRDD<K, INDArray> feedForwardWithMaskAndKey(
      JavaPairRDD<K, Tuple2<INDArray, INDArray>> featuresDataAndMask, int batchSize) {
    throw Refusal.of("SparkDl4jMultiLayer.feedForwardWithMaskAndKey", "mask arrays are not "
        + "supported; use feedForwardWithKey with unmasked features");
  }

  public Evaluation evaluate(RDD<DataSet> data) {
    return evaluate(data.toJavaRDD());
  }

  /** Classification metrics over every example, computed on the executors and merged. */
  public Evaluation evaluate(JavaRDD<DataSet> data) {
    return evaluate(data, null);
  }

  /** {@link #evaluate(JavaRDD)} of the DataSets saved under {@code path}. */
  public Evaluation evaluate(String path) {
    return evaluate(DataSetFiles.dataSets(core.sc(), DataSetFiles.list(core.sc(), path)));
  }

  public Evaluation evaluate(RDD<DataSet> data, List<String> labelsList) {
    return evaluate(data.toJavaRDD(), labelsList);
  }

  public Evaluation evaluate(JavaRDD<DataSet> data, List<String> labelsList) {
    return evaluate(data, labelsList, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public Evaluation evaluate(JavaRDD<DataSet> data, List<String> labelsList,
      int evalBatchSize) {
    Evaluation e = doEvaluation(data, new Evaluation(), evalBatchSize);
    if (labelsList != null) {
      e.setLabelsList(labelsList);
    }
    return e;
  }

  public RegressionEvaluation evaluateRegression(JavaRDD<DataSet> data) {
    return evaluateRegression(data, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public RegressionEvaluation evaluateRegression(JavaRDD<DataSet> data, int minibatchSize) {
    return doEvaluation(data, new RegressionEvaluation(core.network().outputWidth()),
        minibatchSize);
  }

  public ROC evaluateROC(JavaRDD<DataSet> data) {
    return evaluateROC(data, DEFAULT_ROC_THRESHOLD_STEPS, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public ROC evaluateROC(JavaRDD<DataSet> data, int thresholdSteps,
      int evaluationMinibatchSize) {
    return doEvaluation(data, new ROC(thresholdSteps), evaluationMinibatchSize);
  }

  public ROCMultiClass evaluateROCMultiClass(JavaRDD<DataSet> data) {
    return evaluateROCMultiClass(data, DEFAULT_ROC_THRESHOLD_STEPS,
        DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public ROCMultiClass evaluateROCMultiClass(JavaRDD<DataSet> data, int thresholdSteps,
      int evaluationMinibatchSize) {
    return doEvaluation(data, new ROCMultiClass(thresholdSteps), evaluationMinibatchSize);
  }

  /** Any {@link IEvaluation}, filled on the executors and merged. */
  public <T extends IEvaluation> T doEvaluation(JavaRDD<DataSet> data, T emptyEvaluation,
      int evalBatchSize) {
    return doEvaluation(data, evalBatchSize, emptyEvaluation)[0];
  }

  @SafeVarargs
  public final <T extends IEvaluation> T[] doEvaluation(JavaRDD<DataSet> data,
      int evalBatchSize, T... emptyEvaluations) {
    return core.evaluate(data, evalBatchSize, emptyEvaluations);
  }

  /** {@code evalNumWorkers} has no effect here: see {@link #setDefaultEvaluationWorkers}. */
  @SafeVarargs
  public final <T extends IEvaluation> T[] doEvaluation(JavaRDD<DataSet> data,
      int evalNumWorkers, int evalBatchSize, T... emptyEvaluations) {
    return core.evaluate(data, evalBatchSize, emptyEvaluations);
  }
}
