package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.data.BadRecordException;
import org.sparktrain.driver.data.RawRow;
import org.sparktrain.driver.data.TableColumns;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.Tokenizer;

/**
 * {@code predict} for a text model over a table's text column, on the executors: a gpt gives
 * each text's log-likelihood (tokens, logLikelihood, perplexity), a bert-classifier its class
 * and class probabilities. One output row per input row, with its row number; the tokenizer is
 * the model's own.
 */
public final class TextPredictJob {
  private TextPredictJob() {}

  /** Texts per scoring call: several passes of {@link TextScores#ROWS_PER_PASS}. */
  private static final int TEXTS_PER_CALL = 256;

  public static long run(JavaSparkContext sc, String modelUri, JobSpec.Table source, String uri,
      String textColumn, String outputUri, String outputFormat, boolean overwrite)
      throws IOException {
    ExecutorScoring.refuseUnsafeOutput(modelUri, uri, outputUri, sc.hadoopConfiguration());
    ModelBundle bundle = ModelBundle.load(modelUri, sc.hadoopConfiguration());
    String name = bundle.modelName();
    boolean gpt = name.equals(TransformerConfig.GPT);
    if (bundle.tokenizerJson() == null || !(gpt || name.equals(
        TransformerConfig.BERT_CLASSIFIER))) {
      throw new IllegalArgumentException("predict --text-column is for gpt and bert-classifier "
          + "models; the model at " + modelUri + " is a " + name + " model");
    }
    TableReader.Input input = TableReader.read(sc, source, uri, null, List.of(textColumn));
    try {
      if (input.columns().featureTypes().get(0) != TableColumns.Type.TEXT) {
        throw new BadRecordException("--text-column '" + textColumn + "' of " + input.where()
            + " does not hold text");
      }
      String tokenizerJson = bundle.tokenizerJson();
      int width = bundle.numFeatures();
      int classes = gpt ? 0 : bundle.numClasses();
      return ExecutorScoring.scoreAndWrite(sc, input.rows(), RawRow::line,
          input.rows().count(), bundle, TEXTS_PER_CALL,
          (net, batch) -> score(net, tokenizer(tokenizerJson), batch, gpt, width, classes),
          schema(gpt, classes), outputUri, outputFormat, overwrite);
    } finally {
      input.release();
    }
  }

  /** Tokenizers by their JSON, parsed once per executor JVM (a BPE file can be large). */
  private static final Map<String, Tokenizer> TOKENIZERS =
      new ConcurrentHashMap<>();

  private static Tokenizer tokenizer(String json) {
    return TOKENIZERS.computeIfAbsent(json, Tokenizer::fromJson);
  }

  /** One batch of texts: a row per text. */
  private static List<Row> score(Network net, Tokenizer tokenizer, List<RawRow> batch,
      boolean gpt, int width, int classes) {
    List<Row> out = new ArrayList<>(batch.size());
    List<String> texts = batch.stream().map(r -> (String) r.values()[0]).toList();
    if (gpt) {
      List<TextScores.Likelihood> scores = TextScores.likelihoods(net, tokenizer, width - 1,
          texts);
      for (int i = 0; i < batch.size(); i++) {
        TextScores.Likelihood s = scores.get(i);
        out.add(RowFactory.create(batch.get(i).line(), s.tokens(), s.logLikelihood(),
            s.tokens() == 0 ? null : s.perplexity()));
      }
      return out;
    }
    List<float[]> p = TextScores.classProbabilities(net, tokenizer, width, classes, texts);
    for (int i = 0; i < batch.size(); i++) {
      Object[] values = new Object[2 + classes];
      values[0] = batch.get(i).line();
      values[1] = (double) PredictJob.predictedClass(p.get(i));
      for (int k = 0; k < classes; k++) {
        values[2 + k] = (double) p.get(i)[k];
      }
      out.add(RowFactory.create(values));
    }
    return out;
  }

  private static StructType schema(boolean gpt, int classes) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("row", DataTypes.LongType, false));
    if (gpt) {
      fields.add(DataTypes.createStructField("tokens", DataTypes.LongType, false));
      fields.add(DataTypes.createStructField("logLikelihood", DataTypes.DoubleType, false));
      fields.add(DataTypes.createStructField("perplexity", DataTypes.DoubleType, true));
    } else {
      fields.add(DataTypes.createStructField("prediction", DataTypes.DoubleType, false));
      for (int k = 0; k < classes; k++) {
        fields.add(DataTypes.createStructField("p" + k, DataTypes.DoubleType, false));
      }
    }
    return DataTypes.createStructType(fields);
  }
}
