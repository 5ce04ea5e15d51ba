package org.sparktrain.driver.spec.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.BoundedYaml;

/**
 * The files written from {@link SpecKeys} are committed as written: the JSON Schema and the
 * README's key reference. With {@code -Dsparktrain.regenerate=true} the test writes them
 * instead. The examples and the README's specs must pass the schema.
 */
class SpecDocsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String REGENERATE = "mvn -B -o -q -pl worker-lib,driver test "
      + "-Dtest=SpecDocsTest -Dsurefire.failIfNoSpecifiedTests=false "
      + "-Dsparktrain.regenerate=true";
  private static final boolean REWRITE = Boolean.getBoolean("sparktrain.regenerate");
  /** A README spec's placeholder for a value explained elsewhere. */
  private static final String ELIDED = "...";

  @Test
  void theCommittedSchemaIsTheGeneratedOne() throws IOException {
    Path file = ROOT.resolve(SpecSchema.FILE);
    if (REWRITE) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, SpecSchema.json(), StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "")
        .as(SpecSchema.FILE + " differs from what SpecKeys gives; regenerate it with: "
            + REGENERATE)
        .isEqualTo(SpecSchema.json());
  }

  @Test
  void theReadmeKeyReferenceIsTheGeneratedOne() throws IOException {
    Path file = ROOT.resolve("README.md");
    String readme = Files.readString(file, StandardCharsets.UTF_8);
    int begin = readme.indexOf(KeyReference.BEGIN);
    int end = readme.indexOf(KeyReference.END);
    assertThat(begin).as("README.md has the marker " + KeyReference.BEGIN).isNotNegative();
    assertThat(end).as("README.md has the marker " + KeyReference.END).isGreaterThan(begin);
    String committed = readme.substring(begin, end + KeyReference.END.length() + 1);
    if (REWRITE) {
      Files.writeString(file, readme.replace(committed, KeyReference.markdown()),
          StandardCharsets.UTF_8);
      committed = KeyReference.markdown();
    }
    assertThat(committed).as("README.md's key reference differs from what SpecKeys gives; "
        + "regenerate it with: " + REGENERATE).isEqualTo(KeyReference.markdown());
  }

  @Test
  void everyExampleSpecPassesTheSchema() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(ROOT.resolve("examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
    for (Path example : examples) {
      assertThat(problems(Files.readString(example, StandardCharsets.UTF_8)))
          .as(example.toString()).isEmpty();
    }
  }

  @Test
  void everyReadmeSpecPassesTheSchema() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    int specs = 0;
    while (block.find()) {
      assertThat(problems(block.group(1))).as("README.md's spec:\n" + block.group(1)).isEmpty();
      specs++;
    }
    assertThat(specs).isGreaterThanOrEqualTo(5);
  }

  /** The schema is strict: a misspelled key, a wrong type, an unknown choice all fail it. */
  @Test
  void theSchemaRefusesWhatTheParserRefuses() {
    assertThat(problems("train: {epoch: 3}")).singleElement().asString().contains("epoch");
    assertThat(problems("train: {epochs: three}")).singleElement().asString()
        .contains("epochs");
    assertThat(problems("train: {epochs: 0}")).singleElement().asString().contains("1");
    assertThat(problems("train: {optimizer: {name: adamw}}")).singleElement().asString()
        .contains("name");
    assertThat(problems("preprocess: {missing: {numeric: mean}}")).isEmpty();
    assertThat(problems("preprocess: {missing: median}")).isEmpty();
  }

  private static List<String> problems(String yaml) {
    Object tree = withoutElided(BoundedYaml.load(yaml, "a spec"));
    JsonNode node = new ObjectMapper().valueToTree(tree);
    List<String> out = new ArrayList<>();
    for (ValidationMessage m : schema().validate(node)) {
      out.add(m.getMessage());
    }
    return out;
  }

  /** Drops the keys whose value is the README's {@code ...} (explained in its own section). */
  private static Object withoutElided(Object tree) {
    if (tree instanceof Map<?, ?> map) {
      map.values().removeIf(ELIDED::equals);
      map.values().forEach(SpecDocsTest::withoutElided);
    }
    return tree;
  }

  private static JsonSchema schema() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(
        SpecSchema.json());
  }
}
