package org.sparktrain.driver.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.sparktrain.worker.augment.AugmentationConfig;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.ResNetConfig;
import org.sparktrain.worker.optim.OptimizerConfig;

class JobSpecParserTest {
  private static final Path BASE = Path.of("/data/specs");
  private static final String VALID = """
      data: {uri: digits.csv.gz, numClasses: 10}
      model: {name: mlp, hidden: [32, 16]}
      train: {epochs: 3, workers: 2, optimizer: {name: nesterov, learningRate: 0.1}}
      """;

  private static JobSpec parse(String yaml) {
    return JobSpecParser.parse(yaml, BASE);
  }

  @Test
  void validSpecWithDefaults() {
    JobSpec spec = parse(VALID);
    assertThat(spec.data().uri()).isEqualTo("file:///data/specs/digits.csv.gz");
    assertThat(spec.data().labelColumn()).isEqualTo(-1);
    assertThat(spec.data().trainFraction()).isEqualTo(0.8, Assertions
        .within(1e-12));
    assertThat(spec.preprocess().normalize()).isEqualTo(NormalizationMethod.STANDARDIZE);
    assertThat(((MlpConfig) spec.model()).hidden()).containsExactly(32, 16);
    assertThat(spec.train().optimizer().kind()).isEqualTo(OptimizerConfig.Kind.NESTEROV);
    assertThat(spec.train().optimizer().momentum()).isEqualTo(0.9);
    assertThat(spec.train().averagingFrequency()).isEqualTo(5);
  }

  @Test
  void resolvedSpecRoundTrips() {
    JobSpec spec = parse(VALID);
    JobSpec again = JobSpecParser.parse(SpecYaml.write(spec), null);
    assertThat(again.toMap()).isEqualTo(spec.toMap());
  }

  @Test
  void unknownKeyIsRejectedWithItsPathAndTheAllowedKeys() {
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epoch: 3")))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("unknown key 'train.epoch' in section 'train'")
        .hasMessageContaining("allowed: epochs, batchSize, workers");
    assertThatThrownBy(() -> parse(VALID + "extra: 1\n"))
        .hasMessageContaining("unknown key 'extra' at the top level");
  }

