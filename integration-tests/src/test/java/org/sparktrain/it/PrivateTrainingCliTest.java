package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.output.Json;

/**
 * The shipped private example through the command line, as a user runs it: it trains, reports
 * the epsilon it spent within its target, and its secret appears in no line the command printed
 * and in no file of the run but the checkpoints' private state.
 */
class PrivateTrainingCliTest {
  private static final String MAIN = "org.sparktrain.driver.cli.SparktrainMain";

  @TempDir
  Path dir;

  @Test
  void theExampleTrainsWithinItsBudgetAndItsSecretIsNeverPrinted() throws Exception {
    Path examples = Path.of("../examples").toAbsolutePath().normalize();
    String spec = Files.readString(examples.resolve("digits-private.yaml"))
        .replace("uri: digits.csv.gz", "uri: '" + examples.resolve("digits.csv.gz") + "'")
        .replace("dir: ../runs/digits-private", "dir: '" + dir.resolve("run") + "'")
        .replace("epochs: 20", "epochs: 4");
    Path specFile = Files.writeString(dir.resolve("private.yaml"), spec);
    ChildJvm.Result r = ChildJvm.run(dir, MAIN, "train", specFile.toString(), "--master",
        "local[2]");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("differentially private training: noise multiplier");

    JsonNode privacy = Json.MAPPER.readTree(dir.resolve("run/summary.json").toFile())
        .get("privacy");
    assertThat(privacy.get("epsilon").asDouble()).isPositive().isLessThanOrEqualTo(3.0);
    assertThat(privacy.get("targetEpsilon").asDouble()).isEqualTo(3.0);
    assertThat(Files.exists(dir.resolve("run/model/privacy.json"))).isTrue();

    Path stateFile;
    try (Stream<Path> files = Files.walk(dir.resolve("run/checkpoints"))) {
      stateFile = files.filter(f -> f.getFileName().toString().equals("training-state.json"))
          .findFirst().orElseThrow();
    }
    byte[] secret = Base64.getDecoder().decode(Json.MAPPER.readTree(stateFile.toFile())
        .get("privacy").get("secret").asText());
    List<String> forms = List.of(Base64.getEncoder().encodeToString(secret),
        HexFormat.of().formatHex(secret), new String(secret, StandardCharsets.ISO_8859_1));
    for (String form : forms) {
      assertThat(r.stdout()).doesNotContain(form);
      assertThat(r.stderr()).doesNotContain(form);
    }
    List<Path> holding = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir.resolve("run"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        if (forms.stream().anyMatch(text::contains)) {
          holding.add(f);
        }
      }
    }
    assertThat(holding).isNotEmpty().allSatisfy(f ->
        assertThat(f.getFileName().toString()).isEqualTo("training-state.json"));
  }
}
