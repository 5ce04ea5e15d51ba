package org.sparktrain.driver.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.train.OptimizerConfig;

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
    assertThat(spec.data().trainFraction()).isEqualTo(0.8, org.assertj.core.api.Assertions
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
  void badValuesNameKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epochs: 0")))
        .hasMessage("train.epochs: 0 is not allowed (must be an integer in [1, 1000000])");
    assertThatThrownBy(() -> parse(VALID.replace("epochs: 3", "epochs: three")))
        .hasMessage("train.epochs: 'three' is not allowed (must be an integer in [1, 1000000])");
    assertThatThrownBy(() -> parse(VALID.replace("nesterov", "rmsprop")))
        .hasMessage("train.optimizer.name: 'rmsprop' is not allowed (must be one of sgd, "
            + "nesterov, adam)");
    assertThatThrownBy(() -> parse(VALID.replace("name: mlp", "name: transformer")))
        .hasMessage("model.name: 'transformer' is not allowed (must be one of logistic, mlp, gpt, bert)");
    assertThatThrownBy(() -> parse(VALID.replace("[32, 16]", "[32, 0]")))
        .hasMessage("model.hidden[1]: 0 is not allowed (must be an integer >= 1)");
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
}
