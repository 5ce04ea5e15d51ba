package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparktrain privacy} and {@code sparktrain audit} as a user runs them: a fresh JVM per
 * command. The audit trains its models with the CLI's own {@code train} and checks that the
 * attack finds what it should: an overfit model gives its training rows away, a model that
 * generalizes much less so.
 */
class PrivacyAuditCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Features of the synthetic task; labels flipped with this probability (noise to memorize). */
  private static final int FEATURES = 10;
  private static final double LABEL_NOISE = 0.3;

  @TempDir
  static Path dir;

  /** Held-out rows of the same distribution: the non-members of every audit. */
  static Path heldOut;

  @BeforeAll
  static void data() throws IOException {
    heldOut = noisyCsv("held-out.csv", 300, 2);
  }

  private static ChildJvm.Result cli(String... args) throws Exception {
    return ChildJvm.run(dir, MAIN, args);
  }

  // ---- privacy ----

  @Test
  void privacyReproducesTensorflowPrivacysMnistEpsilon() throws Exception {
    ChildJvm.Result r = cli("privacy", "--examples", "60000", "--batch", "256", "--noise", "1.1",
        "--epochs", "60", "--delta", "1e-5", "--json");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode out = JSON.readTree(r.stdout());
    assertThat(out.get("epsilon").asDouble()).isCloseTo(3.01, within(0.0301));
    assertThat(out.get("steps").asLong()).isEqualTo(14063);
    assertThat(out.get("samplingRate").asDouble()).isCloseTo(256 / 60000.0, within(1e-12));
    assertThat(out.get("improvedEpsilon").asDouble()).isLessThan(out.get("epsilon").asDouble());
    assertThat(out.has("order")).isTrue();

    ChildJvm.Result text = cli("privacy", "--examples", "60000", "--batch", "256", "--noise",
        "1.1", "--epochs", "60", "--delta", "1e-5");
    assertThat(text.exitCode()).as(text.stderr()).isZero();
    assertThat(text.stdout()).contains("epsilon").contains("optimal order").contains("14063");
  }

  @Test
  void privacyFindsTheNoiseForATargetEpsilon() throws Exception {
    ChildJvm.Result r = cli("privacy", "--examples", "60000", "--batch", "256",
        "--target-epsilon", "2", "--epochs", "60", "--delta", "1e-5", "--json");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode out = JSON.readTree(r.stdout());
    assertThat(out.get("epsilon").asDouble()).isLessThanOrEqualTo(2.0).isCloseTo(2.0,
        within(0.01));
    assertThat(out.get("noiseMultiplier").asDouble()).isGreaterThan(1.1);
    assertThat(out.get("targetEpsilon").asDouble()).isEqualTo(2.0);
  }

  @Test
  void privacyRefusesAnImpossibleTargetOrBadFlagsInOneLine() throws Exception {
    ChildJvm.Result r = cli("privacy", "--examples", "60000", "--batch", "256",
        "--target-epsilon", "0.01", "--epochs", "60", "--delta", "1e-5");
    assertThat(r.exitCode()).isEqualTo(2);
    String first = r.stderr().lines().filter(l -> l.startsWith("sparktrain: error: "))
        .findFirst().orElseThrow();
    assertThat(first).contains("--target-epsilon: target epsilon 0.01 is out of reach")
        .contains("smallest epsilon reachable");
    assertThat(r.stderr()).doesNotContain("\tat ");

    r = cli("privacy", "--examples", "100", "--batch", "200", "--noise", "1", "--epochs", "1",
        "--delta", "1e-5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("sparktrain: error: --batch must be in [1, --examples = "
        + "100], got 200").doesNotContain("\tat ");

    r = cli("privacy", "--examples", "100", "--batch", "10", "--noise", "1",
        "--target-epsilon", "1", "--epochs", "1", "--delta", "1e-5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("mutually exclusive");
  }

  @Test
  void bothCommandsHaveHelp() throws Exception {
    for (String command : new String[] {"privacy", "audit"}) {
      ChildJvm.Result r = cli(command, "--help");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("Usage: sparktrain " + command);
    }
    assertThat(cli("privacy", "--help").stdout()).contains("--target-epsilon").contains("--json");
    assertThat(cli("audit", "--help").stdout()).contains("--non-members").contains("--max-rows")
        .contains("LiRA");
  }

  // ---- audit ----

  /**
   * A training run to audit. {@code members} is audited against the held-out rows; the first
   * {@code auditRows} of it (its first rows are the ones trained on). A DP-SGD case is one more
   * of these with the spec's privacy keys in {@code extraTrainKeys}.
   */
  record AuditCase(String name, int trainRows, int epochs, String hidden, int batch,
      String extraTrainKeys, int auditRows) {}

  static final AuditCase OVERFIT = new AuditCase("overfit", 150, 100, "[256]", 8, "", 150);
  static final AuditCase GENERALIZING = new AuditCase("generalizing", 3000, 2, "[16]", 16, "",
      150);
  /** OVERFIT's model and schedule, trained with DP-SGD. */
  static final AuditCase PRIVATE = new AuditCase("private", 150, 100, "[256]", 8,
      ", privacy: {noiseMultiplier: 8.0, clipNorm: 1.0}", 150);

  @Test
  void theSameOverfitModelTrainedWithDpGivesTheAttackNothing() throws Exception {
    JsonNode overfit = trainAndAudit(OVERFIT);
    JsonNode dp = trainAndAudit(PRIVATE);
    double overfitAuc = overfit.get("auc").asDouble();
    double dpAuc = dp.get("auc").asDouble();
    System.out.printf(Locale.ROOT, "audit AUC: overfit %.4f %s, DP %.4f %s, epsilon %s%n",
        overfitAuc, overfit.get("aucCi"), dpAuc, dp.get("aucCi"), dp.get("accountantEpsilon"));
    assertThat(dpAuc).isLessThan(overfitAuc - 0.1);
    // Near 0.5. (Not "its interval reaches 0.5": every run draws a fresh secret, so that held
    // only by chance, and failed once in seven runs with AUC 0.5130 at the interval's low end.)
    assertThat(dpAuc).isBetween(0.4, 0.6);
    // The audit's lower bound never exceeds what the accountant promises.
    assertThat(dp.get("accountantEpsilon").asDouble()).isPositive();
    assertThat(dp.get("contradictsAccountant").asBoolean()).isFalse();
    assertThat(dp.at("/epsilonLowerBound/epsilon").asDouble())
        .isLessThanOrEqualTo(dp.get("accountantEpsilon").asDouble());
  }

  @Test
  void theAttackSeesAnOverfitModelAndLessOfOneThatGeneralizes() throws Exception {
    JsonNode overfit = trainAndAudit(OVERFIT);
    JsonNode general = trainAndAudit(GENERALIZING);
    double overfitAuc = overfit.get("auc").asDouble();
    double generalAuc = general.get("auc").asDouble();
    System.out.printf(Locale.ROOT, "audit AUC: overfit %.4f %s, generalizing %.4f %s%n",
        overfitAuc, overfit.get("aucCi"), generalAuc, general.get("aucCi"));
    assertThat(overfitAuc).isGreaterThan(0.6);
    assertThat(overfit.at("/aucCi/0").asDouble()).isGreaterThan(0.5);
    assertThat(generalAuc).isLessThan(overfitAuc - 0.1);
    assertThat(overfit.at("/members/meanLoss").asDouble())
        .isLessThan(overfit.at("/nonMembers/meanLoss").asDouble());
    assertThat(overfit.at("/members/rows").asInt()).isEqualTo(150);
    assertThat(general.at("/members/rows").asInt()).isEqualTo(150);
    // Trained without DP: no accountant to compare with.
    assertThat(overfit.get("accountantEpsilon").isNull()).isTrue();
    assertThat(overfit.get("contradictsAccountant").isNull()).isTrue();
    assertThat(overfit.at("/epsilonLowerBound/delta").asDouble()).isEqualTo(1e-5);
    assertThat(overfit.get("operatingPoints")).hasSize(2);
    assertThat(overfit.get("roc").size()).isGreaterThan(10);
    Path page = dir.resolve("audit-overfit/audit.html");
    assertThat(Files.readString(page)).doesNotContain("@@PAGE_DATA_JSON@@")
        .contains("\"auc\":" + overfit.get("auc").asText());
    if (HeadlessChromium.available()) {
      HeadlessChromium.Page shown = HeadlessChromium.open(page, dir);
      assertThat(shown.consoleLines()).isEmpty();
      assertThat(shown.dom()).contains("data-audit=\"rendered\"").contains("<svg")
          .contains("empirical epsilon lower bound");
      assertThat(HeadlessChromium.chartPoints(shown.dom()).get("roc"))
          .isEqualTo(overfit.get("roc").size());
    }
  }

  @Test
  void auditRefusesBadInputInOneLineNamingTheFlag() throws Exception {
    Path few = noisyCsv("few.csv", 5, 9);
    ChildJvm.Result r = cli("audit", "--model", "no-such-run/model", "--members",
        heldOut.toString(), "--non-members", few.toString(), "--master", "local[1]");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("sparktrain: error: not a sparktrain model")
        .doesNotContain("\tat ");

    trainAndAudit(OVERFIT);
    r = cli("audit", "--model", "run-overfit/model", "--members", heldOut.toString(),
        "--non-members", few.toString(), "--master", "local[1]");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("sparktrain: error: --non-members: ").contains("few.csv has "
        + "5 usable labelled rows; the audit needs at least 10").doesNotContain("\tat ");

    r = cli("audit", "--model", "run-overfit/model", "--members", "missing.csv",
        "--non-members", heldOut.toString(), "--master", "local[1]");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("sparktrain: error: --members: missing.csv does not exist");
  }

  /** Trains the case's model once (a later call reuses it) and audits it; audit.json. */
  private static JsonNode trainAndAudit(AuditCase c) throws Exception {
    Path run = dir.resolve("run-" + c.name());
    Path members = noisyCsv("train-" + c.name() + ".csv", c.trainRows(), 1);
    if (!Files.exists(run.resolve("model/model.zip"))) {
      Path spec = Files.writeString(dir.resolve(c.name() + ".yaml"), """
          data: {uri: '%s', numClasses: 2, split: {train: 1.0, validation: 0, test: 0}}
          preprocess: {normalize: none}
          model: {name: mlp, hidden: %s}
          train: {epochs: %d, batchSize: %d, workers: 1, averagingFrequency: 1000,
                  optimizer: {name: adam, learningRate: 0.01}%s}
          checkpoint: {everyEpoch: false}
          output: {dir: '%s'}
          """.formatted(members, c.hidden(), c.epochs(), c.batch(), c.extraTrainKeys(), run));
      ChildJvm.Result t = cli("train", spec.toString(), "--master", "local[1]", "--quiet");
      assertThat(t.exitCode()).as(t.stderr()).isZero();
    }
    Path out = dir.resolve("audit-" + c.name());
    ChildJvm.Result r = cli("audit", "--model", run.resolve("model").toString(), "--members",
        members.toString(), "--non-members", heldOut.toString(), "--max-rows",
        String.valueOf(c.auditRows()), "--output", out.toString(), "--master", "local[1]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("loss threshold (Yeom et al. 2018)").contains("AUC")
        .contains("TPR at FPR 1%").contains("empirical epsilon lower bound");
    System.out.println("audit " + c.name() + ":\n" + r.stdout());
    return JSON.readTree(out.resolve("audit.json").toFile());
  }

  /**
   * Two classes split by a random hyperplane through Gaussian points, each label flipped with
   * probability {@value #LABEL_NOISE}: the flipped rows can only be learned by memorizing them.
   * The hyperplane is the same for every file (seed 0); {@code seed} draws the rows.
   */
  private static Path noisyCsv(String name, int rows, long seed) throws IOException {
    Path file = dir.resolve(name);
    if (Files.exists(file)) {
      return file;
    }
    Random plane = new Random(0);
    double[] w = new double[FEATURES];
    for (int f = 0; f < FEATURES; f++) {
      w[f] = plane.nextGaussian();
    }
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      double dot = 0;
      for (int f = 0; f < FEATURES; f++) {
        double x = r.nextGaussian();
        dot += w[f] * x;
        sb.append(String.format(Locale.ROOT, "%.4f,", x));
      }
      int label = dot > 0 ? 1 : 0;
      if (r.nextDouble() < LABEL_NOISE) {
        label = 1 - label;
      }
      sb.append(label).append('\n');
    }
    return Files.writeString(file, sb.toString());
  }
}
