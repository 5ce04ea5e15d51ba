package org.sparktrain.driver.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.FeatureStats;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.data.SeedMixer;
import scala.Tuple2;

/**
 * Prepares the spec's data through its {@link DataSource}. For labelled records (a
 * {@link RecordSource}): read -> drop or fail on bad records (counted) -> deterministic split ->
 * fit the normalizer on the training split -> shard the training split into one cached block per
 * worker.
 */
public final class DataPreparation {
  private static final Logger LOG = LoggerFactory.getLogger(DataPreparation.class);
  /** Rows per evaluation block: large enough for efficient matrix work, small enough for RAM. */
  static final int EVAL_BLOCK_ROWS = 1024;
  private static final long SPLIT_STREAM = 3;
  private static final long FOLD_STREAM = 4;

  private DataPreparation() {}

  /** Which part of the data a run trains and tests on: the spec's split or one CV fold. */
  public record Selection(int fold, int folds) implements Serializable {
    public static final Selection SPEC_SPLIT = new Selection(-1, 0);

    public boolean crossValidation() {
      return folds > 0;
    }
  }

  /**
   * Whether a record, by its place in the input, is on the side this run trains on: every fold
   * but the tested one, or the spec split's training fraction. The records' split and a table
   * encoding's fit both ask here, so they agree.
   */
  record TrainingSide(long seed, Selection selection, double trainCut)
      implements Serializable {
    boolean contains(int fileIndex, long line) {
      return selection.crossValidation()
          ? foldOf(seed, fileIndex, line, selection.folds()) != selection.fold()
          : splitDraw(seed, fileIndex, line) < trainCut;
    }
  }

  public static LabelRule labelRule(JobSpec spec) {
    return spec.model().kind().classification()
        ? LabelRule.classes(spec.data().numClasses()) : LabelRule.regression();
  }

  /** Reads and prepares the spec's data, by its format's {@link DataSource}. */
  public static PreparedData prepare(JavaSparkContext sc, JobSpec spec, Selection selection)
      throws IOException {
    return DataSource.of(spec.data()).prepare(sc, spec, selection);
  }

