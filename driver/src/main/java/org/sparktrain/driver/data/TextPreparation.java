package org.sparktrain.driver.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.BlockPacker;
import org.sparktrain.worker.text.BpeTokenizer;
import org.sparktrain.worker.text.CharTokenizer;
import org.sparktrain.worker.text.DocumentSplit;
import org.sparktrain.worker.text.TokenBlocks;
import org.sparktrain.worker.text.Tokenizer;

/**
 * The {@link DataSource} of format text. A plain-text corpus to token blocks: read the files (gzip
 * too) through the Hadoop FileSystem API, cut them into documents, split documents into train and
 * validation by a seeded hash of their id (no document on both sides), train the tokenizer on the
 * training documents only, encode, and pack into blocks of blockSize + 1 tokens (documents
 * separated by [SEP], the last partial block dropped). Training blocks are dealt round-robin into
 * one shard per worker.
 *
 * <p>The corpus is read and tokenized on the driver: the tokenizer must see all training text
 * anyway, and corpora of tens of MB (Moby Dick is 1.2 MB) take seconds. Larger corpora would
 * encode on the executors with the broadcast tokenizer; not needed yet.
 */
public final class TextPreparation implements DataSource {
  private static final Logger LOG = LoggerFactory.getLogger(TextPreparation.class);
  private static final int EVAL_BLOCK_ROWS = 256;

  TextPreparation() {}

  /** A document of the corpus and the id its train/validation side is drawn from. */
  record Document(String id, String text) {}

  @Override
  public PreparedData prepare(JavaSparkContext sc, JobSpec spec,
      DataPreparation.Selection selection) throws IOException {
    if (selection.crossValidation()) {
      throw new IllegalArgumentException("crossval is for csv, idx and libsvm data, not text");
    }
    JobSpec.Data data = spec.data();
    int blockSize = ((TransformerConfig) spec.model()).blockSize();
    List<Document> documents = read(data, sc.hadoopConfiguration());
    DocumentSplit split = new DocumentSplit(spec.train().seed(), data.validationFraction());
    List<String> trainTexts = new ArrayList<>();
    List<String> validationTexts = new ArrayList<>();
    for (Document d : documents) {
      (split.isValidation(d.id()) ? validationTexts : trainTexts).add(d.text());
    }
    if (trainTexts.isEmpty()) {
      throw new BadRecordException(data.uri() + ": no training documents (" + documents.size()
          + " documents, split.validation " + data.validationFraction() + ")");
    }
    long t0 = System.nanoTime();
    Tokenizer tokenizer = trainTokenizer(data.text(), trainTexts);
    BlockPacker packer = BlockPacker.forTokenizer(tokenizer, blockSize,
        BlockPacker.LastBlock.DROP);
    TokenBlocks train = packer.pack(encodeAll(tokenizer, trainTexts));
    TokenBlocks validation = packer.pack(encodeAll(tokenizer, validationTexts));
    LOG.info("text: {} documents ({} train, {} validation), {} tokenizer with {} tokens "
        + "trained in {} ms; {} train and {} validation blocks of {} tokens", documents.size(),
        trainTexts.size(), validationTexts.size(), data.text().tokenizer(),
        tokenizer.vocabSize(), (System.nanoTime() - t0) / 1_000_000, train.count(),
        validation.count(), blockSize);
    int workers = spec.train().workers();
    if (train.count() < workers) {
      throw new BadRecordException(data.uri() + ": " + train.count() + " training blocks of "
          + blockSize + " tokens for " + workers + " workers; use more text or a smaller "
          + "model.blockSize");
    }
    List<ExampleBlock> shards = deal(train, workers);
    int[] shardRows = shards.stream().mapToInt(ExampleBlock::rows).toArray();
    JavaRDD<ExampleBlock> shardRdd = distribute(sc, shards, workers);
    JavaRDD<ExampleBlock> validationRdd = distribute(sc, chunks(validation, EVAL_BLOCK_ROWS),
        workers);
    RecordCounts counts = new RecordCounts(documents.size(), new long[
        DropReason.values().length], train.count(),
        validation.count(), 0);
    return new PreparedData(shardRdd, validationRdd, sc.emptyRDD(),
        Normalizer.identity(blockSize + 1), shardRows, counts,
        new Features.TokenBlocks(tokenizer.toJson(), tokenizer.vocabSize(), blockSize + 1));
  }

