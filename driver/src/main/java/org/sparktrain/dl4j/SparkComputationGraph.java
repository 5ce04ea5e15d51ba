package org.sparktrain.dl4j;

import java.util.Collection;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaDoubleRDD;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.evaluation.classification.ROCMultiClass;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.sparktrain.worker.model.Network;

/**
 * Deeplearning4j's {@code SparkComputationGraph} on sparktrain's engine, as
 * {@link SparkDl4jMultiLayer} is for layer stacks. Training takes graphs with one input and one
 * output ({@code DataSet}s, or {@code MultiDataSet}s of one array each); evaluation and scoring
 * of {@code MultiDataSet}s take any number of inputs (and, for scores, outputs).
 */
public final class SparkComputationGraph {
  public static final int DEFAULT_EVAL_SCORE_BATCH_SIZE = 64;
  public static final int DEFAULT_ROC_THRESHOLD_STEPS = 32;
  public static final int DEFAULT_EVAL_WORKERS = 4;

  private final SparkNetworkCore core;
  private ComputationGraph network;

  public SparkComputationGraph(SparkContext sc, ComputationGraph network,
      TrainingMaster<?, ?> trainingMaster) {
    this(JavaSparkContext.fromSparkContext(sc), network, trainingMaster);
  }

  public SparkComputationGraph(SparkContext sc, ComputationGraphConfiguration conf,
      TrainingMaster<?, ?> trainingMaster) {
    this(JavaSparkContext.fromSparkContext(sc), initialized(conf), trainingMaster);
  }

  public SparkComputationGraph(JavaSparkContext sc, ComputationGraphConfiguration conf,
      TrainingMaster<?, ?> trainingMaster) {
    this(sc, initialized(conf), trainingMaster);
  }

  /** @param trainingMaster null for an instance that only evaluates and predicts */
  public SparkComputationGraph(JavaSparkContext sc, ComputationGraph network,
      TrainingMaster<?, ?> trainingMaster) {
    if (network.getFlattenedGradients() == null) {
      network.init();
    }
    this.network = network;
    this.core = new SparkNetworkCore(sc, Network.wrap(network),
        network.getConfiguration().clone().toJson(), trainingMaster, "SparkComputationGraph");
  }

  private static ComputationGraph initialized(ComputationGraphConfiguration conf) {
    // A clone: the graph keeps its epoch and iteration counts in its configuration.
    ComputationGraph net = new ComputationGraph(conf.clone());
    net.init();
    return net;
  }

  public JavaSparkContext getSparkContext() {
    return core.sc();
  }

  /** The graph: initialized before the first {@code fit}, trained in place by each. */
  public ComputationGraph getNetwork() {
    return network;
  }

  @SuppressWarnings("rawtypes")
  public TrainingMaster getTrainingMaster() {
    return core.master();
  }

