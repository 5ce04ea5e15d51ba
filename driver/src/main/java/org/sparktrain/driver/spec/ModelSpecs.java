package org.sparktrain.driver.spec;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.model.LogisticConfig;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.model.ModelConfig;

/** The model zoo as the spec sees it: names, their hyperparameter keys, defaults and checks. */
final class ModelSpecs {
  private ModelSpecs() {}

  static ModelConfig parse(SpecNode model) {
    String name = model.requiredString("name", "mlp");
    return switch (name) {
      case LogisticConfig.NAME -> new LogisticConfig();
      case MlpConfig.NAME -> parseMlp(model);
      case TransformerConfig.GPT, TransformerConfig.BERT -> parseTransformer(model, name);
      default -> throw new SpecException(model.pathOf("name") + ": '" + name
          + "' is not allowed (must be one of logistic, mlp, gpt, bert)");
    };
  }

  private static ModelConfig parseMlp(SpecNode model) {
    int[] hidden = model.intList("hidden", new int[] {128}, 1);
    String activationName = model.string("activation", "relu");
    Activation activation = switch (activationName.toLowerCase(Locale.ROOT)) {
      case "relu" -> Activation.RELU;
      case "leakyrelu" -> Activation.LEAKYRELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      case "gelu" -> Activation.GELU;
      default -> throw new SpecException(model.pathOf("activation") + ": '" + activationName
          + "' is not allowed (must be one of relu, leakyrelu, tanh, sigmoid, gelu)");
    };
    double dropout = model.number("dropout", 0.0, 0.0, false, 0.95);
    String task = model.string("task", "classification");
    if (!task.equals("classification") && !task.equals("regression")) {
      throw new SpecException(model.pathOf("task") + ": '" + task
          + "' is not allowed (must be one of classification, regression)");
    }
    return new MlpConfig(hidden, activation, dropout, task.equals("regression"));
  }

  /** gpt and bert share their architecture keys; only the attention mask and task differ. */
  private static ModelConfig parseTransformer(SpecNode model, String name) {
    int blockSize = model.integer("blockSize", 128, 1, 8192);
    int layers = model.integer("layers", 4, 1, 96);
    int width = model.integer("width", 128, 1, 16384);
    int heads = model.integer("heads", 4, 1, 256);
    if (width % heads != 0) {
      throw new SpecException(model.pathOf("heads") + ": " + heads + " is not allowed (must "
          + "divide model.width " + width + ")");
    }
    return new TransformerConfig(name.equals(TransformerConfig.GPT), blockSize, layers, width,
        heads);
  }

  static Map<String, Object> toMap(ModelConfig config) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", config.name());
    if (config instanceof MlpConfig mlp) {
      java.util.List<Integer> hidden = new java.util.ArrayList<>();
      for (int h : mlp.hidden()) {
        hidden.add(h);
      }
      m.put("hidden", hidden);
      m.put("activation", mlp.activation().name().toLowerCase(Locale.ROOT));
      m.put("dropout", mlp.dropout());
      m.put("task", mlp.regression() ? "regression" : "classification");
    }
    if (config instanceof TransformerConfig t) {
      m.put("blockSize", t.blockSize());
      m.put("layers", t.layers());
      m.put("width", t.width());
      m.put("heads", t.heads());
    }
    return m;
  }
}
