package org.sparktrain.driver.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line changes to a spec ({@code --set train.optimizer.learningRate=0.01}), applied to
 * the YAML tree before it is parsed, so that they pass the same checks and give the same
 * messages as the file's own keys. A value is read as YAML: {@code 0.01}, {@code true},
 * {@code [64, 32]}, {@code {name: adam}} or a plain string.
 */
public final class SpecOverrides {
  private SpecOverrides() {}

  /** The tree with each {@code key.path=value} set in order; a missing section is created. */
  @SuppressWarnings("unchecked")
  static Object apply(Object tree, List<String> overrides) {
    if (overrides.isEmpty()) {
      return tree;
    }
    Map<String, Object> root = tree instanceof Map<?, ?> m ? (Map<String, Object>) m
        : new LinkedHashMap<>();
    for (String override : overrides) {
      int eq = override.indexOf('=');
      String path = eq < 0 ? "" : override.substring(0, eq).strip();
      if (eq < 0 || path.isEmpty() || path.startsWith(".") || path.endsWith(".")
          || path.contains("..")) {
        throw new SpecException("--set " + (eq < 0 ? override : path + "=...")
            + ": not allowed (must be key.path=value, e.g. train.optimizer.learningRate=0.01)");
      }
      Object value = value(path, override.substring(eq + 1));
      String[] keys = path.split("\\.");
      Map<String, Object> section = root;
      for (int i = 0; i < keys.length - 1; i++) {
        Object next = section.get(keys[i]);
        if (next == null) {
          next = new LinkedHashMap<String, Object>();
          section.put(keys[i], next);
        } else if (!(next instanceof Map<?, ?>)) {
          throw new SpecException("--set " + path + ": "
              + String.join(".", List.of(keys).subList(0, i + 1)) + " is a value, not a section");
        }
        section = (Map<String, Object>) next;
      }
      section.put(keys[keys.length - 1], value);
    }
    return root;
  }

  /** Messages name the key path only: the value may be a credential (see SpecSecrets). */
  private static Object value(String path, String text) {
    Object v = BoundedYaml.load(text, "--set " + path + ": the value", false);
    return v == null ? "" : v;
  }
}