  public void setNetwork(ComputationGraph network) {
    if (network.getFlattenedGradients() == null) {
      network.init();
    }
    this.network = network;
    core.setNetwork(Network.wrap(network), network.getConfiguration().clone().toJson());
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

  public double getScore() {
    return core.score();
  }

  public void setScore(double lastScore) {
    core.setScore(lastScore);
  }

  public ComputationGraph fit(RDD<DataSet> rdd) {
    return fit(rdd.toJavaRDD());
  }

  /** One epoch on the engine, continuing from the graph's current state (see the class). */
  public ComputationGraph fit(JavaRDD<DataSet> rdd) {
    return fitEpochs(rdd, 1);
  }

  ComputationGraph fitEpochs(JavaRDD<DataSet> rdd, int epochs) {
    requireOneInputAndOutput("fit");
    core.fit(rdd, epochs, "fit");
    return network;
  }

  public ComputationGraph fit(String path) {
    return fitPaths(DataSetFiles.list(core.sc(), path));
  }

  public ComputationGraph fitPaths(JavaRDD<String> paths) {
    return fit(DataSetFiles.dataSets(core.sc(), paths));
  }

  public ComputationGraph fitMultiDataSet(RDD<MultiDataSet> rdd) {
    return fitMultiDataSet(rdd.toJavaRDD());
  }

  /**
   * One epoch over MultiDataSets of one features and one labels array each (the engine trains
   * one input and one output).
   */
  public ComputationGraph fitMultiDataSet(JavaRDD<MultiDataSet> rdd) {
    requireOneInputAndOutput("fitMultiDataSet");
    return fit(rdd.map(SparkComputationGraph::asDataSet));
  }

  public ComputationGraph fitMultiDataSet(String path) {
    return fitPathsMultiDataSet(DataSetFiles.list(core.sc(), path));
  }

  public ComputationGraph fitPathsMultiDataSet(JavaRDD<String> paths) {
    return fitMultiDataSet(DataSetFiles.multiDataSets(core.sc(), paths)
        .map(m -> (MultiDataSet) m));
  }

  private static DataSet asDataSet(MultiDataSet m) {
    if (m.numFeatureArrays() != 1 || m.numLabelsArrays() != 1
        || m.getFeaturesMaskArrays() != null || m.getLabelsMaskArrays() != null) {
      throw Refusal.of("SparkComputationGraph.fitMultiDataSet with " + m.numFeatureArrays()
          + " features and " + m.numLabelsArrays() + " labels arrays (or masks)", "the "
          + "engine trains one input and one output; join the inputs into one array (and "
          + "split it in the graph with a SubsetVertex), or train locally with "
          + "ComputationGraph.fit");
    }
    return new DataSet(m.getFeatures(0), m.getLabels(0));
  }

  private void requireOneInputAndOutput(String method) {
    int inputs = network.getConfiguration().getNetworkInputs().size();
    int outputs = network.getConfiguration().getNetworkOutputs().size();
    if (inputs != 1 || outputs != 1) {
      throw Refusal.of("SparkComputationGraph." + method + " of a graph with " + inputs
          + " inputs and " + outputs + " outputs", "the engine trains graphs with one input "
          + "and one output; join the inputs into one array (and split it in the graph with a "
          + "SubsetVertex), or train locally with ComputationGraph.fit. Evaluation and scoring "
          + "of MultiDataSets work for any graph");
    }
  }

  public double calculateScore(JavaRDD<DataSet> data, boolean average) {
    return calculateScore(data, average, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public double calculateScore(JavaRDD<DataSet> data, boolean average, int minibatchSize) {
    return core.calculateScore(data, average, minibatchSize);
  }

  public double calculateScoreMultiDataSet(JavaRDD<MultiDataSet> data, boolean average) {
    return calculateScoreMultiDataSet(data, average, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  /** The mean or sum score over MultiDataSets (any number of inputs and outputs). */
  public double calculateScoreMultiDataSet(JavaRDD<MultiDataSet> data, boolean average,
      int minibatchSize) {
    double[] countAndSum = core.onExecutors().scoreSumMultiDataSets(data);
    return average ? countAndSum[1] / countAndSum[0] : countAndSum[1];
  }

  public JavaDoubleRDD scoreExamples(JavaRDD<DataSet> data,
      boolean includeRegularizationTerms) {
    return scoreExamples(data, includeRegularizationTerms, DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public JavaDoubleRDD scoreExamples(JavaRDD<DataSet> data, boolean includeRegularizationTerms,
      int batchSize) {
    return core.onExecutors().scoreExamples(data, includeRegularizationTerms, batchSize);
  }

  public <K> JavaPairRDD<K, Double> scoreExamples(JavaPairRDD<K, DataSet> data,
      boolean includeRegularizationTerms) {
    return core.onExecutors().scoreExamples(data, includeRegularizationTerms);
  }

  public JavaDoubleRDD scoreExamplesMultiDataSet(JavaRDD<MultiDataSet> data,
      boolean includeRegularizationTerms) {
    return scoreExamplesMultiDataSet(data, includeRegularizationTerms,
        DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  /** Each MultiDataSet example's score, in RDD order. */
  public JavaDoubleRDD scoreExamplesMultiDataSet(JavaRDD<MultiDataSet> data,
      boolean includeRegularizationTerms, int batchSize) {
    return core.onExecutors().scoreExamplesMultiDataSets(data, includeRegularizationTerms);
  }

  /**
   * The graph's outputs for each keyed array of its inputs (any number of inputs and
   * outputs); {@code batchSize} is accepted and each key is one forward pass.
   */
  public <K> JavaPairRDD<K, INDArray[]> feedForwardWithKey(
      JavaPairRDD<K, INDArray[]> featuresData, int batchSize) {
    return core.onExecutors().feedForwardGraphWithKey(featuresData);
  }

  public Evaluation evaluate(RDD<DataSet> data) {
    return evaluate(data.toJavaRDD());
  }

  public Evaluation evaluate(JavaRDD<DataSet> data) {
    return doEvaluation(data, new Evaluation(), DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public Evaluation evaluate(String path) {
    return evaluate(DataSetFiles.dataSets(core.sc(), DataSetFiles.list(core.sc(), path)));
  }

  public RegressionEvaluation evaluateRegression(JavaRDD<DataSet> data) {
    return doEvaluation(data, new RegressionEvaluation(core.network().outputWidth()),
        DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public ROC evaluateROC(JavaRDD<DataSet> data) {
    return doEvaluation(data, new ROC(DEFAULT_ROC_THRESHOLD_STEPS),
        DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  public ROCMultiClass evaluateROCMultiClass(JavaRDD<DataSet> data) {
    return doEvaluation(data, new ROCMultiClass(DEFAULT_ROC_THRESHOLD_STEPS),
        DEFAULT_EVAL_SCORE_BATCH_SIZE);
  }

  /** Classification metrics of the graph's single output on MultiDataSets (any inputs). */
  public Evaluation evaluateMDS(JavaRDD<MultiDataSet> data) {
    return doEvaluationMDS(data, DEFAULT_EVAL_SCORE_BATCH_SIZE, new Evaluation())[0];
  }

  public Evaluation evaluateMDS(JavaRDD<MultiDataSet> data, int minibatchSize) {
    return doEvaluationMDS(data, minibatchSize, new Evaluation())[0];
  }

  public RegressionEvaluation evaluateRegressionMDS(JavaRDD<MultiDataSet> data) {
    return doEvaluationMDS(data, DEFAULT_EVAL_SCORE_BATCH_SIZE,
        new RegressionEvaluation(core.network().outputWidth()))[0];
  }

  public ROC evaluateROCMDS(JavaRDD<MultiDataSet> data) {
    return doEvaluationMDS(data, DEFAULT_EVAL_SCORE_BATCH_SIZE,
        new ROC(DEFAULT_ROC_THRESHOLD_STEPS))[0];
  }

  public <T extends IEvaluation> T doEvaluation(JavaRDD<DataSet> data, T emptyEvaluation,
      int evalBatchSize) {
    return doEvaluation(data, evalBatchSize, emptyEvaluation)[0];
  }

  @SafeVarargs
  public final <T extends IEvaluation> T[] doEvaluation(JavaRDD<DataSet> data,
      int evalBatchSize, T... emptyEvaluations) {
    return core.evaluate(data, evalBatchSize, emptyEvaluations);
  }

  /** Evaluations of the graph's single output on MultiDataSets (any number of inputs). */
  @SafeVarargs
  public final <T extends IEvaluation> T[] doEvaluationMDS(JavaRDD<MultiDataSet> data,
      int evalBatchSize, T... emptyEvaluations) {
    int outputs = network.getConfiguration().getNetworkOutputs().size();
    if (outputs != 1) {
      throw Refusal.of("SparkComputationGraph.doEvaluationMDS of a graph with " + outputs
          + " outputs", "DL4J evaluates a single output here too; use "
          + "calculateScoreMultiDataSet or scoreExamplesMultiDataSet, or evaluate locally "
          + "per output");
    }
    return core.onExecutors().evaluateMultiDataSets(data, emptyEvaluations);
  }
}