  /** The pipeline every {@link RecordSource} shares, from its input to the shards. */
  static PreparedData prepareRecords(JavaSparkContext sc, JobSpec spec, Selection selection,
      RecordSource source) throws IOException {
    JobSpec.Data data = spec.data();
    long seed = spec.train().seed();
    TrainingSide side = new TrainingSide(seed, selection, data.trainFraction());
    RecordInput input = source.open(sc, spec, side);
    DatasetReader.Source main = input.main();
    main.records().persist(StorageLevel.MEMORY_AND_DISK());
    long[] mainCounts = checkBadRecords(main, spec.preprocess().badRecords());
    // The records are cached now; what they were made from need not stay as well.
    input.release();
    long read = mainCounts[DropReason.values().length];
    long[] dropped = Arrays.copyOf(mainCounts, DropReason.values().length);

    JavaRDD<ParsedRecord> good = main.records().filter(ParsedRecord::isOk);
    JavaRDD<ParsedRecord> train;
    JavaRDD<ParsedRecord> validation;
    JavaRDD<ParsedRecord> test;
    DatasetReader.Source testSource = null;
    if (selection.crossValidation()) {
      int fold = selection.fold();
      int folds = selection.folds();
      train = good.filter(r -> side.contains(r.fileIndex(), r.line()));
      test = good.filter(r -> foldOf(seed, r, folds) == fold);
      validation = sc.emptyRDD();
    } else {
      double trainCut = data.trainFraction();
      double validationCut = trainCut + data.validationFraction();
      train = good.filter(r -> side.contains(r.fileIndex(), r.line()));
      validation = good.filter(r -> {
        double u = splitDraw(seed, r);
        return u >= trainCut && u < validationCut;
      });
      if (data.testUri() != null) {
        testSource = input.readTest(sc);
      }
      if (testSource != null) {
        if (testSource.numFeatures() != main.numFeatures()) {
          throw new BadRecordException(data.testUri() + " has " + testSource.numFeatures()
              + " features but " + data.uri() + " has " + main.numFeatures());
        }
        testSource.records().persist(StorageLevel.MEMORY_AND_DISK());
        long[] testCounts = checkBadRecords(testSource, spec.preprocess().badRecords());
        read += testCounts[DropReason.values().length];
        for (int i = 0; i < dropped.length; i++) {
          dropped[i] += testCounts[i];
        }
        test = testSource.records().filter(ParsedRecord::isOk);
      } else {
        test = good.filter(r -> splitDraw(seed, r) >= validationCut);
      }
    }

    Map<String, String> firstDropped = new LinkedHashMap<>();
    if (Arrays.stream(dropped).sum() > 0) {
      firstDropped.putAll(firstDropped(main));
      if (testSource != null) {
        firstDropped(testSource).forEach(firstDropped::putIfAbsent);
      }
    }
    for (DropReason r : DropReason.values()) {
      if (firstDropped.containsKey(r.key())) {
        LOG.warn("dropped {} record(s) for {}; the first: {}", dropped[r.ordinal()], r.key(),
            firstDropped.get(r.key()));
      }
    }
    FeatureStats stats = train.aggregate(new FeatureStats(), (s, r) -> s.add(r.features()),
        FeatureStats::merge);
    if (stats.count() == 0) {
      String where = input.where();
      StringBuilder reasons = new StringBuilder();
      for (DropReason r : DropReason.values()) {
        if (dropped[r.ordinal()] > 0) {
          reasons.append(reasons.length() == 0 ? ": " : "; ").append(dropped[r.ordinal()])
              .append(' ').append(r.key()).append(", the first ").append(firstDropped.get(
                  r.key()));
        }
      }
      throw new BadRecordException("the training split of " + where + " is empty ("
          + read + " records read, " + Arrays.stream(dropped).sum() + " dropped"
          + reasons + "); check data.split.train and the bad-record counts");
    }
    // A fixed divisor is a bound known without the data; only fitted statistics read it.
    Normalizer normalizer = spec.preprocess().scaleBy() > 0
        ? Normalizer.fixedScale(stats.width(), spec.preprocess().scaleBy())
        : Normalizer.fit(spec.preprocess().normalize(), stats);
    int workers = spec.train().workers();
    JavaRDD<ExampleBlock> shards = shard(train, workers, normalizer, Integer.MAX_VALUE);
    JavaRDD<ExampleBlock> validationBlocks = shard(validation, workers, normalizer,
        EVAL_BLOCK_ROWS);
    JavaRDD<ExampleBlock> testBlocks = shard(test, workers, normalizer, EVAL_BLOCK_ROWS);

    List<Integer> rows = shards.map(ExampleBlock::rows).collect();
    int[] shardRows = new int[workers];
    for (int i = 0; i < rows.size(); i++) {
      shardRows[i] = rows.get(i);
    }
    long validationRows = validationBlocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    long testRows = testBlocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    main.records().unpersist(false);
    if (testSource != null) {
      testSource.records().unpersist(false);
    }
    input.release();
    RecordCounts counts = new RecordCounts(read, dropped, stats.count(), validationRows,
        testRows, firstDropped);
    LOG.info("data: {} records read, {} dropped, train {} (shards {}), validation {}, test {}",
        read, counts.dropped(), stats.count(), Arrays.toString(shardRows),
        validationRows, testRows);
    return new PreparedData(shards, validationBlocks, testBlocks, normalizer, shardRows, counts,
        input.features());
  }

