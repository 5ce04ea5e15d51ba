package org.sparktrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.sync.SyncPrecision;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class SpecBuilderTest {
  private static final Path CWD = Path.of("").toAbsolutePath();
  private static final String YAML = """
      data:
        uri: ../examples/digits.csv.gz
        format: csv
        labelColumn: -1
        numClasses: 10
        split: {train: 0.7, validation: 0.1, test: 0.2}
      preprocess: {normalize: minmax}
      model: {name: mlp, hidden: [64, 32], activation: tanh}
      train:
        epochs: 5
        batchSize: 16
        workers: 2
        optimizer: {name: adam, learningRate: 0.003}
        seed: 7
      output: {dir: runs/nb}
      """;

  private static SpecBuilder equivalentBuilder() {
    return Sparktrain.spec().csv("../examples/digits.csv.gz").labelColumn(-1).numClasses(10)
        .split(0.7, 0.1, 0.2).normalize("minmax").mlp(64, 32).activation("tanh").epochs(5)
        .batchSize(16).workers(2).adam(0.003).seed(7).output("runs/nb");
  }

  private static SpecBuilder minimal() {
    return Sparktrain.spec().csv("digits.csv.gz").numClasses(10).mlp(32);
  }

  @Test
  void buildsTheMapTheYamlGivesAndTheSameSpec() {
    Object yamlTree = new Yaml(new SafeConstructor(new LoaderOptions())).load(YAML);
    assertThat(equivalentBuilder().toMap()).isEqualTo(yamlTree);

    JobSpec fromYaml = JobSpecParser.parse(YAML, CWD);
    JobSpec built = equivalentBuilder().build();
    assertThat(built.toMap()).isEqualTo(fromYaml.toMap());
    assertThat(SpecYaml.write(built)).isEqualTo(SpecYaml.write(fromYaml));
  }

  @Test
  void relativePathsResolveAgainstTheWorkingDirectory() {
    JobSpec spec = equivalentBuilder().build();
    assertThat(spec.data().uri()).isEqualTo(
        CWD.resolve("../examples/digits.csv.gz").normalize().toUri().toString());
    assertThat(spec.output().dir()).isEqualTo(CWD.resolve("runs/nb").toUri().toString());
    assertThat(minimal().csv("s3a://bucket/digits.csv").build().data().uri())
        .isEqualTo("s3a://bucket/digits.csv");
  }

  @Test
  void badValuesGetTheParsersMessageNamingTheKey() {
    String yamlMessage = messageOf(() -> JobSpecParser.parse(
        YAML.replace("epochs: 5", "epochs: 0"), CWD));
    assertThatThrownBy(() -> equivalentBuilder().epochs(0).build())
        .isInstanceOf(SpecException.class)
        .hasMessage(yamlMessage)
        .hasMessage("train.epochs: 0 is not allowed (must be an integer in [1, 1000000])");
    assertThatThrownBy(() -> minimal().activation("swish").build())
        .hasMessageStartingWith("model.activation: 'swish' is not allowed (must be one of relu");
    assertThatThrownBy(() -> Sparktrain.spec().csv("d.csv").mlp(8).build())
        .hasMessageStartingWith("data.numClasses is required for a classification model");
  }

  @Test
  void trainingControls() {
    JobSpec spec = minimal().split(0.8, 0.1, 0.1).warmupCosine(20).syncPrecision("bfloat16")
        .outerNesterov(0.8, 0.5).earlyStopping("macroF1", 4).rollBackOnDivergence(3, 0.25)
        .build();
    assertThat(spec.train().optimizer().warmupSteps()).isEqualTo(20);
    assertThat(spec.train().optimizer().decay())
        .isEqualTo(OptimizerConfig.Decay.COSINE);
    assertThat(spec.train().syncPrecision())
        .isEqualTo(SyncPrecision.BFLOAT16);
    assertThat(spec.train().outer())
        .isEqualTo(new OuterOptimizer(0.8, 0.5));
    assertThat(spec.train().earlyStopping())
        .isEqualTo(new JobSpec.EarlyStopping("macroF1", 4, 0));
    assertThat(spec.train().onDivergence()).isEqualTo(new JobSpec.OnDivergence(3, 0.25));
    assertThat(minimal().build().train().onDivergence()).isEqualTo(JobSpec.OnDivergence.STOP);

    JobSpec distilled = minimal().distillFrom("/runs/teacher/model", 3, 0.6)
        .startFrom("/runs/pruned", true).build();
    assertThat(distilled.train().distillation()).isEqualTo(new JobSpec.Distillation(
        "file:///runs/teacher/model", 3, 0.6));
    assertThat(distilled.train().init()).isEqualTo(new JobSpec.Init("file:///runs/pruned",
        true));
  }

  @Test
  void setReachesEveryKeyAndUnknownKeysAreRejected() {
    JobSpec spec = minimal().set("checkpoint.keepLast", 5).set("train.averageOptimizerState",
        false).build();
    assertThat(spec.checkpoint().keepLast()).isEqualTo(5);
    assertThat(spec.train().averageOptimizerState()).isFalse();
    assertThat(minimal().sync("driver").build().train().sync())
        .isEqualTo(JobSpec.SyncMode.DRIVER);
    assertThatThrownBy(() -> minimal().sync("mpi").build())
        .hasMessageContaining("train.sync: 'mpi' is not allowed (must be one of auto, "
            + "collective, driver)");
    assertThatThrownBy(() -> minimal().set("train.epoch", 3).build())
        .hasMessageContaining("unknown key 'train.epoch' in section 'train'");
    assertThatThrownBy(() -> minimal().set("data.uri.x", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data.uri.x: 'uri' holds the value digits.csv.gz");
  }

  @Test
  void choosingAnotherOptimizerDropsTheOldOnesKeys() {
    JobSpec spec = minimal().nesterov(0.1, 0.8).adam(0.01).build();
    assertThat(spec.train().optimizer().kind()).isEqualTo(OptimizerConfig.Kind.ADAM);
    assertThat(spec.train().optimizer().learningRate()).isEqualTo(0.01);
    assertThat(minimal().nesterov(0.1, 0.8).build().train().optimizer().momentum())
        .isEqualTo(0.8);
  }

  @Test
  void startsFromALoadedSpecAndCopiesBranchOff() {
    JobSpec loaded = JobSpecParser.parseFile(Path.of("../examples/digits.yaml"));
    assertThat(SpecBuilder.from(loaded).build().toMap()).isEqualTo(loaded.toMap());

    SpecBuilder base = SpecBuilder.from(loaded);
    JobSpec shorter = base.copy().epochs(3).build();
    assertThat(shorter.train().epochs()).isEqualTo(3);
    assertThat(base.build().train().epochs()).isEqualTo(loaded.train().epochs());
    @SuppressWarnings("unchecked")
    Map<String, Object> train = (Map<String, Object>) base.toMap().get("train");
    assertThat(train).containsEntry("epochs", 30);
  }

  @Test
  void toStringShowsTheSpecAsYaml() {
    assertThat(minimal().epochs(2).toString()).isEqualTo("SpecBuilder{data: {uri: digits.csv.gz, "
        + "format: csv, numClasses: 10}, model: {name: mlp, hidden: [32]}, train: {epochs: 2}}");
    assertThat(minimal().toYaml()).contains("data:\n  uri: digits.csv.gz\n");
  }

  private static String messageOf(Runnable r) {
    try {
      r.run();
    } catch (SpecException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a SpecException");
  }

  @Test
  void credentialsGivenToTheBuilderAreRefusedWithoutBeingQuoted() {
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assertThatThrownBy(() -> Sparktrain.spec().table("parquet", "s3a://bucket/t")
        .labelColumn("y").numClasses(2).mlp(8).option("fs.s3a.secret.key", secret).build())
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("data.options.fs.s3a.secret.key is a credential")
        .message().doesNotContain(secret);
    assertThatThrownBy(() -> Sparktrain.spec().csv("d.csv").numClasses(2).mlp(8)
        .output("s3a://AKIAEXAMPLE:" + secret + "@bucket/runs").build())
        .hasMessageContaining("output.dir: the URI carries credentials")
        .message().doesNotContain(secret).doesNotContain("AKIAEXAMPLE");
  }

}
