package org.sparktrain.driver.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.worker.model.Dl4jConfig;
import org.sparktrain.worker.model.LogisticConfig;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.model.ResNetConfig;

/** The model zoo as the spec sees it: names, their hyperparameter keys, defaults and checks. */
final class ModelSpecs {
  private ModelSpecs() {}

  static ModelConfig parse(SpecNode model, Path base) {
    String name = model.requiredString("name", "mlp");
    return switch (name) {
      case LogisticConfig.NAME -> new LogisticConfig();
      case MlpConfig.NAME -> parseMlp(model);
      case ResNetConfig.NAME -> parseResNet(model);
      case TransformerConfig.GPT, TransformerConfig.BERT, TransformerConfig.BERT_CLASSIFIER ->
          parseTransformer(model, name, base);
      case Dl4jConfig.NAME -> parseDl4j(model, base);
      default -> throw new SpecException(model.pathOf("name") + ": " + SpecNode.describe(name)
          + " is not allowed (must be one of logistic, mlp, resnet, gpt, bert, "
          + "bert-classifier, dl4j)");
    };
  }

  private static ModelConfig parseMlp(SpecNode model) {
    int[] hidden = model.intList("hidden", new int[] {128}, 1, 65_536, 64);
    String activationName = model.string("activation");
    Activation activation = switch (activationName.toLowerCase(Locale.ROOT)) {
      case "relu" -> Activation.RELU;
      case "leakyrelu" -> Activation.LEAKYRELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      case "gelu" -> Activation.GELU;
      default -> throw new SpecException(model.pathOf("activation") + ": "
          + SpecNode.describe(activationName)
          + " is not allowed (must be one of relu, leakyrelu, tanh, sigmoid, gelu)");
    };
    double dropout = model.number("dropout");
    String task = model.string("task");
    if (!task.equals("classification") && !task.equals("regression")) {
      throw new SpecException(model.pathOf("task") + ": " + SpecNode.describe(task)
          + " is not allowed (must be one of classification, regression)");
    }
    return new MlpConfig(hidden, activation, dropout, task.equals("regression"));
  }

  private static ModelConfig parseResNet(SpecNode model) {
    int[] shape = model.intList("inputShape", null, 1, 8192, 16);
    if (shape != null && shape.length != 3) {
      throw new SpecException(model.pathOf("inputShape") + ": " + shape.length + " values are "
          + "not allowed (must be [height, width, channels], e.g. [28, 28, 1])");
    }
    int stemWidth = model.integer("stemWidth");
    int stemStride = model.integer("stemStride");
    int[] widths = model.intList("widths", new int[] {16, 32, 64}, 1, 16_384, 16);
    int blocks = model.integer("blocksPerStage");
    return new ResNetConfig(shape, stemWidth, stemStride, widths, blocks);
  }

  /** DL4J configurations are JSON of a few KB to a few MB; anything far larger is not one. */
  private static final long MAX_CONFIGURATION_BYTES = 64L << 20;

  /** {@code model: {name: dl4j, configuration: URI}}: a DL4J user's own network. */
  private static ModelConfig parseDl4j(SpecNode model, Path base) {
    String uri = JobSpecParser.resolve(model.requiredString("configuration",
        "mlp.json (what MultiLayerConfiguration.toJson() writes)"), base);
    String json;
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = path.getFileSystem(
          new Configuration());
      long size = fs.getFileStatus(path).getLen();
      if (size > MAX_CONFIGURATION_BYTES) {
        throw new SpecException(model.pathOf("configuration") + ": " + uri + " is " + size
            + " bytes; a DL4J configuration JSON is at most " + MAX_CONFIGURATION_BYTES);
      }
      try (InputStream in = fs.open(path)) {
        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new SpecException(model.pathOf("configuration") + ": cannot read " + uri + ": "
          + e.getMessage());
    }
    try {
      return new Dl4jConfig(json, uri);
    } catch (IllegalArgumentException e) {
      throw new SpecException(model.pathOf("configuration") + ": " + e.getMessage());
    }
  }

  /** gpt and bert share their architecture keys; only the attention mask and task differ. */
  private static ModelConfig parseTransformer(SpecNode model, String name,
      Path base) {
    int blockSize = model.integer("blockSize");
    int layers = model.integer("layers");
    int width = model.integer("width");
    int heads = model.integer("heads");
    if (width % heads != 0) {
      throw new SpecException(model.pathOf("heads") + ": " + heads + " is not allowed (must "
          + "divide model.width " + width + ")");
    }
    ModelConfig.Kind kind = TransformerConfig.kindOf(name);
    String pretrained = null;
    if (kind == ModelConfig.Kind.TEXT_CLASSES && model.has("pretrained")) {
      pretrained = JobSpecParser.resolve(model.string("pretrained", null), base);
    }
    return new TransformerConfig(kind, blockSize, layers, width, heads, pretrained);
  }

  static Map<String, Object> toMap(ModelConfig config) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", config.name());
    if (config instanceof MlpConfig mlp) {
      m.put("hidden", ints(mlp.hidden()));
      m.put("activation", mlp.activation().name().toLowerCase(Locale.ROOT));
      m.put("dropout", mlp.dropout());
      m.put("task", mlp.regression() ? "regression" : "classification");
    }
    if (config instanceof Dl4jConfig d) {
      m.put("configuration", d.source());
    }
    if (config instanceof ResNetConfig r) {
      if (r.imageShape() != null) {
        m.put("inputShape", ints(r.imageShape()));
      }
      m.put("stemWidth", r.stemWidth());
      m.put("stemStride", r.stemStride());
      m.put("widths", ints(r.stageWidths()));
      m.put("blocksPerStage", r.blocksPerStage());
    }
    if (config instanceof TransformerConfig t) {
      m.put("blockSize", t.blockSize());
      m.put("layers", t.layers());
      m.put("width", t.width());
      m.put("heads", t.heads());
      if (t.pretrained() != null) {
        m.put("pretrained", t.pretrained());
      }
    }
    return m;
  }

  private static List<Integer> ints(int[] values) {
    List<Integer> list = new ArrayList<>();
    for (int v : values) {
      list.add(v);
    }
    return list;
  }
}