  /** The spec's tokenizer, trained on the training texts only. */
  static Tokenizer trainTokenizer(JobSpec.Text settings, List<String> trainTexts) {
    return settings.tokenizer() == JobSpec.TokenizerKind.CHAR
        ? CharTokenizer.train(String.join("\n", trainTexts))
        : BpeTokenizer.train(trainTexts, settings.vocabSize(), BpeTokenizer.GPT2_SPLIT_PATTERN);
  }

  /**
   * Blocks made on the driver, as a cached RDD. Not {@code sc.parallelize(blocks)}: its
   * partitions hold the data, and every later task over the RDD would carry its block again
   * (megabytes per task per round). The blocks travel once, as a broadcast, and the RDD's
   * partitions are just their indices.
   */
  static JavaRDD<ExampleBlock> distribute(JavaSparkContext sc, List<ExampleBlock> blocks,
      int slices) {
    Broadcast<ExampleBlock[]> shared = sc.broadcast(blocks.toArray(new ExampleBlock[0]));
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      indices.add(i);
    }
    JavaRDD<ExampleBlock> rdd = sc.parallelize(indices, Math.max(1, Math.min(slices,
        blocks.size()))).map(i -> shared.value()[i]);
    rdd.persist(StorageLevel.MEMORY_AND_DISK());
    return rdd;
  }

  static List<Document> read(JobSpec.Data data, Configuration conf) throws IOException {
    List<Document> documents = new ArrayList<>();
    for (String file : InputFiles.list(data.uri(), conf)) {
      String text;
      try (InputStream in = InputFiles.open(file, conf)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      // Ids are file names, not full URIs, so the corpus splits the same wherever it lives.
      String name = new Path(file).getName();
      if (data.text().documents() == JobSpec.DocumentUnit.FILE) {
        if (!text.isBlank()) {
          documents.add(new Document(name, text));
        }
      } else {
        String[] paragraphs = text.split("\\r?\\n\\s*\\r?\\n");
        for (int i = 0; i < paragraphs.length; i++) {
          if (!paragraphs[i].isBlank()) {
            documents.add(new Document(name + "#" + i, paragraphs[i].strip()));
          }
        }
      }
    }
    if (documents.isEmpty()) {
      throw new BadRecordException(data.uri() + ": no text (no files, or only blank ones)");
    }
    return documents;
  }

  private static List<int[]> encodeAll(Tokenizer tokenizer, List<String> texts) {
    List<int[]> out = new ArrayList<>(texts.size());
    texts.forEach(t -> out.add(tokenizer.encode(t)));
    return out;
  }

  /** Block b goes to shard b mod workers, as tabular records are dealt. */
  static List<ExampleBlock> deal(TokenBlocks blocks, int workers) {
    List<ExampleBlock> shards = new ArrayList<>(workers);
    for (int w = 0; w < workers; w++) {
      List<Integer> mine = new ArrayList<>();
      for (int b = w; b < blocks.count(); b += workers) {
        mine.add(b);
      }
      shards.add(pack(w, blocks, mine));
    }
    return shards;
  }

  private static List<ExampleBlock> chunks(TokenBlocks blocks, int rows) {
    List<ExampleBlock> out = new ArrayList<>();
    for (int from = 0; from < blocks.count(); from += rows) {
      List<Integer> ids = new ArrayList<>();
      for (int b = from; b < Math.min(blocks.count(), from + rows); b++) {
        ids.add(b);
      }
      out.add(pack(out.size(), blocks, ids));
    }
    return out;
  }

  /** Token ids as floats (exact below 2^24), one row of blockSize + 1 per block. */
  private static ExampleBlock pack(int partition, TokenBlocks blocks, List<Integer> ids) {
    int width = blocks.blockLength();
    float[] features = new float[ids.size() * width];
    for (int r = 0; r < ids.size(); r++) {
      int[] block = blocks.block(ids.get(r));
      for (int i = 0; i < width; i++) {
        features[r * width + i] = block[i];
      }
    }
    return new ExampleBlock(partition, ids.size(), width, features, new float[ids.size()]);
  }
}
