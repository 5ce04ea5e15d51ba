package org.sparktrain.driver.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.CsvFields;
import org.sparktrain.worker.text.SpecialTokens;
import org.sparktrain.worker.text.Tokenizer;

/**
 * The {@link DataSource} of csv with a text column. A labelled CSV of texts to token rows for
 * bert-classifier: read the files through the Hadoop FileSystem API, parse each line (quoted fields
 * may hold commas), drop and count bad records (wrong column count, a label that is not a class),
 * split train/validation/test by a seeded draw per (file, line) like tabular data, take the
 * tokenizer from the pretrained model or train one on the training texts, and encode each text as
 * [CLS] + its first blockSize - 1 tokens, padded with [PAD]. Read on the driver, like a text corpus
 * (see {@link TextPreparation}).
 */
public final class TextClassPreparation implements DataSource {
  private static final Logger LOG = LoggerFactory.getLogger(TextClassPreparation.class);
  private static final int EVAL_BLOCK_ROWS = 256;

  TextClassPreparation() {}

  /** One good record: its text, class and where it came from. */
  record LabelledText(int file, long line, String text, int label) {}

  @Override
  public PreparedData prepare(JavaSparkContext sc, JobSpec spec,
      DataPreparation.Selection selection) throws IOException {
    if (selection.crossValidation()) {
      throw new IllegalArgumentException("crossval is not supported for bert-classifier");
    }
    JobSpec.Data data = spec.data();
    TransformerConfig model = (TransformerConfig) spec.model();
    long[] dropped = new long[DropReason.values().length];
    List<LabelledText> records = read(data, spec.preprocess().badRecords(),
        DataPreparation.labelRule(spec), sc.hadoopConfiguration(), dropped);
    long read = records.size() + Arrays.stream(dropped).sum();
    List<LabelledText> train = new ArrayList<>();
    List<LabelledText> validation = new ArrayList<>();
    List<LabelledText> test = new ArrayList<>();
    for (LabelledText r : records) {
      double u = DataPreparation.splitDraw(spec.train().seed(), r.file(), r.line());
      (u < data.trainFraction() ? train
          : u < data.trainFraction() + data.validationFraction() ? validation : test).add(r);
    }
    int workers = spec.train().workers();
    if (train.size() < workers) {
      throw new BadRecordException(data.uri() + ": " + train.size() + " training texts for "
          + workers + " workers");
    }
    Tokenizer tokenizer = tokenizer(spec, train, sc.hadoopConfiguration());
    int t = model.blockSize();
    List<ExampleBlock> shards = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      List<LabelledText> mine = new ArrayList<>();
      for (int i = w; i < train.size(); i += workers) {
        mine.add(train.get(i));
      }
      shards.add(encode(w, mine, tokenizer, t));
    }
    LOG.info("labelled texts: {} read, {} dropped; {} train, {} validation, {} test; {} "
        + "tokenizer with {} tokens; rows of {} tokens ([CLS] + text + [PAD])", read,
        Arrays.stream(dropped).sum(), train.size(), validation.size(), test.size(),
        tokenizer.getClass().getSimpleName(), tokenizer.vocabSize(), t);
    RecordCounts counts = new RecordCounts(read, dropped, train.size(), validation.size(),
        test.size());
    return new PreparedData(TextPreparation.distribute(sc, shards, workers),
        evalRdd(sc, validation, tokenizer, t, workers), evalRdd(sc, test, tokenizer, t, workers),
        Normalizer.identity(t), shards.stream().mapToInt(ExampleBlock::rows).toArray(),
        counts, new Features.TokenRows(tokenizer.toJson(), tokenizer.vocabSize(), t,
            data.numClasses()));
  }

  /** The pretrained model's tokenizer (its ids are what the encoder learned), else a new one. */
  private static Tokenizer tokenizer(JobSpec spec, List<LabelledText> train, Configuration conf)
      throws IOException {
    String pretrained = ((TransformerConfig) spec.model()).pretrained();
    if (pretrained != null) {
      return Tokenizer.fromJson(ModelBundle.load(pretrained, conf)
          .requirePretrainedBert(pretrained).tokenizerJson());
    }
    return TextPreparation.trainTokenizer(spec.data().text(),
        train.stream().map(LabelledText::text).toList());
  }

  static List<LabelledText> read(JobSpec.Data data, JobSpec.BadRecordPolicy policy,
      LabelRule labels, Configuration conf, long[] dropped) throws IOException {
    List<LabelledText> out = new ArrayList<>();
    List<String> files = InputFiles.list(data.uri(), conf);
    for (int f = 0; f < files.size(); f++) {
      try (BufferedReader in = InputFiles.openText(files.get(f), conf)) {
        long lineNumber = 0;
        int columns = -1;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lineNumber++;
          if (lineNumber == 1 && data.header() || line.isBlank()) {
            continue;
          }
          List<String> fields = CsvFields.split(line);
          if (columns < 0 && fields != null) {
            columns = fields.size();
            if (columns < 2) {
              throw new BadRecordException(files.get(f) + " line " + lineNumber + ": the first "
                  + "record has 1 column; bert-classifier needs a text and a label column "
                  + "(data.textColumn, data.labelColumn)");
            }
          }
          String problem = null;
          DropReason reason = null;
          int label = -1;
          int textColumn = resolve(data.text().textColumn(), columns);
          int labelColumn = resolve(data.labelColumn(), columns);
          if (fields == null || fields.size() != columns) {
            reason = DropReason.WRONG_COLUMN_COUNT;
            problem = fields == null ? "a quoted field is not closed"
                : "expected " + columns + " columns (as the first record), found "
                    + fields.size();
          } else if (textColumn < 0 || textColumn >= columns || textColumn == labelColumn
              || labelColumn < 0 || labelColumn >= columns) {
            throw new IllegalArgumentException("data.textColumn " + data.text().textColumn()
                + " and data.labelColumn " + data.labelColumn() + " must be two different "
                + "columns of the " + columns + " in " + files.get(f));
          } else {
            try {
              double value = Double.parseDouble(fields.get(labelColumn).trim());
              problem = labels.violation(value);
              reason = problem == null ? null : DropReason.LABEL_OUT_OF_RANGE;
              label = (int) value;
            } catch (NumberFormatException e) {
              reason = DropReason.UNPARSABLE_NUMBER;
              problem = "the label '" + fields.get(labelColumn).trim() + "' is not a number";
            }
          }
          if (reason != null) {
            if (policy == JobSpec.BadRecordPolicy.FAIL) {
              throw new BadRecordException(files.get(f) + " line " + lineNumber + ": " + problem
                  + " [" + reason.key() + "]. preprocess.badRecords is 'fail'; set it to "
                  + "'drop' to skip and count such records.");
            }
            dropped[reason.ordinal()]++;
            continue;
          }
          out.add(new LabelledText(f, lineNumber, fields.get(textColumn), label));
        }
      }
    }
    if (out.isEmpty()) {
      throw new BadRecordException(data.uri() + ": no labelled texts (no files, or no good "
          + "records)");
    }
    return out;
  }

  private static int resolve(int column, int columns) {
    return column < 0 ? columns + column : column;
  }

  /** Rows of [CLS] + the text's first blockSize - 1 tokens + [PAD]s, as floats. */
  static ExampleBlock encode(int partition, List<LabelledText> texts, Tokenizer tokenizer,
      int blockSize) {
    SpecialTokens specials = tokenizer.specialTokens();
    float[] features = new float[texts.size() * blockSize];
    float[] labels = new float[texts.size()];
    for (int r = 0; r < texts.size(); r++) {
      int[] ids = tokenizer.encode(texts.get(r).text());
      int base = r * blockSize;
      Arrays.fill(features, base, base + blockSize, specials.pad());
      features[base] = specials.cls();
      for (int i = 0; i < Math.min(ids.length, blockSize - 1); i++) {
        features[base + 1 + i] = ids[i];
      }
      labels[r] = texts.get(r).label();
    }
    return new ExampleBlock(partition, texts.size(), blockSize, features, labels);
  }

  private static JavaRDD<ExampleBlock> evalRdd(JavaSparkContext sc, List<LabelledText> texts,
      Tokenizer tokenizer, int blockSize, int slices) {
    if (texts.isEmpty()) {
      return sc.emptyRDD();
    }
    List<ExampleBlock> blocks = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += EVAL_BLOCK_ROWS) {
      blocks.add(encode(blocks.size(), texts.subList(from, Math.min(texts.size(),
          from + EVAL_BLOCK_ROWS)), tokenizer, blockSize));
    }
    return TextPreparation.distribute(sc, blocks, slices);
  }
}
