package org.sparktrain.driver.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecSecretsTest {
  private static final Path BASE = Path.of("/data/specs");
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private static String table(String uri, String options) {
    return "data: {format: parquet, uri: '" + uri + "', labelColumn: y, numClasses: 2"
        + (options == null ? "" : ", options: " + options) + "}\n"
        + "model: {name: mlp, hidden: [8]}\n";
  }

  @Test
  void aCredentialInReaderOptionsIsRefusedNamingTheKeyNotTheValue() {
    for (String key : List.of("fs.s3a.secret.key", "fs.s3a.access.key", "password",
        "fs.s3a.session.token", "fs.azure.account.key.acct.blob.core.windows.net",
        "spark.hadoop.fs.gs.auth.service.account.private.key", "apiKey")) {
      assertThatThrownBy(() -> JobSpecParser.parse(table("s3a://bucket/t",
          "{header: true, '" + key + "': '" + SECRET + "'}"), BASE))
          .isInstanceOf(SpecException.class)
          .hasMessageContaining("data.options." + key + " is a credential")
          .hasMessageContaining("hadoop.security.credential.provider.path")
          .message().doesNotContain(SECRET).doesNotContain("\n");
    }
  }

  @Test
  void settingsThatNameWhereCredentialsComeFromAreAllowed() {
    JobSpec spec = JobSpecParser.parse(table("s3a://bucket/t", "{"
        + "'fs.s3a.aws.credentials.provider': x.Provider, "
        + "'hadoop.security.credential.provider.path': 'jceks://hdfs@nn/keys.jceks', "
        + "'fs.s3a.delegation.token.binding': x.Binding, header: true}"), BASE);
    assertThat(spec.data().table().options()).containsKey("fs.s3a.aws.credentials.provider");
  }

  @Test
  void userInformationInAnyUriIsRefusedWithoutEchoingIt() {
    for (String uri : List.of("s3a://AKIAIOSFODNN7EXAMPLE:" + SECRET + "@bucket/t",
        "https://someone:" + SECRET.replace("/", "") + "@host/t.csv",
        "jdbc:postgresql://db/x?user=a&password=" + SECRET)) {
      assertThatThrownBy(() -> JobSpecParser.parse(table(uri, null), BASE))
          .hasMessageContaining("data.uri: the URI carries credentials")
          .message().doesNotContain(SECRET).doesNotContain(SECRET.replace("/", ""))
          .doesNotContain("AKIAIOSFODNN7EXAMPLE");
    }
    assertThatThrownBy(() -> JobSpecParser.parse(VALID_MLP
        + "output: {dir: 'hdfs://me:" + SECRET + "@nn:8020/runs'}\n", BASE))
        .hasMessageContaining("output.dir: the URI carries credentials");
  }

  private static final String VALID_MLP = "data: {uri: d.csv, numClasses: 2}\n"
      + "model: {name: mlp, hidden: [8]}\n";

  @Test
  void ordinaryUrisWithPortsOrAtSignsInThePathPass() {
    assertThat(SpecSecrets.carriesCredential("hdfs://nn:8020/data/a@b.csv")).isFalse();
    assertThat(SpecSecrets.carriesCredential("s3a://bucket/runs/v@2/x")).isFalse();
    assertThat(SpecSecrets.carriesCredential("file:///tmp/x.csv")).isFalse();
    assertThat(SpecSecrets.carriesCredential("s3a://bucket/x?versionId=3")).isFalse();
    JobSpecParser.parse(VALID_MLP + "output: {dir: 'hdfs://nn:8020/runs/a@b'}\n", BASE);
  }

  @Test
  void setOverridesAreCheckedAndTheirMessagesNeverQuoteTheValue() {
    assertThatThrownBy(() -> SpecOverrides.apply(null, List.of(".x=" + SECRET)))
        .message().contains("--set .x=...").doesNotContain(SECRET);
    assertThatThrownBy(() -> SpecOverrides.apply(null, List.of("a=1", "a.b=[" + SECRET)))
        .message().doesNotContain(SECRET);
    Object tree = SpecOverrides.apply(new LinkedHashMap<>(Map.of()),
        List.of("data.options.fs.s3a.secret.key=" + SECRET));
    assertThatThrownBy(() -> SpecSecrets.refuseIn(tree)).message()
        .startsWith("data.options.fs.s3a.secret.key is a credential").doesNotContain(SECRET);
  }

  @Test
  void aDeeplyNestedSpecIsWalkedWithoutOverflowingTheStack() {
    Object tree = "s3a://k:" + SECRET + "@b/x";
    for (int i = 0; i < 200_000; i++) {
      tree = List.of(tree);
    }
    Object deep = tree;
    assertThatThrownBy(() -> SpecSecrets.refuseIn(deep))
        .hasMessageContaining("the URI carries credentials");
  }
}