  /**
   * Counts records per drop reason (last slot: all records read). Under the fail policy the first
   * bad record stops the job with its file and line.
   */
  public static long[] checkBadRecords(DatasetReader.Source source, JobSpec.BadRecordPolicy policy) {
    int reasons = DropReason.values().length;
    long[] counts = source.records().aggregate(new long[reasons + 1], (acc, r) -> {
      if (!r.isOk()) {
        acc[r.dropReason().ordinal()]++;
      }
      acc[reasons]++;
      return acc;
    }, (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
    if (policy == JobSpec.BadRecordPolicy.FAIL && counts[reasons] != sum(counts, reasons)) {
      ParsedRecord first = source.records().filter(r -> !r.isOk()).first();
      throw new BadRecordException(source.files().get(first.fileIndex()) + " " + source.unit()
          + " " + first.line() + ": " + first.detail() + " [" + first.dropReason().key() + "]. "
          + "preprocess.badRecords is 'fail'; set it to 'drop' to skip and count such records.");
    }
    return counts;
  }

  /**
   * Per drop reason, the first record dropped for it (lowest file, then line), as a message
   * shows it: where, and what is wrong.
   */
  public static Map<String, String> firstDropped(DatasetReader.Source source) {
    int reasons = DropReason.values().length;
    ParsedRecord[] first = source.records().filter(r -> !r.isOk()).aggregate(
        new ParsedRecord[reasons], (acc, r) -> {
          int k = r.dropReason().ordinal();
          if (acc[k] == null || earlier(r, acc[k])) {
            acc[k] = r;
          }
          return acc;
        }, (a, b) -> {
          for (int k = 0; k < a.length; k++) {
            if (a[k] == null || (b[k] != null && earlier(b[k], a[k]))) {
              a[k] = b[k];
            }
          }
          return a;
        });
    Map<String, String> out = new LinkedHashMap<>();
    for (ParsedRecord r : first) {
      if (r != null) {
        out.put(r.dropReason().key(), source.files().get(r.fileIndex()) + " " + source.unit()
            + " " + r.line() + ": " + r.detail());
      }
    }
    return out;
  }

  private static boolean earlier(ParsedRecord a, ParsedRecord b) {
    return a.fileIndex() != b.fileIndex() ? a.fileIndex() < b.fileIndex() : a.line() < b.line();
  }

  private static long sum(long[] counts, int reasons) {
    long bad = 0;
    for (int i = 0; i < reasons; i++) {
      bad += counts[i];
    }
    return counts[reasons] - bad;
  }

  static double splitDraw(long seed, ParsedRecord r) {
    return splitDraw(seed, r.fileIndex(), r.line());
  }

  /** The uniform draw that puts line {@code line} of file {@code fileIndex} on its side. */
  static double splitDraw(long seed, int fileIndex, long line) {
    return SeedMixer.uniform(seed, SPLIT_STREAM, fileIndex, line);
  }

  static int foldOf(long seed, ParsedRecord r, int folds) {
    return foldOf(seed, r.fileIndex(), r.line(), folds);
  }

  static int foldOf(long seed, int fileIndex, long line, int folds) {
    return (int) (SeedMixer.uniform(seed, FOLD_STREAM, fileIndex, line) * folds);
  }

  /**
   * Deals records round-robin by their position into {@code parts} partitions of near-equal size
   * (sizes differ by at most one) and packs each partition into blocks. Records are sorted by
   * position after the shuffle, so a recomputed partition is identical whatever order the shuffle
   * delivered them in.
   */
  public static JavaRDD<ExampleBlock> shard(JavaRDD<ParsedRecord> records, int parts,
      Normalizer normalizer, int maxRows) {
    // HashPartitioner on a non-negative Long key below 2^31 is key % parts: round-robin.
    JavaRDD<ExampleBlock> blocks = records.zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
        .partitionBy(new HashPartitioner(parts))
        .mapPartitionsWithIndex((partition, it) -> {
          List<Tuple2<Long, ParsedRecord>> rows = new ArrayList<>();
          it.forEachRemaining(rows::add);
          rows.sort(Comparator.comparingLong(Tuple2::_1));
          Iterator<ParsedRecord> ordered = rows.stream().map(Tuple2::_2).iterator();
          List<ExampleBlock> packed = ExampleBlock.chunk(partition, ordered, normalizer, maxRows);
          if (packed.isEmpty()) {
            packed.add(new ExampleBlock(partition, 0, normalizer.width(), new float[0],
                new float[0]));
          }
          return packed.iterator();
        }, true);
    blocks.persist(StorageLevel.MEMORY_ONLY());
    return blocks;
  }
}
