package org.sparktrain.it.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.monitor.SparktrainMetricsPlugin;
import org.sparktrain.driver.spec.JobSpecParser;

/**
 * Renders k8s/overlays/{cpu,gpu,cpu-spark3.5} and validates every SparkApplication strictly against the Spark
 * operator's CRD schema (k8s/schema, a copy of ../shared/schemas): an unknown field fails, as it would with
 * kubectl's strict field validation. Other manifests must carry the fields Kubernetes requires,
 * and every name one manifest refers to must exist among the rendered ones.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("../k8s").toAbsolutePath().normalize();
  /** The project's copy (gzipped), so the test runs on any checkout. */
  private static final Path CRD = K8S.resolve("schema/sparkoperator.k8s.io_sparkapplications"
      + ".yaml.gz");
  /** The team's shared copy, where it exists beside the project. */
  private static final Path SHARED_CRD = Path.of("../../shared/schemas/"
      + "sparkoperator.k8s.io_sparkapplications.yaml").toAbsolutePath().normalize();
  private static JsonSchema sparkApplicationSchema;

  @BeforeAll
  static void loadSchema() throws IOException {
    String crdText;
    try (var in = new GZIPInputStream(Files.newInputStream(CRD))) {
      crdText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode crd = KustomizeRenderer.readYamlText(crdText).get(0);
    JsonNode schema = null;
    for (JsonNode v : crd.at("/spec/versions")) {
      if (v.get("name").asText().equals("v1beta2")) {
        schema = v.at("/schema/openAPIV3Schema").deepCopy();
      }
    }
    assertThat(schema).as("v1beta2 schema in the CRD").isNotNull();
    strict(schema);
    sparkApplicationSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
        .getSchema(schema);
  }

  /** Closes every object schema that lists its properties, like strict field validation. */
  private static void strict(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      if (obj.has("properties") && !obj.has("additionalProperties")
          && !obj.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        obj.put("additionalProperties", false);
      }
      obj.forEach(KubernetesManifestsTest::strict);
    } else if (node != null && node.isArray()) {
      node.forEach(KubernetesManifestsTest::strict);
    }
  }

  private static Set<String> problems(JsonNode doc) {
    return sparkApplicationSchema.validate(doc).stream().map(ValidationMessage::getMessage)
        .collect(Collectors.toSet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu", "cpu-spark3.5"})
  void overlaysRenderToValidManifests(String overlay) throws IOException {
    List<JsonNode> docs = KustomizeRenderer.render(K8S.resolve("overlays").resolve(overlay));
    assertThat(docs).extracting(d -> d.get("kind").asText()).containsExactlyInAnyOrder(
        "ServiceAccount", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy",
        "SparkApplication", "ConfigMap");
    for (JsonNode doc : docs) {
      assertThat(doc.path("apiVersion").asText()).as("apiVersion of %s", doc).isNotEmpty();
      assertThat(doc.at("/metadata/name").asText()).as("metadata.name of %s", doc)
          .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
    JsonNode app = only(docs, "SparkApplication");
    assertThat(problems(app)).as("schema problems of the %s SparkApplication", overlay)
        .isEmpty();
    assertThat(app.at("/spec/restartPolicy/type").asText()).isEqualTo("OnFailure");
    assertThat(app.at("/spec/mainClass").asText())
        .isEqualTo("org.sparktrain.driver.cli.SparktrainMain");

    // References resolve inside the rendered set: the driver's account is the one bound to the
    // role; the executors' has no role and mounts no token.
    JsonNode driverAccount = named(docs, "ServiceAccount",
        app.at("/spec/driver/serviceAccount").asText());
    JsonNode executorAccount = named(docs, "ServiceAccount",
        app.at("/spec/executor/serviceAccount").asText());
    assertThat(executorAccount).isNotEqualTo(driverAccount);
    assertThat(executorAccount.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    // Restricted security for every pod, and authenticated driver-executor traffic.
    for (String pod : List.of("driver", "executor")) {
      JsonNode sc = app.at("/spec/" + pod + "/securityContext");
      assertThat(sc.path("runAsNonRoot").asBoolean()).as(pod).isTrue();
      assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(pod).isFalse();
      assertThat(sc.at("/capabilities/drop").toString()).as(pod).isEqualTo("[\"ALL\"]");
      assertThat(sc.at("/seccompProfile/type").asText()).as(pod).isEqualTo("RuntimeDefault");
    }
    assertThat(app.at("/spec/sparkConf/spark.authenticate").asText()).isEqualTo("true");
    // Training metrics reach Prometheus through Spark's own servlet (LiveMonitoringTest reads
    // the same settings' output during a run).
    JsonNode conf = app.at("/spec/sparkConf");
    assertThat(conf.path("spark.plugins").asText())
        .isEqualTo(SparktrainMetricsPlugin.class.getName());
    assertThat(conf.path("spark.metrics.conf.*.sink.prometheusServlet.class").asText())
        .isEqualTo("org.apache.spark.metrics.sink.PrometheusServlet");
    assertThat(app.at("/spec/driver/annotations/prometheus.io~1path").asText())
        .isEqualTo(conf.path("spark.metrics.conf.*.sink.prometheusServlet.path").asText());
    JsonNode configMap = only(docs, "ConfigMap");
    assertThat(app.at("/spec/volumes/0/configMap/name").asText())
        .isEqualTo(configMap.at("/metadata/name").asText());
    JsonNode binding = only(docs, "RoleBinding");
    assertThat(binding.at("/roleRef/name").asText())
        .isEqualTo(only(docs, "Role").at("/metadata/name").asText());
    assertThat(binding.at("/subjects/0/name").asText())
        .isEqualTo(driverAccount.at("/metadata/name").asText());
    // Exactly the calls Spark's driver makes (k8s/base/role.yaml cites them): the collection
    // delete on pods is what kills a hung executor during a run; no wildcard, no patch.
    Map<String, String> verbs = new TreeMap<>();
    for (JsonNode rule : only(docs, "Role").get("rules")) {
      assertThat(rule.has("apiGroups") && rule.has("resources") && rule.has("verbs")).isTrue();
      assertThat(rule.get("apiGroups").toString()).isEqualTo("[\"\"]");
      assertThat(rule.get("verbs").toString()).doesNotContain("*").doesNotContain("patch");
      rule.get("resources").forEach(r -> verbs.put(r.asText(), rule.get("verbs").toString()));
    }
    assertThat(verbs).containsExactlyEntriesOf(new TreeMap<>(Map.of(
        "pods", "[\"create\",\"get\",\"list\",\"watch\",\"delete\",\"deletecollection\"]",
        "configmaps", "[\"create\",\"deletecollection\"]",
        "services", "[\"deletecollection\"]",
        "persistentvolumeclaims", "[\"list\",\"deletecollection\"]")));
    ClusterHardening.assertHardened(app, only(docs, "NetworkPolicy"));
    // The job spec in the ConfigMap is a valid sparktrain spec.
    JobSpecParser.parse(configMap.at("/data/job.yaml").asText(), null);

    // The operator runs the Spark the image was built for: 4 by default, 3.5 in its overlay.
    if (overlay.endsWith("-spark3.5")) {
      assertThat(app.at("/spec/sparkVersion").asText()).startsWith("3.5.");
      assertThat(app.at("/spec/image").asText()).endsWith("-spark3.5");
    } else {
      assertThat(app.at("/spec/sparkVersion").asText()).startsWith("4.");
      assertThat(app.at("/spec/image").asText()).doesNotContain("spark3.5");
    }
    if (overlay.equals("gpu")) {
      assertThat(app.at("/spec/executor/gpu/name").asText()).isEqualTo("nvidia.com/gpu");
      assertThat(app.at("/spec/image").asText()).contains("cuda");
    } else {
      assertThat(app.at("/spec/executor/gpu").isMissingNode()).isTrue();
    }
  }

  @Test
  void theProjectsCrdCopyMatchesTheSharedOne() throws IOException {
    Assumptions.assumeTrue(Files.exists(SHARED_CRD), "no shared CRD at " + SHARED_CRD
        + " to compare k8s/schema's copy with");
    try (var in = new GZIPInputStream(Files.newInputStream(CRD))) {
      assertThat(in.readAllBytes()).as("k8s/schema's CRD copy is the shared one")
          .isEqualTo(Files.readAllBytes(SHARED_CRD));
    }
  }

  @Test
  void anUnknownFieldFailsValidation() throws IOException {
    JsonNode app = only(KustomizeRenderer.render(K8S.resolve("overlays/cpu")),
        "SparkApplication");
    ((ObjectNode) app.at("/spec/executor")).put("instance", 3);
    assertThat(problems(app)).anyMatch(m -> m.contains("instance"));
    ((ObjectNode) app.at("/spec/executor")).remove("instance");
    ((ObjectNode) app.at("/spec/restartPolicy")).put("type", "Sometimes");
    assertThat(problems(app)).isNotEmpty();
  }

  private static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> matches = docs.stream().filter(d -> d.path("kind").asText().equals(kind))
        .toList();
    assertThat(matches).as("one %s", kind).hasSize(1);
    return matches.get(0);
  }

  private static JsonNode named(List<JsonNode> docs, String kind, String name) {
    List<JsonNode> matches = docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.at("/metadata/name").asText().equals(name)).toList();
    assertThat(matches).as("one %s named %s", kind, name).hasSize(1);
    return matches.get(0);
  }
}
