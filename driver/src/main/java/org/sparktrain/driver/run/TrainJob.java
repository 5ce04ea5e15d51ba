package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointException;
import org.sparktrain.driver.checkpoint.CheckpointPrivacy;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.Checkpointer;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.monitor.LiveMetrics;
import org.sparktrain.driver.output.ClusterPeak;
import org.sparktrain.driver.output.FlopRate;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.LiveReport;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.output.ReportWriter;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.privacy.PrivacyReport;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.cluster.BackendCheck;
import org.sparktrain.driver.train.FlopCount;
import org.sparktrain.driver.cluster.PeakCheck;
import org.sparktrain.driver.cluster.ResultSizePreCheck;
import org.sparktrain.driver.train.sync.SyncChoice;
import org.sparktrain.driver.train.TrainedModel;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.state.TrainingListener;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * One training run, top to bottom: log the spec, prepare data, train, test, write the run
 * directory (spec.yaml, metrics.jsonl, model/, summary.json).
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  /** What a run produced. */
  public record Result(Map<String, Object> summary, TrainedModel model, EvalResult test,
      ModelBundle bundle) {}

  /**
   * How a run treats the terminal and its run directory.
   *
   * @param onTerminal draw a progress bar
   * @param resumeRequested fail unless a valid checkpoint exists; without it a run still
   *     resumes by itself when its run directory has a checkpoint its spec may continue
   * @param overwrite replace an earlier run's outputs and checkpoints in the run directory,
   *     which is otherwise refused when this run cannot resume from them
   */
  public record Options(boolean onTerminal, boolean resumeRequested, boolean overwrite) {
    public static Options defaults(boolean onTerminal) {
      return new Options(onTerminal, false, false);
    }
  }

  private TrainJob() {}

  public static Result run(JavaSparkContext sc, JobSpec spec, boolean onTerminal)
      throws IOException {
    return run(sc, spec, Options.defaults(onTerminal));
  }

  /** See {@link Options#resumeRequested}. */
  public static Result run(JavaSparkContext sc, JobSpec spec, boolean onTerminal,
      boolean resumeRequested) throws IOException {
    return run(sc, spec, new Options(onTerminal, resumeRequested, false));
  }

  public static Result run(JavaSparkContext sc, JobSpec spec, Options options)
      throws IOException {
    long start = System.nanoTime();
    boolean onTerminal = options.onTerminal();
    String specYaml = SpecYaml.write(spec);
    LOG.info("resolved job spec:\n{}", specYaml);
    refuseUnsafeOutput(spec, sc.hadoopConfiguration());
    try (RunDirectory runDir = new RunDirectory(spec.output().dir(), sc.hadoopConfiguration())) {
      runDir.takeLease(LOG::warn);
      CheckpointStore store = new CheckpointStore(runDir.uri(), sc.hadoopConfiguration());
      Optional<CheckpointContent> checkpoint = RunStart.decide(spec, runDir, store,
          options.resumeRequested(), options.overwrite());
      // A collective run that this cluster cannot give fails here, before any data is read.
      SyncChoice sync = SyncChoice.resolve(sc, spec.train().sync(), spec.train().workers());
      runDir.writeText(RunDirectory.SPEC, specYaml);
      Map<String, Object> backend = BackendCheck.run(sc, spec.train().backend(),
          spec.train().workers());
      // Measured before training, so the measurement never shares the cores with it.
      ClusterPeak peak = PeakCheck.run(sc, spec.train().workers());
      PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
      FlopRate flops = new FlopRate(FlopCount.perExample(spec, data), peak);
      // A resumed private run keeps its secret: the same draws and noise as if uninterrupted.
      TrainingLoop loop = new TrainingLoop(sc, spec, data, sync, checkpoint
          .map(CheckpointContent::privacy).map(CheckpointPrivacy::secret).orElse(null));
      ResultSizePreCheck.check(sc.getConf(), sync.mode(), spec.train().workers(),
          loop.workerResultBytes());
      try (Checkpointer checkpointer = new Checkpointer(store, spec.checkpoint(),
          loop.settings().configJson(), specYaml, data.normalizer(), data.tokenizerJson(),
          data.tableEncodingJson())) {
        checkpointer.withWriteGuard(runDir::verifyLease);
        if (workersReach(store.uri(), sc.master())) {
          checkpointer.withWorkerWrites(sc.hadoopConfiguration());
        }
        if (loop.privateRun() != null) {
          checkpointer.withPrivacy(loop.privateRun(), loop.privacySecret());
          PrivacyReport.logPlan(loop.privateRun(), loop.totalRounds(), LOG);
        }
        Progress from = checkpoint.isPresent()
            ? resumePoint(checkpoint.get(), data, loop, runDir) : loop.freshStart();
        ProgressReporter progress = new ProgressReporter(runDir, spec.train().epochs(),
            onTerminal);
        Map<String, Object> known = new LinkedHashMap<>();
        known.put("model", spec.model().name());
        known.put("records", data.counts().toMap());
        known.put("backend", backend);
        known.put("sync", loop.syncStrategy());
        LiveMetrics.start(checkpointer::summary, flops);
        LiveReport live = new LiveReport(runDir, specYaml, known, checkpointer::summary,
            from.history(), flops);
        TrainedModel model;
        try {
          model = train(loop, from, progress, checkpointer, live);
        } catch (RuntimeException | Error e) {
          live.drawFailed(e);
          throw e;
        } finally {
          LiveMetrics.end();
        }
        checkpointer.finish(model.finalProgress());
        EvalResult test = loop.evaluate(data.test(), model.params());
        ModelBundle bundle = new ModelBundle(model.network(), data.normalizer(),
            spec.model().name(), spec.model().kind().classification(), data.numClasses(),
            data.tokenizerJson(), data.tableEncodingJson());
        runDir.verifyLease();
        bundle.save(runDir.modelUri(), sc.hadoopConfiguration());
        Map<String, Object> privacy = loop.privateRun() == null ? null
            : loop.privateRun().report(model.finalProgress().snapshot().iteration());
        if (privacy != null) {
          PrivacyReport.writeModelMetadata(runDir, privacy);
        }
        Map<String, Object> summary = summary(spec, data, model, test,
            (System.nanoTime() - start) / 1e9);
        summary.put("backend", backend);
        summary.put("sync", loop.syncStrategy());
        if (model.earlyStopping() != null) {
          summary.put("earlyStopping", model.earlyStopping());
        }
        Rollbacks rollbacks = model.finalProgress().rollbacks();
        if (rollbacks.count() > 0) {
          summary.put("divergence", Map.of("rollbacks", rollbacks.count(),
              "learningRateScale", rollbacks.learningRateScale()));
        }
        if (privacy != null) {
          summary.put("privacy", privacy);
        }
        summary.put("flops", flops.toMap(model.examplesPerSec()));
        summary.put("checkpoints", checkpointer.summary());
        summary.put("resumedFromRound", checkpoint.map(CheckpointContent::round).orElse(null));
        runDir.writeText(RunDirectory.SUMMARY, Json.pretty(summary));
        runDir.writeText(RunDirectory.REPORT,
            ReportWriter.render(summary, model.history(), specYaml,
                ReportWriter.State.finished(model.history().size())));
        LOG.info("run directory: {}", runDir.uri());
        return new Result(summary, model, test, bundle);
      } finally {
        loop.release();
        data.release();
      }
    }
  }

  /**
   * Refuses an output.dir that is, or is inside, the data (the run's files would land among
   * the inputs), and a run whose model folder is the model it starts from or learns from
   * (--overwrite deletes it before training).
   */
  private static void refuseUnsafeOutput(JobSpec spec, Configuration conf) throws IOException {
    List<OutputGuard.Kept> data = new ArrayList<>();
    JobSpec.Data d = spec.data();
    for (String uri : Arrays.asList(d.uri(), d.labelsUri(), d.testUri(), d.testLabelsUri())) {
      if (uri != null) {
        data.add(new OutputGuard.Kept("an input", uri));
      }
    }
    OutputGuard.refuseInside("train", "output.dir", spec.output().dir(), data, conf);
    List<OutputGuard.Kept> models = new ArrayList<>();
    if (spec.train().distillation() != null) {
      models.add(new OutputGuard.Kept("the teacher model", spec.train().distillation()
          .teacher()));
    }
    if (spec.train().init() != null) {
      models.add(new OutputGuard.Kept("the initial model", spec.train().init().model()));
    }
    String modelDir = new Path(spec.output().dir(), RunDirectory.MODEL).toString();
    OutputGuard.refuseOverlap("train", "output.dir's model folder", modelDir, models, conf);
  }

  /**
   * Runs the loop with every per-round observer: metrics.jsonl and the progress line, the
   * checkpointer, the live report and the metrics plugin's gauges. Closes the live report, so
   * the final page written next is the last.
   */
  private static TrainedModel train(TrainingLoop loop, Progress from,
      ProgressReporter progress, Checkpointer checkpointer, LiveReport live) {
    TrainedModel model = loop.run(new TrainingListener() {
      @Override
      public void onRound(RoundMetrics m, EpochSchedule s) {
        progress.onRound(m, s);
        checkpointer.onRound(m, s);
        LiveMetrics.onRound(m);
        live.onRound(m);
      }

      @Override
      public void onBoundary(Progress after, EpochSchedule s) {
        checkpointer.onBoundary(after, s);
      }

      @Override
      public SliceWriter checkpointSlices(long boundary, EpochSchedule s) {
        return checkpointer.checkpointSlices(boundary, s);
      }

      @Override
      public Progress lastCheckpoint() {
        return checkpointer.lastCheckpoint();
      }

      @Override
      public void onRollback(Progress to) {
        progress.onRollback(to);
        live.rewind(to.history());
      }
    }, from);
    live.close();
    return model;
  }

  /**
   * Whether executors can write into the checkpoint store as the driver does: any shared file
   * system (HDFS, S3, ...), and a local folder when they run on the driver's machine.
   */
  public static boolean workersReach(String storeUri, String master) {
    String scheme = new Path(storeUri).toUri().getScheme();
    return scheme != null && !scheme.equals("file") || master.startsWith("local");
  }

  /** Checks the checkpoint belongs to this data and rewinds metrics.jsonl to it. */
  private static Progress resumePoint(CheckpointContent c, PreparedData data,
      TrainingLoop loop, RunDirectory runDir) throws IOException {
    if (!Arrays.equals(c.normalizer().shift(), data.normalizer().shift())
        || !Arrays.equals(c.normalizer().scale(), data.normalizer().scale())) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": the training "
          + "data changed since the checkpoint (its normalizer statistics differ)");
    }
    if (c.tokenizerJson() != null && !c.tokenizerJson().equals(data.tokenizerJson())) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": the training "
          + "text changed since the checkpoint (the tokenizer built from it differs from the "
          + "checkpoint's)");
    }
    if (!Objects.equals(c.tableEncodingJson(), data.tableEncodingJson())) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": the training "
          + "table changed since the checkpoint (the column encoding fitted on it, categories, "
          + "classes or missing-value fills, differs from the checkpoint's)");
    }
    if ((c.privacy() == null) != (loop.privateRun() == null)) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": the checkpoint "
          + "was written by a " + (c.privacy() == null ? "non-private" : "private")
          + " run and the spec " + (c.privacy() == null ? "asks for" : "drops")
          + " train.privacy (a run's guarantee covers all of its steps or none)");
    }
    if (c.privacy() != null && c.privacy().epsilon()
        != loop.privateRun().epsilonAfter(c.privacy().steps()).epsilon()) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": its "
          + c.privacy().steps() + " private steps spent epsilon " + c.privacy().epsilon()
          + ", but the spec's privacy settings account them as "
          + loop.privateRun().epsilonAfter(c.privacy().steps()).epsilon()
          + " (train.privacy or the batch size changed)");
    }
    if (!c.modelConfigJson().equals(loop.settings().configJson())) {
      throw new CheckpointException("cannot resume from round " + c.round() + ": the model "
          + "configuration differs from the checkpoint's");
    }
    runDir.rewriteMetrics(c.history());
    LOG.info("resuming from checkpoint round {} ({} rounds of history)", c.round(),
        c.history().size());
    return c.toProgress();
  }

  static Map<String, Object> summary(JobSpec spec, PreparedData data, TrainedModel model,
      EvalResult test, double wallSeconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", spec.model().name());
    s.put("test", test.count() > 0 ? Summaries.metrics(test) : Map.of("examples", 0));
    List<RoundMetrics> history = model.history();
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).validation() != null) {
        s.put("validation", history.get(i).validation());
        break;
      }
    }
    Map<String, Object> throughput = new LinkedHashMap<>();
    throughput.put("examplesPerSec", model.examplesPerSec());
    if (spec.model().kind().languageModel()) {
      // An example is a block of blockSize + 1 tokens, of which blockSize are predicted.
      throughput.put("tokensPerSec", model.examplesPerSec() * (data.numFeatures() - 1));
    }
    throughput.putAll(RoundMetrics.costs(history));
    s.put("throughput", throughput);
    s.put("finalTrainLoss", history.isEmpty() ? Double.NaN
        : history.get(history.size() - 1).loss());
    s.put("records", data.counts().toMap());
    s.put("trainSeconds", model.trainSeconds());
    s.put("wallTimeSeconds", wallSeconds);
    return s;
  }
}
