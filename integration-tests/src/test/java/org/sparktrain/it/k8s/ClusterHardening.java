package org.sparktrain.it.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rendered SparkApplication and its NetworkPolicy must hold for a multi-tenant cluster:
 * a read-only root filesystem with emptyDirs where Spark writes, authenticated and encrypted
 * Spark traffic with the secret from a mounted file, S3 credentials from a mounted file and never
 * from the environment, and ingress only from the application's own pods (all ports: the
 * collective data plane listens on ephemeral ones) plus Prometheus on the UI port.
 */
final class ClusterHardening {
  /** Where Spark, the entrypoint and JavaCPP write inside the image. */
  static final List<String> WRITABLE_PATHS = List.of("/tmp", "/opt/spark/work-dir");
  static final int UI_PORT = 4040;

  private ClusterHardening() {}

  static void assertHardened(JsonNode app, JsonNode policy) {
    JsonNode spec = app.get("spec");
    JsonNode conf = spec.get("sparkConf");
    assertThat(conf.path("spark.authenticate").asText()).isEqualTo("true");
    assertThat(conf.path("spark.network.crypto.enabled").asText()).isEqualTo("true");
    String credentialStore = spec.at("/hadoopConf/hadoop.security.credential.provider.path")
        .asText();
    assertThat(credentialStore).as("S3 keys from a Hadoop credential store file")
        .startsWith("jceks://file/");
    assertThat(spec.at("/hadoopConf/fs.s3a.aws.credentials.provider").asText())
        .doesNotContain("EnvironmentVariable");
    for (String pod : List.of("driver", "executor")) {
      JsonNode p = spec.get(pod);
      assertThat(p.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(pod).isTrue();
      for (String path : WRITABLE_PATHS) {
        assertThat(volumeKindAt(spec, p, path)).as("%s: what is mounted at %s", pod, path)
            .isEqualTo("emptyDir");
      }
      assertThat(mounts(spec, p).stream().anyMatch(m -> m[0].startsWith("spark-local-dir-")
          && m[2].equals("emptyDir"))).as("%s: a spark-local-dir-* emptyDir", pod).isTrue();
      // Secrets are files on read-only mounts, never environment variables.
      assertThat(p.has("envFrom")).as("%s envFrom", pod).isFalse();
      assertThat(p.path("env").toString()).as("%s env", pod).doesNotContain("secretKeyRef")
          .doesNotContain("AWS_");
      assertThat(p.has("envSecretKeyRefs")).as("%s envSecretKeyRefs", pod).isFalse();
      assertThat(volumeKindAt(spec, p, conf.path("spark.authenticate.secret." + pod + ".file")
          .asText())).as("%s: Spark's authentication secret file", pod).isEqualTo("secret");
      assertThat(volumeKindAt(spec, p, credentialStore.substring("jceks://file".length())))
          .as("%s: the S3 credential store", pod).isEqualTo("secret");
      for (String[] m : mounts(spec, p)) {
        if (m[2].equals("secret") || m[2].equals("configMap")) {
          assertThat(m[3]).as("%s: %s mounted read-only", pod, m[0]).isEqualTo("true");
        }
      }
      assertThat(p.at("/podSecurityContext/fsGroup").asInt()).as("%s: the secrets' group", pod)
          .isEqualTo(p.at("/securityContext/runAsUser").asInt());
    }
    assertIngressOnlyFromTheApplication(spec, policy);
  }

  private static void assertIngressOnlyFromTheApplication(JsonNode spec, JsonNode policy) {
    JsonNode selector = policy.at("/spec/podSelector/matchLabels");
    assertThat(selector.size()).as("the policy selects by label").isPositive();
    for (String pod : List.of("driver", "executor")) {
      selector.fields().forEachRemaining(e -> assertThat(spec.at("/" + pod + "/labels")
          .path(e.getKey()).asText()).as("%s label %s", pod, e.getKey())
          .isEqualTo(e.getValue().asText()));
    }
    assertThat(policy.at("/spec/policyTypes").toString()).contains("Ingress");
    JsonNode rules = policy.at("/spec/ingress");
    assertThat(rules.size()).isEqualTo(2);
    boolean appRule = false;
    for (JsonNode rule : rules) {
      assertThat(rule.path("from").size()).as("every rule names who may connect").isPositive();
      for (JsonNode from : rule.get("from")) {
        assertThat(from.has("ipBlock")).as("no address ranges").isFalse();
        assertThat(from.path("podSelector").size()).as("a pod selector in %s", from)
            .isPositive();
        if (from.at("/podSelector/matchLabels").equals(selector)
            && !from.has("namespaceSelector")) {
          // The application's own pods: every port, for Spark's and the data plane's.
          assertThat(rule.has("ports")).as("ports of the application's own rule").isFalse();
          appRule = true;
        } else {
          assertThat(from.at("/namespaceSelector/matchLabels").size())
              .as("the monitoring rule names its namespace").isPositive();
          assertThat(rule.get("ports").toString()).as("outsiders reach the UI port only")
              .isEqualTo("[{\"protocol\":\"TCP\",\"port\":" + UI_PORT + "}]");
        }
      }
    }
    assertThat(appRule).as("a rule for the application's own pods").isTrue();
    assertThat(spec.at("/driver/annotations/prometheus.io~1port").asText())
        .isEqualTo(String.valueOf(UI_PORT));
  }

  /** The kind of volume (emptyDir, secret, ...) whose mount holds {@code path}, or "none". */
  private static String volumeKindAt(JsonNode spec, JsonNode pod, String path) {
    String kind = "none";
    int longest = -1;
    for (String[] m : mounts(spec, pod)) {
      String dir = m[1];
      if ((path.equals(dir) || path.startsWith(dir + "/")) && dir.length() > longest) {
        longest = dir.length();
        kind = m[2];
      }
    }
    return kind;
  }

  /** Each mount of {@code pod} as {volume name, mount path, volume kind, read-only}. */
  private static List<String[]> mounts(JsonNode spec, JsonNode pod) {
    List<String[]> out = new ArrayList<>();
    for (JsonNode m : pod.path("volumeMounts")) {
      String name = m.get("name").asText();
      String kind = "missing";
      for (JsonNode v : spec.path("volumes")) {
        if (v.get("name").asText().equals(name)) {
          kind = v.has("emptyDir") ? "emptyDir" : v.has("secret") ? "secret"
              : v.has("configMap") ? "configMap" : "other";
        }
      }
      out.add(new String[] {name, m.get("mountPath").asText(), kind,
          String.valueOf(m.path("readOnly").asBoolean(false))});
    }
    return out;
  }
}
