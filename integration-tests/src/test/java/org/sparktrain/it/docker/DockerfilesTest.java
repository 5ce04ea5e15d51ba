package org.sparktrain.it.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Static checks of docker/Dockerfile and docker/Dockerfile.cuda (there is no Docker engine here to
 * build them): every path they COPY or ADD from the build context (the repository root) exists,
 * the application jar and the S3A jars of spark-dist/target/spark-dist included (the output of
 * the app and spark-dist modules, built before this module in the reactor); the container runs
 * as a non-root user after the last RUN; the jar lands at the path the Kubernetes manifests in
 * k8s/ run; the image names docker/README.md builds are the ones the
 * manifests use; each Dockerfile's .dockerignore lets its sources through; and docker/lint.sh
 * (dockerfilelint) passes where Node.js is installed.
 */
class DockerfilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DOCKER = ROOT.resolve("docker");
  private static final Path K8S = ROOT.resolve("k8s");
  /**
   * The app module's shaded jar, relative to the build context, as the Dockerfiles name it: one
   * per Spark line (sparktrain-app-spark3.5.jar, sparktrain-app-spark4.jar), picked by the build
   * argument SPARK_LINE.
   */
  static final String APP_JAR = "app/target/sparktrain-app-${SPARK_LINE}.jar";
  /**
   * The build arguments an image of this build's Spark line is built with: its jar is the one
   * the app module made in this build (the integration-tests pom passes the line).
   */
  static final Map<String, String> BUILD_ARGS =
      Map.of("SPARK_LINE", System.getProperty("sparktrain.it.sparkLine", "spark4"));

  /** One Dockerfile instruction: its keyword (upper case), arguments and first line (1-based). */
  record Instruction(int line, String keyword, String args) {}

  /** A COPY or ADD: its flags (--from=..., --chown=...), sources and destination. */
  record Copy(int line, String keyword, List<String> flags, List<String> sources, String dest) {
    boolean fromStage() {
      return flags.stream().anyMatch(f -> f.startsWith("--from="));
    }
  }

  // ---------------------------------------------------------------- parsing

  /**
   * Splits Dockerfile text into instructions: joins lines continued with a trailing backslash,
   * drops comments (parser directives included) and the comment or blank lines Docker allows
   * inside a continuation.
   */
  static List<Instruction> parse(String text) {
    List<Instruction> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    StringBuilder current = null;
    int start = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (current != null && trimmed.isEmpty())) {
        continue;
      }
      if (current == null) {
        if (trimmed.isEmpty()) {
          continue;
        }
        current = new StringBuilder();
        start = i + 1;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      out.add(instruction(start, current.toString()));
      current = null;
    }
    if (current != null) {
      out.add(instruction(start, current.toString()));
    }
    return out;
  }

  private static Instruction instruction(int line, String text) {
    String[] parts = text.strip().split("\\s+", 2);
    return new Instruction(line, parts[0].toUpperCase(Locale.ROOT),
        parts.length > 1 ? parts[1].strip() : "");
  }

  /** The COPY and ADD instructions, with flags, sources and destination split out. */
  static List<Copy> copies(List<Instruction> instructions) {
    List<Copy> out = new ArrayList<>();
    for (Instruction in : instructions) {
      if (!in.keyword().equals("COPY") && !in.keyword().equals("ADD")) {
        continue;
      }
      String rest = in.args();
      if (rest.contains("<<")) {
        throw new IllegalArgumentException("line " + in.line() + ": " + in.keyword()
            + " with a here-document is not supported by this check");
      }
      List<String> flags = new ArrayList<>();
      while (rest.startsWith("--")) {
        String[] parts = rest.split("\\s+", 2);
        flags.add(parts[0]);
        rest = parts.length > 1 ? parts[1].strip() : "";
      }
      List<String> paths;
      if (rest.startsWith("[")) {
        try {
          paths = new ObjectMapper().readValue(rest, new TypeReference<List<String>>() {});
        } catch (IOException e) {
          throw new IllegalArgumentException("line " + in.line() + ": malformed JSON form: "
              + rest, e);
        }
      } else {
        paths = Arrays.asList(rest.split("\\s+"));
      }
      if (paths.size() < 2 || paths.get(0).isEmpty()) {
        throw new IllegalArgumentException("line " + in.line() + ": " + in.keyword()
            + " needs at least one source and a destination: " + in.args());
      }
      out.add(new Copy(in.line(), in.keyword(), List.copyOf(flags),
          List.copyOf(paths.subList(0, paths.size() - 1)), paths.get(paths.size() - 1)));
    }
    return out;
  }

  /**
   * The problems with the build-context sources of a Dockerfile (COPY/ADD without --from): one
   * line per source that does not exist under {@code context}, leaves it, or cannot be checked.
   */
  static List<String> missingSources(String dockerfile, Path context) throws IOException {
    return missingSources(dockerfile, context, Map.of());
  }

  /** As above, with {@code buildArgs} overriding the Dockerfile's ARG defaults. */
  static List<String> missingSources(String dockerfile, Path context,
      Map<String, String> buildArgs) throws IOException {
    List<String> problems = new ArrayList<>();
    Path root = context.toAbsolutePath().normalize();
    List<Instruction> instructions = parse(dockerfile);
    Map<String, String> args = args(instructions, buildArgs);
    for (Copy c : copies(instructions)) {
      if (c.fromStage()) {
        continue;
      }
      for (String written : c.sources()) {
        String src = substitute(written, args);
        String where = "line " + c.line() + ": " + c.keyword() + " " + src;
        if (c.keyword().equals("ADD") && src.matches("(?i)(https?|git)://.*|git@.*")) {
          continue;
        }
        if (src.contains("$")) {
          problems.add(where + ": uses a variable, which this check cannot resolve");
          continue;
        }
        String rel = src.replaceFirst("^(\\./|/)+", "");
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) {
          problems.add(where + ": outside the build context " + root);
        } else if (rel.matches(".*[*?\\[].*")) {
          if (!globMatches(root, rel)) {
            problems.add(where + ": matches nothing in the build context " + root);
          }
        } else if (!Files.exists(p)) {
          problems.add(where + ": no such file in the build context " + root);
        }
      }
    }
    return problems;
  }

  /** The ARG values a build sees: each ARG's default, unless {@code buildArgs} sets it. */
  static Map<String, String> args(List<Instruction> instructions, Map<String, String> buildArgs) {
    Map<String, String> out = new HashMap<>();
    for (Instruction in : instructions) {
      if (in.keyword().equals("ARG")) {
        String[] kv = in.args().split("=", 2);
        if (kv.length == 2) {
          out.put(kv[0].strip(), kv[1].strip());
        }
      }
    }
    out.putAll(buildArgs);
    return out;
  }

  /** Replaces ${NAME} with its ARG value; unknown names stay (and are reported as variables). */
  static String substitute(String text, Map<String, String> args) {
    Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), m.group())));
    }
    return m.appendTail(out).toString();
  }

  /** A wildcard in the last path element only (what a Dockerfile here would use). */
  private static boolean globMatches(Path root, String rel) throws IOException {
    Path pattern = Path.of(rel);
    Path dir = pattern.getParent() == null ? root : root.resolve(pattern.getParent());
    if (dir.toString().matches(".*[*?\\[].*") || !Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> s =
        Files.newDirectoryStream(dir, pattern.getFileName().toString())) {
      return s.iterator().hasNext();
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static List<Instruction> lastStage(List<Instruction> all) {
    int from = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    assertThat(from).as("a FROM instruction").isGreaterThanOrEqualTo(0);
    return all.subList(from, all.size());
  }

  private static String jarDestination(String file) throws IOException {
    List<Copy> jar = copies(parse(read(DOCKER.resolve(file)))).stream()
        .filter(c -> !c.fromStage() && c.sources().contains(APP_JAR)).toList();
    assertThat(jar).as("%s copies %s exactly once", file, APP_JAR).hasSize(1);
    return jar.get(0).dest();
  }

  // ---------------------------------------------------------------- the checks

  @ParameterizedTest
  @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
  void everyCopiedPathExistsInTheBuildContext(String file) throws IOException {
    List<String> problems = missingSources(read(DOCKER.resolve(file)), ROOT, BUILD_ARGS);
    if (problems.stream()
        .anyMatch(p -> p.matches("line \\d+: \\w+ (app|spark-dist)/target/.*"))) {
      fail("docker/" + file + " copies output of the app and spark-dist modules ("
          + substitute(APP_JAR, BUILD_ARGS) + ", spark-dist/target/spark-dist/) that does not exist: build them "
          + "first (mvn -B -DskipTests package -pl app,spark-dist -am; in the full build they "
          + "run before integration-tests). All problems: " + problems);
    }
    assertThat(problems).as("COPY/ADD sources of docker/%s missing from %s", file, ROOT)
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
  void runsAsANonRootUserAfterTheLastRun(String file) throws IOException {
    List<Instruction> stage = lastStage(parse(read(DOCKER.resolve(file))));
    int lastRun = -1;
    int lastUser = -1;
    for (int i = 0; i < stage.size(); i++) {
      switch (stage.get(i).keyword()) {
        case "RUN" -> lastRun = i;
        case "USER" -> lastUser = i;
        default -> { }
      }
    }
    assertThat(lastUser).as("docker/%s: a USER instruction in the final stage", file)
        .isGreaterThanOrEqualTo(0);
    assertThat(lastUser).as("docker/%s: the USER comes after the last RUN", file)
        .isGreaterThan(lastRun);
    String user = stage.get(lastUser).args().split(":")[0].strip();
    assertThat(user).as("docker/%s: USER", file).isNotIn("root", "0", "");
    // 185: the official Spark image's user spark, which the CUDA image recreates.
    assertThat(user).as("docker/%s: USER", file).isIn("185", "spark");
  }

  @Test
  void cudaImageCreatesTheSparkUserWithUid185() throws IOException {
    String runs = parse(read(DOCKER.resolve("Dockerfile.cuda"))).stream()
        .filter(i -> i.keyword().equals("RUN")).map(Instruction::args)
        .collect(Collectors.joining("\n"));
    assertThat(runs).contains("useradd").contains("--uid=185");
  }

  @Test
  void jarDestinationIsTheSameInBothImagesAndIsWhatKubernetesRuns() throws IOException {
    String cpu = jarDestination("Dockerfile");
    String cuda = jarDestination("Dockerfile.cuda");
    assertThat(cuda).as("jar destination of Dockerfile.cuda").isEqualTo(cpu);

    Map<String, Object> app = yaml(read(K8S.resolve("base/sparkapplication.yaml")));
    String mainFile = String.valueOf(spec(app).get("mainApplicationFile"));
    assertThat(mainFile).as("k8s/base mainApplicationFile").startsWith("local://");
    assertThat(cpu).as("the jar destination in the images vs k8s/base mainApplicationFile %s",
        mainFile).isEqualTo(mainFile.substring("local://".length()));

    for (String file : List.of("Dockerfile", "Dockerfile.cuda")) {
      assertThat(parse(read(DOCKER.resolve(file)))).as("docker/%s ENV", file)
          .anySatisfy(i -> assertThat(i.keyword() + " " + i.args())
              .startsWith("ENV").contains("SPARKTRAIN_JAR=" + cpu));
    }
  }

  @Test
  void everyLauncherDeniesTheSameDeserializationGadgets() throws IOException {
    String filter = read(ROOT.resolve("conf/java-serial-filter")).strip();
    assertThat(filter).contains("!org.apache.commons.collections.functors.*");
    for (String file : List.of("Dockerfile", "Dockerfile.cuda")) {
      assertThat(parse(read(DOCKER.resolve(file)))).as("docker/%s ENV", file)
          .anySatisfy(i -> assertThat(i.keyword() + " " + i.args()).startsWith("ENV")
              .contains("JDK_JAVA_OPTIONS=\"-Djdk.serialFilter=" + filter + "\""));
    }
    // The scripts read the file itself; the commands that start no Spark job deny everything.
    assertThat(read(ROOT.resolve("deploy/submit.sh"))).contains("conf/java-serial-filter")
        .contains("spark.executor.extraJavaOptions=$EXECUTOR_OPTS");
    assertThat(read(ROOT.resolve("bin/sparktrain"))).contains("conf/java-serial-filter")
        .contains("predict|generate|checkpoints|export) SERIAL_FILTER='!*'");
  }

  @Test
  void readmeBuildsTheImageNamesKubernetesUses() throws IOException {
    Map<String, Object> app = yaml(read(K8S.resolve("base/sparkapplication.yaml")));
    String cpuImage = String.valueOf(spec(app).get("image"));
    String gpuImage = gpuOverlayImage();
    assertThat(gpuImage).as("image set by k8s/overlays/gpu").isNotNull().isNotEqualTo(cpuImage);

    String readme = read(DOCKER.resolve("README.md"));
    assertThat(readme)
        .contains("docker build -f docker/Dockerfile -t " + cpuImage + " .")
        .contains("docker build -f docker/Dockerfile.cuda -t " + gpuImage + " .");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
  void dockerignoreLetsEverySourceThrough(String file) throws IOException {
    List<String> rules = read(DOCKER.resolve(file + ".dockerignore")).lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(rules).as("docker/%s.dockerignore", file).first().isEqualTo("*");
    List<Instruction> instructions = parse(read(DOCKER.resolve(file)));
    Map<String, String> args = args(instructions, BUILD_ARGS);
    for (Copy c : copies(instructions)) {
      if (!c.fromStage()) {
        for (String written : c.sources()) {
          Path src = Path.of(substitute(written, args).replaceFirst("^(\\./|/)+", ""));
          // A rule re-includes a source by its name, a glob over it or a folder above it.
          assertThat(rules).as("docker/%s.dockerignore re-includes %s", file, src)
              .anyMatch(r -> r.startsWith("!") && (r.substring(1).equals(src.toString())
                  || FileSystems.getDefault()
                  .getPathMatcher("glob:" + r.substring(1).replaceFirst("/$", "")).matches(src)
                  || src.startsWith(r.substring(1))));
        }
      }
    }
  }

  // ---------------------------------------------------------------- the parser itself

  @Test
  void parserReportsMissingSourcesAndSkipsStageCopies(@TempDir Path context) throws IOException {
    Files.createDirectories(context.resolve("conf"));
    Files.writeString(context.resolve("conf/a.properties"), "x");
    Files.writeString(context.resolve("conf/b.properties"), "x");
    Files.writeString(context.resolve("present.jar"), "x");
    String dockerfile = """
        # syntax=docker/dockerfile:1
        ARG BASE=apache/spark:3.5.8-scala2.12-java17-ubuntu
        FROM ${BASE} AS spark
        FROM ubuntu:22.04
        # a comment
        COPY present.jar /opt/app.jar
        COPY --chown=185:185 missing/app.jar \\
             /opt/app2.jar
        COPY ["conf/a.properties", "conf/nope.properties", "/opt/conf/"]
        COPY conf/*.properties /opt/conf/
        COPY conf/*.yaml /opt/conf/
        COPY --from=spark /opt/spark/jars /opt/spark/jars
        ADD https://example.invalid/x.tgz /tmp/
        ADD ./gone.tgz /tmp/
        COPY ../outside.txt /tmp/
        RUN echo \\
        # a comment inside a continuation
            done
        USER 185
        """;
    List<Instruction> parsed = parse(dockerfile);
    assertThat(parsed).extracting(Instruction::keyword).containsExactly("ARG", "FROM", "FROM",
        "COPY", "COPY", "COPY", "COPY", "COPY", "COPY", "ADD", "ADD", "COPY", "RUN", "USER");
    assertThat(parsed.get(4)).isEqualTo(new Instruction(7, "COPY",
        "--chown=185:185 missing/app.jar  /opt/app2.jar"));
    assertThat(parsed.get(12).args()).isEqualTo("echo  done");

    List<Copy> copies = copies(parsed);
    assertThat(copies.get(1).flags()).containsExactly("--chown=185:185");
    assertThat(copies.get(1).sources()).containsExactly("missing/app.jar");
    assertThat(copies.get(1).dest()).isEqualTo("/opt/app2.jar");
    assertThat(copies.get(2).sources()).containsExactly("conf/a.properties",
        "conf/nope.properties");
    assertThat(copies.get(5).fromStage()).isTrue();

    List<String> problems = missingSources(dockerfile, context);
    assertThat(problems).hasSize(5);
    assertThat(problems.get(0)).startsWith("line 7: COPY missing/app.jar: no such file");
    assertThat(problems.get(1)).startsWith("line 9: COPY conf/nope.properties: no such file");
    assertThat(problems.get(2)).startsWith("line 11: COPY conf/*.yaml: matches nothing");
    assertThat(problems.get(3)).startsWith("line 14: ADD ./gone.tgz: no such file");
    assertThat(problems.get(4)).startsWith("line 15: COPY ../outside.txt: outside the build");

    assertThat(missingSources("FROM a:1\nCOPY present.jar /x\n", context)).isEmpty();
    // A source named through an ARG: its default, or the build argument that overrides it.
    String withArg = "FROM a:1\nARG JAR=present\nCOPY ${JAR}.jar /x\n";
    assertThat(missingSources(withArg, context)).isEmpty();
    assertThat(missingSources(withArg, context, Map.of("JAR", "absent")))
        .containsExactly("line 3: COPY absent.jar: no such file in the build context "
            + context.toAbsolutePath().normalize());
    assertThat(missingSources("FROM a:1\nCOPY ${NOPE}.jar /x\n", context)).singleElement()
        .asString().contains("uses a variable");
    assertThatThrownBy(() -> copies(parse("FROM a:1\nCOPY onlyone\n")))
        .hasMessageContaining("line 2");
  }

  // ---------------------------------------------------------------- lint

  @Test
  void dockerfilelintPasses() throws Exception {
    Assumptions.assumeTrue(onPath("node") && onPath("npm"),
        "node and npm are not installed; skipping docker/lint.sh (dockerfilelint)");
    Process p = new ProcessBuilder("bash", DOCKER.resolve("lint.sh").toString())
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out;
    try (var in = p.getInputStream()) {
      // lint.sh prints little; read it all (it ends when the process ends).
      out = in.readAllBytes();
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("docker/lint.sh did not finish in 5 minutes");
    }
    String output = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("docker/lint.sh exit code; its output:%n%s", output)
        .isZero();
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- k8s manifests

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(String text) {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(Map<String, Object> app) {
    return (Map<String, Object>) app.get("spec");
  }

  /** The value the gpu overlay's JSON patch gives /spec/image. */
  @SuppressWarnings("unchecked")
  private static String gpuOverlayImage() throws IOException {
    Map<String, Object> k = yaml(read(K8S.resolve("overlays/gpu/kustomization.yaml")));
    for (Object patch : (List<Object>) k.getOrDefault("patches", List.of())) {
      Object ops = ((Map<String, Object>) patch).get("patch");
      if (ops instanceof String s) {
        ops = new Yaml(new SafeConstructor(new LoaderOptions())).load(s);
      }
      if (ops instanceof List<?> list) {
        for (Object op : list) {
          Map<String, Object> o = (Map<String, Object>) op;
          if ("/spec/image".equals(o.get("path")) && o.get("value") != null) {
            return String.valueOf(o.get("value"));
          }
        }
      }
    }
    return null;
  }
}
