package org.sparktrain.driver.spec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses credentials written into a job spec. A spec is not a safe place for them: it is
 * echoed to the log, copied into the run directory as {@code spec.yaml} (readable by whoever
 * reads the run) and into every checkpoint. So a reader option named like a credential
 * ({@code fs.s3a.secret.key}, {@code password}, {@code *token*}) or a URI carrying user
 * information ({@code s3a://KEY:SECRET@bucket/...}, {@code https://user:pass@host/...}) fails
 * the parse, before anything is written, with a message that names the key and never the value.
 *
 * <p>Refused rather than redacted: a redacted spec would not be the spec that ran (a resume or
 * {@code sparktrain export} reads it back), and a value that never enters the spec cannot leak
 * through any of the places it would be copied to.
 */
public final class SpecSecrets {
  /** What a credential's name contains, once separators are dropped and case folded. */
  private static final List<String> CREDENTIAL_WORDS = List.of("secret", "password", "passwd",
      "token", "credential", "accesskey", "accountkey", "privatekey", "apikey", "sessionkey",
      "sastoken", "signature");
  /**
   * Names that say where credentials come from rather than holding one
   * ({@code hadoop.security.credential.provider.path}, {@code fs.s3a.aws.credentials.provider},
   * {@code fs.s3a.delegation.token.binding}): exactly the settings a user should give.
   */
  private static final Pattern SOURCE_NAME = Pattern.compile(
      ".*(provider|providers|provider\\.path|binding)$");
  /** {@code scheme://} at the start of a value. */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://");
  /**
   * Hadoop credential provider stores ({@code jceks://hdfs@nn:8020/keys.jceks}): what comes
   * before their '@' is the scheme of the file holding the keys, not a user.
   */
  private static final Pattern KEYSTORE_SCHEME = Pattern.compile(
      "(?i)^(local)?(jceks|bcfks)://.*");
  /** A query parameter carrying a credential ({@code jdbc:...?password=}, {@code &sig=}). */
  private static final Pattern SECRET_PARAMETER = Pattern.compile(
      "(?i)[?&;](password|passwd|pwd|secret|token|sig|access_token|apikey|api_key)=");
  public static final String WHERE_INSTEAD = "give credentials outside the spec: a Hadoop "
      + "credential provider (spark.hadoop.hadoop.security.credential.provider.path), "
      + "spark.hadoop.* settings (--conf or spark-defaults.conf), environment variables "
      + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the machine's or pod's role";

  private SpecSecrets() {}

  /**
   * Throws naming the first credential found in a spec tree (maps, lists and scalars as YAML
   * gives them). The walk keeps its own stack: a deeply nested spec cannot overflow the thread's.
   */
  public static void refuseIn(Object tree) {
    Deque<Node> todo = new ArrayDeque<>();
    todo.push(new Node("", tree == null ? "" : tree, null));
    while (!todo.isEmpty()) {
      Node node = todo.pop();
      if (node.value() instanceof Map<?, ?> map) {
        boolean options = node.option() != null
            || node.path().toLowerCase(Locale.ROOT).endsWith("options");
        List<Node> children = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          String key = String.valueOf(e.getKey());
          // --set data.options.fs.s3a.secret.key=... nests one map per dot: the option's name
          // is the whole dotted path below the options map.
          String option = !options ? null
              : node.option() == null ? key : node.option() + "." + key;
          if (option != null && !(e.getValue() instanceof Map<?, ?>)
              && isCredentialName(option)) {
            throw new SpecException(node.path() + "." + key + " is a credential; a spec is "
                + "copied to the log, spec.yaml and every checkpoint, so it must not hold one: "
                + WHERE_INSTEAD);
          }
          if (e.getValue() != null) {
            children.add(new Node(node.path().isEmpty() ? key : node.path() + "." + key,
                e.getValue(), option));
          }
        }
        // Pushed last to first, so the first mistake in the spec's order is the one named.
        for (int i = children.size() - 1; i >= 0; i--) {
          todo.push(children.get(i));
        }
      } else if (node.value() instanceof List<?> list) {
        for (int i = list.size() - 1; i >= 0; i--) {
          if (list.get(i) != null) {
            todo.push(new Node(node.path() + "[" + i + "]", list.get(i), node.option()));
          }
        }
      } else if (node.value() instanceof String text && carriesCredential(text)) {
        throw new SpecException(node.path() + ": the URI carries credentials (user information "
            + "before '@' or a secret query parameter); a spec is copied to the log, spec.yaml "
            + "and every checkpoint, so it must not hold one: " + WHERE_INSTEAD);
      }
    }
  }

  /** A value of the tree, its key path, and its reader option name when under an options map. */
  private record Node(String path, Object value, String option) {}

  /** Whether a setting or reader option with this name holds a credential. */
  public static boolean isCredentialName(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (SOURCE_NAME.matcher(lower).matches()) {
      return false;
    }
    String squeezed = lower.replaceAll("[^a-z0-9]", "");
    return CREDENTIAL_WORDS.stream().anyMatch(squeezed::contains);
  }

  /**
   * Whether a value is a URI with user information ({@code user:pass@host}) or a credential in
   * its query. Read by hand, not with {@link java.net.URI}: a secret with a '/' in it (AWS
   * secret keys have them) makes such a URI unparsable, or parses it into a host and a path.
   */
  public static boolean carriesCredential(String value) {
    var scheme = SCHEME.matcher(value);
    if (!scheme.find()) {
      return value.startsWith("jdbc:") && SECRET_PARAMETER.matcher(value).find();
    }
    String rest = value.substring(scheme.end());
    int at = KEYSTORE_SCHEME.matcher(value).matches() ? -1 : rest.indexOf('@');
    if (at >= 0) {
      String beforeAt = rest.substring(0, at);
      int slash = beforeAt.indexOf('/');
      if (slash < 0) {
        return true; // user@host or user:pass@host
      }
      // s3a://KEY:SE/CRET@bucket: a ':' before the first '/' that is not host:port.
      String first = beforeAt.substring(0, slash);
      int colon = first.indexOf(':');
      if (colon >= 0 && !first.substring(colon + 1).matches("[0-9]{1,5}")) {
        return true;
      }
    }
    return SECRET_PARAMETER.matcher(value).find();
  }
}
