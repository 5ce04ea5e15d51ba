package org.sparktrain.it.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders the project's kustomizations without kubectl: resources (files and folders),
 * configMapGenerator with files (no name hash), and JSON 6902 patches (add, replace, remove)
 * with a kind/name target. That is every feature k8s/ uses; anything else fails loudly so the
 * test cannot silently validate less than what a cluster would get.
 */
final class KustomizeRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KustomizeRenderer() {}

  static List<JsonNode> render(Path dir) throws IOException {
    JsonNode k = readYaml(dir.resolve("kustomization.yaml")).get(0);
    for (var it = k.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!List.of("apiVersion", "kind", "resources", "configMapGenerator", "generatorOptions",
          "patches").contains(field)) {
        throw new IllegalArgumentException(dir + ": kustomization field '" + field
            + "' is not supported by this renderer; extend it or use kubectl kustomize");
      }
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      out.addAll(Files.isDirectory(p) ? render(p) : readYaml(p));
    }
    for (JsonNode g : k.path("configMapGenerator")) {
      ObjectNode cm = JSON.createObjectNode();
      cm.put("apiVersion", "v1");
      cm.put("kind", "ConfigMap");
      cm.putObject("metadata").put("name", g.get("name").asText());
      ObjectNode data = cm.putObject("data");
      for (JsonNode f : g.path("files")) {
        Path p = dir.resolve(f.asText());
        data.put(p.getFileName().toString(), Files.readString(p));
      }
      out.add(cm);
    }
    for (JsonNode patch : k.path("patches")) {
      String kind = patch.at("/target/kind").asText();
      String name = patch.at("/target/name").asText();
      List<JsonNode> ops = readYamlText(patch.get("patch").asText());
      boolean matched = false;
      for (JsonNode doc : out) {
        if (doc.path("kind").asText().equals(kind)
            && doc.at("/metadata/name").asText().equals(name)) {
          for (JsonNode op : ops.get(0)) {
            apply((ObjectNode) doc, op);
          }
          matched = true;
        }
      }
      if (!matched) {
        throw new IllegalArgumentException(dir + ": patch target " + kind + "/" + name
            + " matches nothing");
      }
    }
    return out;
  }

  private static void apply(ObjectNode doc, JsonNode op) {
    String path = op.get("path").asText();
    int slash = path.lastIndexOf('/');
    JsonNode parent = doc.at(path.substring(0, slash));
    String key = path.substring(slash + 1);
    if (!(parent instanceof ObjectNode obj)) {
      throw new IllegalArgumentException("patch path " + path + " has no object parent");
    }
    switch (op.get("op").asText()) {
      case "add" -> obj.set(key, op.get("value"));
      case "replace" -> {
        if (!obj.has(key)) {
          throw new IllegalArgumentException("replace of missing " + path);
        }
        obj.set(key, op.get("value"));
      }
      case "remove" -> obj.remove(key);
      default -> throw new IllegalArgumentException("unsupported patch op " + op);
    }
  }

  static List<JsonNode> readYaml(Path file) throws IOException {
    return readYamlText(Files.readString(file));
  }

  static List<JsonNode> readYamlText(String text) {
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }

  static ArrayNode array(List<JsonNode> nodes) {
    ArrayNode a = JSON.createArrayNode();
    nodes.forEach(a::add);
    return a;
  }
}
