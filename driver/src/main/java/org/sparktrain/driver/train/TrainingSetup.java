package org.sparktrain.driver.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.augment.AugmentationConfig;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.model.DistillationLoss;
import org.sparktrain.worker.model.Dl4jConfig;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.privacy.PerExampleSupport;
import org.sparktrain.worker.privacy.PrivateTraining;
import org.sparktrain.worker.text.MaskingPolicy;
import org.sparktrain.worker.text.Tokenizer;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.TrainerSettings;
import org.sparktrain.worker.train.ZeroMask;

/**
 * What a run trains, derived once from the spec and the prepared data: the network (on the
 * driver, pretrained weights or {@code train.init}'s model copied in), the settings every worker
 * gets, and the shards it trains on (the prepared ones, or with a teacher's soft targets). The
 * one place that turns the model's kind into a {@link Task}.
 */
record TrainingSetup(NetworkConfig conf, Network driverNet, TrainerSettings settings,
    JavaRDD<ExampleBlock> shards, PrivateRun privateRun) {

  /**
   * @param privacySecret a private run's secret to keep (a resumed run's); null for a fresh
   *     one
   */
  static TrainingSetup of(JavaSparkContext sc, JobSpec spec, PreparedData data,
      byte[] privacySecret) {
    JobSpec.Train t = spec.train();
    Tokenizer tokenizer = data.tokenizerJson() == null ? null
        : Tokenizer.fromJson(data.tokenizerJson());
    ModelConfig model = spec.model();
    EpochSchedule schedule = new EpochSchedule(data.smallestShard(), t.batchSize(),
        t.averagingFrequency(), t.seed());
    NetworkConfig conf = networkConfig(spec, data, schedule, 1);
    // Counted from the configuration before the driver allocates anything of the model's size.
    ModelSizePreCheck.check(sc.getConf(), spec, conf, data.numFeatures());
    Network driverNet = conf.newNetwork();
    if (model instanceof TransformerConfig transformer && transformer.pretrained() != null) {
      PretrainedEncoder.copyInto(driverNet, transformer.pretrained(), sc.hadoopConfiguration());
    }
    ZeroMask zeros = t.init() == null ? null : InitialModel.copyInto(driverNet, t.init(),
        data.normalizer(), sc.hadoopConfiguration());
    int threads = t.threadsPerWorker() > 0 ? t.threadsPerWorker()
        : SparkSetup.autoThreadsPerWorker(sc, t.workers());
    Task task = task(spec, data, tokenizer);
    JavaRDD<ExampleBlock> shards = data.train();
    if (t.distillation() != null) {
      task = new Task.Distilled(task);
      shards = TeacherTargets.attach(sc, data, t.distillation(), threads);
    }
    PrivateRun privateRun = null;
    PrivateTraining privacy = null;
    if (t.privacy() != null) {
      privateRun = privateRun(spec, task, driverNet, schedule);
      privacy = new PrivateTraining(privateRun.samplingRate(), t.privacy().clipNorm(),
          privateRun.noiseMultiplier(), t.privacy().microbatchSize(),
          privacySecret != null ? privacySecret : PrivateRun.newSecret());
    }
    TrainerSettings settings = new TrainerSettings(conf.toJson(), schedule, task, t.seed(),
        threads, zeros, privacy);
    return new TrainingSetup(conf, driverNet, settings, shards, privateRun);
  }

  /**
   * A private run's accounting, after checking that DP-SGD can train this model: its task must
   * have one label per row (per-example clipping of a language model's token losses is not
   * done), and no layer may mix the examples of a batch.
   */
  private static PrivateRun privateRun(JobSpec spec, Task task, Network driverNet,
      EpochSchedule schedule) {
    if (!(task instanceof Task.Rows) && !(task instanceof Task.Images)) {
      throw new SpecException("train.privacy is not supported for model " + spec.model().name()
          + ": DP-SGD here trains models with one label per row (logistic, mlp, dl4j "
          + "configurations without batch normalization); language models are not supported");
    }
    if (spec.preprocess().normalize() != NormalizationMethod.NONE) {
      throw new SpecException("train.privacy needs preprocess.normalize: none (got "
          + spec.preprocess().normalize().key() + "): fitted statistics are computed from the "
          + "training data without noise and saved with the model, outside the guarantee; "
          + "use preprocess.scaleBy with a bound that does not come from the data (255 for "
          + "8-bit pixels), or rescale the features beforehand");
    }
    try {
      PerExampleSupport.check(driverNet);
    } catch (IllegalArgumentException e) {
      throw new SpecException("train.privacy: model " + spec.model().name() + ": "
          + e.getMessage());
    }
    return PrivateRun.plan(spec.train().privacy(), schedule, spec.train().epochs());
  }

  /**
   * {@code base} with the learning rate multiplied by {@code scale} (what a run trains with
   * after rolling back from a divergence); everything else stays.
   */
  static TrainerSettings withLearningRateScaled(JobSpec spec, PreparedData data,
      TrainerSettings base, double scale) {
    if (scale == 1) {
      return base;
    }
    NetworkConfig conf = networkConfig(spec, data, base.schedule(), scale);
    return new TrainerSettings(conf.toJson(), base.schedule(), base.task(), base.seed(),
        base.threadsPerWorker(), base.zeros(), base.privacy());
  }

  /** The network's configuration, its optimizer's learning rate multiplied by {@code scale}. */
  private static NetworkConfig networkConfig(JobSpec spec, PreparedData data,
      EpochSchedule schedule, double scale) {
    JobSpec.Train t = spec.train();
    ModelConfig model = spec.model();
    int inputs = data.features().networkInputs();
    OptimizerConfig optimizer = optimizer(t, schedule);
    NetworkConfig conf = model.build(inputs, data.numClasses(),
        scale == 1 ? optimizer : optimizer.withLearningRateScaled(scale), t.seed());
    if (t.distillation() != null) {
      try {
        DistillationLoss.install(conf, t.distillation().temperature(), t.distillation().alpha());
      } catch (IllegalArgumentException e) {
        throw new SpecException("model.teacher: " + e.getMessage());
      }
    }
    return conf;
  }

  /** The model's kind of task, with what its minibatches need. */
  static Task task(JobSpec spec, PreparedData data, Tokenizer tokenizer) {
    ModelConfig model = spec.model();
    if (model instanceof Dl4jConfig dl4j && dl4j.givenFeatureShape() != null) {
      return new Task.AsGiven(dl4j.givenFeatureShape(), dl4j.givenLabelShape());
    }
    return switch (model.kind()) {
      case MASKED_TOKENS -> new Task.MaskedTokens(MaskingPolicy.bert(tokenizer),
          spec.train().seed());
      case NEXT_TOKEN -> new Task.NextToken();
      case TEXT_CLASSES -> new Task.TokenRows(data.numClasses(),
          tokenizer.specialTokens().pad());
      case CLASSES, VALUES -> {
        AugmentationConfig augmentation = spec.preprocess().augmentation();
        if (augmentation == null) {
          yield new Task.Rows(model.oneHotLabels(), model.outputWidth(data.numClasses()));
        }
        int[] shape = model.imageShape(data.numFeatures());
        yield new Task.Images(data.numClasses(), new ImageAugmenter(augmentation, shape[2],
            shape[0], shape[1], spec.train().seed()));
      }
    };
  }

  /**
   * The spec's optimizer for this run's length: cosine decay ends at the last step. Optimizer
   * steps are counted per worker (each takes every step of the schedule).
   */
  private static OptimizerConfig optimizer(JobSpec.Train t, EpochSchedule schedule) {
    long steps = (long) schedule.stepsPerEpoch() * t.epochs();
    if (t.optimizer().warmupSteps() >= steps) {
      throw new SpecException("train.optimizer.warmupSteps: " + t.optimizer().warmupSteps()
          + " is not allowed: the run takes only " + steps + " optimizer steps per worker ("
          + t.epochs() + " epochs x " + schedule.stepsPerEpoch() + " minibatches); use fewer "
          + "warmup steps");
    }
    return t.optimizer().withTotalSteps(steps);
  }
}