  @Test
  void everyMistakeIsReportedAtOnceWithItsKeyPath() {
    String three = VALID.replace("epochs: 3", "epoch: 3").replace("numClasses: 10",
        "numClasses: -1").replace("name: nesterov", "name: adamw");
    assertThatThrownBy(() -> parse(three))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("the job spec has 3 mistakes:")
        .hasMessageContaining("\n  - data.numClasses: -1 is not allowed")
        .hasMessageContaining("\n  - train.optimizer.name: 'adamw' is not allowed")
        .hasMessageContaining("\n  - unknown key 'train.epoch' in section 'train'");
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epochs: 0")
        + "preprocess: {normalize: zscore}\n"))
        .hasMessageStartingWith("the job spec has 2 mistakes:")
        .hasMessageContaining("preprocess.normalize: 'zscore' is not allowed")
        .hasMessageContaining("train.epochs: 0 is not allowed");
    // A check across keys that fails after them is listed last.
    assertThatThrownBy(() -> parse(VALID.replace("numClasses: 10", "numClasses: 10, split: "
        + "{train: 0.9, validation: 0, test: 0.1}").replace("epochs: 3",
        "epochs: 3, batchSize: 0, earlyStopping: {patience: 2}")))
        .hasMessageMatching("(?s)the job spec has 2 mistakes:\n  - train.batchSize: 0 .*"
            + "\n  - train.earlyStopping needs validation data.*");
  }

  @Test
  void aCheckWrittenByHandInOneSectionDoesNotHideTheMistakesOfTheOthers() {
    // data.numFeatures and checkpoint.keepBestBy are checked by hand after their section's
    // getters; train.epochs by a getter. All three come out in one message.
    String spec = VALID.replace("numClasses: 10", "numClasses: 10, format: libsvm")
        .replace("epochs: 3", "epochs: 0") + "checkpoint: {keepBestBy: loss}\n";
    assertThatThrownBy(() -> parse(spec))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith("the job spec has 3 mistakes:")
        .hasMessageContaining("\n  - data.numFeatures is required for format libsvm")
        .hasMessageContaining("\n  - train.epochs: 0 is not allowed")
        .hasMessageContaining("\n  - checkpoint.keepBestBy: 'loss' is not allowed");
  }

  @Test
  void checksWrittenByHandInOneSectionAreAllReportedWithItsUnknownKeys() {
    String spec = VALID.replace("numClasses: 10", "numClasses: 10, format: idx, "
        + "testUri: t.gz, colour: red") + "checkpoint: {keepBestBy: loss, onWriteFailure: "
        + "retry}\n";
    assertThatThrownBy(() -> parse(spec))
        .hasMessageStartingWith("the job spec has 5 mistakes:")
        .hasMessageContaining("\n  - data.labelsUri is required for format idx")
        .hasMessageContaining("\n  - data.testLabelsUri is required when data.testUri is set")
        .hasMessageContaining("\n  - unknown key 'data.colour'")
        .hasMessageContaining("\n  - checkpoint.keepBestBy: 'loss' is not allowed")
        .hasMessageContaining("\n  - checkpoint.onWriteFailure: 'retry' is not allowed");
  }

  @Test
  void badValuesNameKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epochs: 0")))
        .hasMessage("train.epochs: 0 is not allowed (must be an integer in [1, 1000000])");
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epochs: three")))
        .hasMessage("train.epochs: 'three' is not allowed (must be an integer in [1, 1000000])");
    assertThatThrownBy(() -> parse(VALID.replace("nesterov", "rmsprop")))
        .hasMessage("train.optimizer.name: 'rmsprop' is not allowed (must be one of sgd, "
            + "nesterov, adam)");
    assertThatThrownBy(() -> parse(VALID.replace("name: mlp", "name: transformer")))
        .hasMessage("model.name: 'transformer' is not allowed (must be one of logistic, mlp, "
            + "resnet, gpt, bert, bert-classifier, dl4j)");
    assertThatThrownBy(() -> parse(VALID.replace("[32, 16]", "[32, 0]")))
        .hasMessage("model.hidden[1]: 0 is not allowed (must be an integer in [1, 65536])");
    // Sizes that would allocate terabytes are refused by the spec, not by an out-of-memory.
    assertThatThrownBy(() -> parse(VALID.replace("[32, 16]", "[32, 1000000]")))
        .hasMessage("model.hidden[1]: 1000000 is not allowed (must be an integer in [1, 65536])");
    assertThatThrownBy(() -> parse(VALID + "preprocess: {normalize: zscore}\n"))
        .hasMessage("preprocess.normalize: 'zscore' is not allowed (must be one of none, "
            + "standardize, minmax, scale)");
    assertThatThrownBy(() -> parse(VALID + "preprocess: {badRecords: skip}\n"))
        .hasMessage("preprocess.badRecords: 'skip' is not allowed (must be one of drop, fail)");
  }

  @Test
  void missingRequiredKeys() {
    assertThatThrownBy(() -> parse("model: {name: mlp}\ndata: {uri: x.csv}\n"))
        .hasMessageContaining("data.numClasses is required for a classification model");
    assertThatThrownBy(() -> parse("model: {name: mlp}\n"))
        .hasMessageContaining("data.uri is required");
    assertThatThrownBy(() -> parse("data: {uri: x.csv, numClasses: 2}\n"))
        .hasMessageContaining("model.name is required");
    assertThatThrownBy(() -> parse(
        "data: {uri: x, format: idx, numClasses: 10}\nmodel: {name: mlp}\n"))
        .hasMessageContaining("data.labelsUri is required for format idx");
  }

  @Test
  void splitFractionsMustAddUpToOne() {
    assertThatThrownBy(() -> parse(VALID.replace("numClasses: 10",
        "numClasses: 10, split: {train: 0.5, validation: 0.1, test: 0.1}")))
        .hasMessageContaining("data.split: train 0.5 + validation 0.1 + test 0.1")
        .hasMessageContaining("must add up to 1");
  }

  @Test
  void notYamlOrNotAMapping() {
    assertThatThrownBy(() -> parse("data: [unclosed")).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> parse("- a\n- b\n"))
        .hasMessageContaining("the job spec must be a YAML mapping");
  }

  @Test
  void uriWithSchemeIsKept() {
    JobSpec spec = parse(VALID.replace("digits.csv.gz", "hdfs://nn:8020/d/digits.csv"));
    assertThat(spec.data().uri()).isEqualTo("hdfs://nn:8020/d/digits.csv");
  }

  @Test
  void resnetAndAugmentationKeysRoundTripWithDefaults() {
    JobSpec spec = parse("""
        data: {uri: fashion.idx.gz, format: idx, labelsUri: labels.idx.gz, numClasses: 10}
        preprocess: {normalize: scale, augmentation: {shiftPixels: 2, pFlipHorizontal: 0.5}}
        model: {name: resnet, inputShape: [28, 28, 1], stemStride: 2, widths: [8, 16]}
        """);
    ResNetConfig resnet = (ResNetConfig) spec.model();
    assertThat(resnet.imageShape()).containsExactly(28, 28, 1);
    assertThat(resnet.stemWidth()).isEqualTo(16);
    assertThat(resnet.stemStride()).isEqualTo(2);
    assertThat(resnet.stageWidths()).containsExactly(8, 16);
    assertThat(resnet.blocksPerStage()).isEqualTo(1);
    AugmentationConfig augmentation = spec.preprocess().augmentation();
    // A shift range without its probability applies half the time; unset transforms are off.
    assertThat(augmentation).isEqualTo(new AugmentationConfig(2, 0.5, 0, 0, 1, 1, 0, 0.5));
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThat(parse(VALID).preprocess().augmentation()).isNull();
  }

  @Test
  void learningRateDecayRoundTrips() {
    JobSpec spec = parse(VALID.replace("{name: nesterov, learningRate: 0.1}",
        "{name: adam, learningRate: 0.004, decayRate: 0.5, decayEveryEpochs: 2}"));
    assertThat(spec.train().optimizer().decayRate()).isEqualTo(0.5);
    assertThat(spec.train().optimizer().decayEveryEpochs()).isEqualTo(2);
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThat(parse(VALID).train().optimizer().decayRate()).isEqualTo(1.0);
    assertThatThrownBy(() -> parse(VALID.replace("learningRate: 0.1}",
        "learningRate: 0.1, decayRate: 1.5}")))
        .hasMessageContaining("train.optimizer.decayRate: 1.5 is not allowed");
  }

  @Test
  void onDivergenceRoundTripsAndRefusesBadValues() {
    assertThat(parse(VALID).train().onDivergence()).isEqualTo(JobSpec.OnDivergence.STOP);
    JobSpec spec = parse(VALID.replace("workers: 2,", "workers: 2, "
        + "onDivergence: {rollbacks: 2, learningRateFactor: 0.3},"));
    assertThat(spec.train().onDivergence()).isEqualTo(new JobSpec.OnDivergence(2, 0.3));
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThatThrownBy(() -> parse(VALID.replace("workers: 2,",
        "workers: 2, onDivergence: {rollbacks: 2, learningRateFactor: 1},")))
        .hasMessage("train.onDivergence.learningRateFactor: 1.0 is not allowed (must be a number "
            + "in (0.0, 0.99])");
    assertThatThrownBy(() -> parse(VALID.replace("workers: 2,",
        "workers: 2, onDivergence: {rollbacks: -1, halve: true},")))
        .hasMessageStartingWith("the job spec has 2 mistakes:")
        .hasMessageContaining("train.onDivergence.rollbacks: -1 is not allowed")
        .hasMessageContaining("unknown key 'train.onDivergence.halve'");
  }

  @Test
  void warmupAndCosineDecayRoundTripAndRefuseStepKeys() {
    JobSpec spec = parse(VALID.replace("{name: nesterov, learningRate: 0.1}",
        "{name: adam, learningRate: 0.004, warmupSteps: 50, decay: cosine, "
            + "minLearningRate: 0.0001}"));
    OptimizerConfig o = spec.train().optimizer();
    assertThat(o.warmupSteps()).isEqualTo(50);
    assertThat(o.decay()).isEqualTo(OptimizerConfig.Decay.COSINE);
    assertThat(o.minLearningRate()).isEqualTo(0.0001);
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThatThrownBy(() -> parse(VALID.replace("learningRate: 0.1}",
        "learningRate: 0.1, decay: cosine, decayRate: 0.5}")))
        .hasMessageContaining("train.optimizer.decayRate is for decay: step (got decay: cosine)");
    assertThatThrownBy(() -> parse(VALID.replace("learningRate: 0.1}",
        "learningRate: 0.1, decay: cosine, minLearningRate: 0.2}")))
        .hasMessageContaining("train.optimizer.minLearningRate: 0.2 is not allowed");
    assertThatThrownBy(() -> parse(VALID.replace("learningRate: 0.1}",
        "learningRate: 0.1, decay: step}")))
        .hasMessageContaining("train.optimizer.decayRate is required for decay: step");
  }

  @Test
  void outerOptimizerAndEarlyStopping() {
    String split = "data: {uri: d.csv, numClasses: 10, split: {validation: 0.1, test: 0.1}}\n";
    JobSpec spec = parse(split + """
        model: {name: mlp}
        train: {outer: {name: nesterov, learningRate: 0.5},
                earlyStopping: {metric: macroF1, patience: 2, minDelta: 0.01}}
        """);
    assertThat(spec.train().outer().learningRate()).isEqualTo(0.5);
    assertThat(spec.train().outer().momentum()).isEqualTo(0.9);
    assertThat(spec.train().earlyStopping())
        .isEqualTo(new JobSpec.EarlyStopping("macroF1", 2, 0.01));
    assertThat(spec.train().earlyStopping().lowerIsBetter()).isFalse();
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThat(parse(VALID).train().outer()).isNull();
    assertThat(parse(VALID).train().earlyStopping()).isNull();
    // The default metric is the model's first: accuracy, mse, loss or maskedLoss.
    JobSpec regression = parse(split.replace("numClasses: 10", "numClasses: 0")
        + "model: {name: mlp, task: regression}\ntrain: {earlyStopping: {}}\n");
    assertThat(regression.train().earlyStopping().metric()).isEqualTo("mse");
    assertThat(regression.train().earlyStopping().lowerIsBetter()).isTrue();
    assertThatThrownBy(() -> parse(split
        + "model: {name: mlp}\ntrain: {earlyStopping: {metric: mse}}\n"))
        .hasMessageContaining("train.earlyStopping.metric: 'mse' is not allowed for model mlp "
            + "(must be one of accuracy, macroF1)");
    assertThatThrownBy(() -> parse(VALID.replace("train: {", "train: {earlyStopping: {}, ")
        .replace("numClasses: 10}", "numClasses: 10, split: {validation: 0}}")))
        .hasMessageContaining("train.earlyStopping needs validation data");
    assertThatThrownBy(() -> parse(VALID.replace("train: {", "train: {outer: {name: adam}, ")))
        .hasMessageContaining("train.outer.name: 'adam' is not allowed (must be one of none, "
            + "nesterov)");
  }

  @Test
  void badResnetAndAugmentationSettingsNameTheKey() {
    String idx = "data: {uri: f.gz, format: idx, labelsUri: l.gz, numClasses: 10}\n";
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet, inputShape: [28, 28]}"))
        .hasMessageContaining("model.inputShape: 2 values are not allowed");
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet, stemStride: 3}"))
        .hasMessageContaining("model.stemStride: 3 is not allowed");
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet}\n"
        + "preprocess: {augmentation: {shiftPixels: 2}}"))
        .hasMessageContaining("preprocess.augmentation needs preprocess.normalize: scale or none "
            + "(got standardize)");
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet}\n"
        + "preprocess: {normalize: scale, augmentation: {scaleMin: 1.2, scaleMax: 1.1}}"))
        .hasMessageContaining("preprocess.augmentation.scaleMin: 1.2 is not allowed");
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet}\n"
        + "preprocess: {normalize: scale, augmentation: {pShift: 2}}"))
        .hasMessageContaining("preprocess.augmentation.pShift: 2.0 is not allowed");
    assertThatThrownBy(() -> parse(idx + "model: {name: resnet}\n"
        + "preprocess: {normalize: scale, augmentation: {flip: 0.5}}"))
        .hasMessageContaining("unknown key 'preprocess.augmentation.flip'");
  }
}
