package org.sparktrain.dl4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingModelSaver;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.earlystopping.termination.EpochTerminationCondition;
import org.deeplearning4j.earlystopping.termination.IterationTerminationCondition;
import org.deeplearning4j.nn.api.Model;

/**
 * DL4J's early-stopping loop over Spark epochs, shared by {@link SparkEarlyStoppingTrainer} and
 * {@link SparkEarlyStoppingGraphTrainer}: after each epoch (one {@code fit} on the engine) the
 * iteration conditions see the epoch's last training loss; every
 * {@code evaluateEveryNEpochs} epochs the score calculator scores the network, the best is kept
 * by the configuration's model saver, and the epoch conditions decide whether to stop. Epochs
 * are numbered from 0, as in DL4J's results.
 */
final class SparkEarlyStopping<T extends Model> {
  private final EarlyStoppingConfiguration<T> config;
  private final T network;
  private final Runnable fitOneEpoch;
  private final DoubleSupplier lastTrainingScore;
  private EarlyStoppingListener<T> listener;

  SparkEarlyStopping(EarlyStoppingConfiguration<T> config, T network, Runnable fitOneEpoch,
      DoubleSupplier lastTrainingScore) {
    this.config = config;
    this.network = network;
    this.fitOneEpoch = fitOneEpoch;
    this.lastTrainingScore = lastTrainingScore;
  }

  void setListener(EarlyStoppingListener<T> listener) {
    this.listener = listener;
  }

  EarlyStoppingResult<T> fit() {
    config.getEpochTerminationConditions().forEach(EpochTerminationCondition::initialize);
    config.getIterationTerminationConditions().forEach(IterationTerminationCondition::initialize);
    if (listener != null) {
      listener.onStart(config, network);
    }
    ScoreCalculator<T> calculator = config.getScoreCalculator();
    boolean minimize = calculator == null || calculator.minimizeScore();
    EarlyStoppingModelSaver<T> saver = config.getModelSaver();
    Map<Integer, Double> scoreVsEpoch = new LinkedHashMap<>();
    int bestEpoch = -1;
    double bestScore = minimize ? Double.MAX_VALUE : -Double.MAX_VALUE;
    int epoch = 0;
    try {
      while (true) {
        try {
          fitOneEpoch.run();
        } catch (RuntimeException e) {
          // As DL4J's trainers do: a failed epoch (a diverged loss, a lost job) ends the run
          // with reason Error and the best model so far.
          return done(EarlyStoppingResult.TerminationReason.Error, e.toString(), scoreVsEpoch,
              bestEpoch, bestScore, epoch, saver);
        }
        double trainingScore = lastTrainingScore.getAsDouble();
        for (IterationTerminationCondition c : config.getIterationTerminationConditions()) {
          if (c.terminate(trainingScore)) {
            return done(EarlyStoppingResult.TerminationReason.IterationTerminationCondition,
                c.toString(), scoreVsEpoch, bestEpoch, bestScore, epoch + 1, saver);
          }
        }
        if ((epoch + 1) % config.getEvaluateEveryNEpochs() == 0) {
          double score = calculator == null ? trainingScore : calculator.calculateScore(network);
          scoreVsEpoch.put(epoch, score);
          if (minimize ? score < bestScore : score > bestScore) {
            bestScore = score;
            bestEpoch = epoch;
            saver.saveBestModel(network, score);
          }
          if (config.isSaveLastModel()) {
            saver.saveLatestModel(network, score);
          }
          if (listener != null) {
            listener.onEpoch(epoch, score, config, network);
          }
          for (EpochTerminationCondition c : config.getEpochTerminationConditions()) {
            if (c.terminate(epoch, score, minimize)) {
              return done(EarlyStoppingResult.TerminationReason.EpochTerminationCondition,
                  c.toString(), scoreVsEpoch, bestEpoch, bestScore, epoch + 1, saver);
            }
          }
        }
        epoch++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("early stopping: the model saver failed: "
          + e.getMessage(), e);
    }
  }

  private EarlyStoppingResult<T> done(EarlyStoppingResult.TerminationReason reason,
      String details, Map<Integer, Double> scoreVsEpoch, int bestEpoch, double bestScore,
      int totalEpochs, EarlyStoppingModelSaver<T> saver) throws IOException {
    T best = bestEpoch < 0 ? network : saver.getBestModel();
    EarlyStoppingResult<T> result = new EarlyStoppingResult<>(reason, details, scoreVsEpoch,
        bestEpoch, bestScore, totalEpochs, best);
    if (listener != null) {
      listener.onCompletion(result);
    }
    return result;
  }
}
