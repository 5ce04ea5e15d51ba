package org.sparktrain.dl4j;

/**
 * What DL4J's {@code TrainingMaster} is to its Spark classes: how training is distributed. Here
 * there is one implementation, {@link ParameterAveragingTrainingMaster}, which runs on
 * sparktrain's engine. The type parameters only keep code that declares a
 * {@code TrainingMaster<?, ?>} compiling; they carry nothing.
 *
 * @param <R> unused (DL4J's training result type)
 * @param <W> unused (DL4J's training worker type)
 */
public interface TrainingMaster<R, W> {
  /** How {@code fit} trains: the engine settings this master stands for. */
  EngineSettings engineSettings();

  /** Accepted and ignored (logged once): sparktrain keeps per-round metrics instead. */
  void setCollectTrainingStats(boolean collectTrainingStats);

  boolean getIsCollectTrainingStats();

  /**
   * Refused: DL4J's {@code SparkTrainingStats} are not kept.
   *
   * @throws UnsupportedOperationException always, naming the alternative
   */
  default Object getTrainingStats() {
    throw Refusal.of("TrainingMaster.getTrainingStats()", "train through the spec API "
        + "(org.sparktrain.driver.api) to get per-round metrics in metrics.jsonl and the run "
        + "report");
  }
}
