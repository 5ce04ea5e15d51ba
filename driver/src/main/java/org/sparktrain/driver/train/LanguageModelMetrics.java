package org.sparktrain.driver.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.TrainerSettings;

/**
 * Validation metrics of the language models, computed on the executors.
 *
 * <ul>
 *   <li>gpt: next-token loss per token in nats, perplexity, and at character level the bits per
 *       character;
 *   <li>bert: loss and accuracy on the masked validation positions, and the accuracy of always
 *       answering the most frequent training token on the same positions (the baseline).
 * </ul>
 */
final class LanguageModelMetrics {
  private final JavaSparkContext sc;
  private final JobSpec spec;
  private final PreparedData data;
  private final TrainerSettings settings;
  /** The commonest regular token of the training blocks, counted on first use (bert only). */
  private int mostFrequentToken = -1;

  LanguageModelMetrics(JavaSparkContext sc, JobSpec spec, PreparedData data,
      TrainerSettings settings) {
    this.sc = sc;
    this.spec = spec;
    this.data = data;
    this.settings = settings;
  }

  Map<String, Double> validate(float[] params) {
    return settings.task() instanceof Task.MaskedTokens task ? masked(params, task)
        : nextToken(params);
  }

  private Map<String, Double> nextToken(float[] params) {
    double[] loss = DistributedEvaluator.languageModelLoss(sc, data.validation(), params,
        settings.configJson(), settings.threadsPerWorker());
    double perToken = loss[0] / Math.max(1, loss[1]);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", perToken);
    m.put("perplexity", Math.exp(perToken));
    if (spec.data().text().tokenizer() == JobSpec.TokenizerKind.CHAR) {
      m.put("bitsPerChar", perToken / Math.log(2));
    }
    m.put("tokens", loss[1]);
    return m;
  }

  private Map<String, Double> masked(float[] params, Task.MaskedTokens task) {
    if (mostFrequentToken < 0) {
      mostFrequentToken = TokenCounts.mostFrequent(data.train(), data.numClasses(),
          task.masking().specials());
    }
    double[] r = DistributedEvaluator.maskedTokenEval(sc, data.validation(), params,
        settings.configJson(), settings.threadsPerWorker(), task.masking(), task.seed(),
        mostFrequentToken);
    double masked = Math.max(1, r[2]);
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("maskedLoss", r[0] / masked);
    m.put("maskedAccuracy", r[1] / masked);
    m.put("mostFrequentTokenAccuracy", r[3] / masked);
    m.put("maskedTokens", r[2]);
    return m;
  }
}
