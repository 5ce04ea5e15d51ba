package org.sparktrain.driver.spec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * YAML as a job spec may be: a few kilobytes, a few levels deep, and no bigger once its aliases
 * are followed. SnakeYAML's own alias limit (50) still lets 46 aliases of nine each stand for
 * half a million values, which anything that walks or prints the tree (an error message
 * quoting {@code model.hidden}) expands: 46 s and 6.4 GB for a 1.4 KB spec. Here the expanded
 * tree is counted, within a fixed budget, right after loading.
 */
public final class BoundedYaml {
  /** A spec is a few kilobytes; its data options a few more. */
  static final int MAX_CODE_POINTS = 1 << 20;
  /** A spec nests a few levels (train.optimizer.schedule); anything deeper is not a spec. */
  static final int MAX_DEPTH = 32;
  static final int MAX_ALIASES = 50;
  /** Values of the tree with every alias followed; a real spec has a few hundred. */
  static final int MAX_VALUES = 100_000;

  private BoundedYaml() {}

  /**
   * @param what what the text is, for messages (e.g. "the job spec")
   * @throws SpecException when the text is not valid YAML or is beyond the bounds
   */
  public static Object load(String text, String what) {
    return load(text, what, true);
  }

  /**
   * As {@link #load(String, String)}; with {@code quoteText} false a parse error says what is
   * wrong without SnakeYAML's snippet of the text (a --set value may be a credential).
   */
  public static Object load(String text, String what, boolean quoteText) {
    if (text.length() > MAX_CODE_POINTS) {
      throw new SpecException(String.format(Locale.ROOT, "%s is %,d characters; a spec may have "
          + "at most %,d", what, text.length(), MAX_CODE_POINTS));
    }
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    Object tree;
    try {
      tree = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      String m = String.valueOf(e.getMessage());
      if (!quoteText) {
        m = m.lines().findFirst().orElse("");
      }
      throw new SpecException(what + " is not valid YAML: " + SpecNode.bounded(m));
    }
    checkExpandedSize(tree, what);
    return tree;
  }

  /**
   * Walks the tree as a reader of it would, aliases followed, counting every value as it is
   * reached, and stops when the budget is spent: the walk costs at most the budget, however
   * far the aliases (or a tree that contains itself) would expand.
   */
  private static void checkExpandedSize(Object tree, String what) {
    Deque<Object> pending = new ArrayDeque<>();
    long reached = 1;
    pending.push(tree == null ? "" : tree);
    while (!pending.isEmpty()) {
      Object node = pending.pop();
      Iterable<?> children = node instanceof Map<?, ?> map ? concat(map)
          : node instanceof List<?> list ? list : List.of();
      for (Object child : children) {
        if (++reached > MAX_VALUES) {
          throw new SpecException(String.format(Locale.ROOT, "%s holds more than %,d values "
              + "once its aliases (*name) are followed; a spec needs a few hundred: write the "
              + "values out instead of repeating anchors", what, MAX_VALUES));
        }
        if (child instanceof Map<?, ?> || child instanceof List<?>) {
          pending.push(child);
        }
      }
    }
  }

  private static Iterable<Object> concat(Map<?, ?> map) {
    List<Object> both = new ArrayList<>(map.size() * 2);
    for (Map.Entry<?, ?> e : map.entrySet()) {
      both.add(e.getKey());
      both.add(e.getValue());
    }
    return both;
  }
}
