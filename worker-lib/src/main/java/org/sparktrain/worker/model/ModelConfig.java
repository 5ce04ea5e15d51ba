package org.sparktrain.worker.model;

import java.io.Serializable;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A model of the zoo: its architecture settings only. Training settings (optimizer, seed) come in
 * when the DL4J configuration is built, so one architecture can be trained many ways.
 */
public sealed interface ModelConfig extends Serializable
    permits Dl4jConfig, LogisticConfig, MlpConfig, ResNetConfig, TransformerConfig {

  /** Zoo name as written in the job spec. */
  String name();

  /**
   * What a model learns, which decides how its data is read, batched and judged: the one task
   * kind (ask it, not the model's class; switch on it exhaustively).
   */
  enum Kind {
    /** Rows of numbers, a class each (mlp, logistic, resnet). */
    CLASSES,
    /** Rows of numbers, a value each (mlp with task: regression). */
    VALUES,
    /** Token blocks, each position predicting the next token (gpt). */
    NEXT_TOKEN,
    /** Token blocks with masked positions to predict (bert). */
    MASKED_TOKENS,
    /** Texts as token ids, a class each (bert-classifier). */
    TEXT_CLASSES;

    /**
     * Examples are token blocks of blockSize + 1 ids, judged by loss per token; there is no test
     * split.
     */
    public boolean languageModel() {
      return switch (this) {
        case NEXT_TOKEN, MASKED_TOKENS -> true;
        case CLASSES, VALUES, TEXT_CLASSES -> false;
      };
    }

    /** Whether labels are class indices (every kind but VALUES; a token is a class too). */
    public boolean classification() {
      return switch (this) {
        case CLASSES, NEXT_TOKEN, MASKED_TOKENS, TEXT_CLASSES -> true;
        case VALUES -> false;
      };
    }
  }

  Kind kind();

  /** Width of the network output for a data set with {@code numClasses} classes. */
  int outputWidth(int numClasses);

  /** Whether labels are fed to the loss one-hot encoded (softmax) or as one column. */
  boolean oneHotLabels();

  /**
   * How rows of {@code numInputs} values are read as images, [height, width, channels] (for
   * augmentation): a square single-channel image unless the model declares a shape.
   */
  default int[] imageShape(int numInputs) {
    return squareSingleChannel(numInputs, "only image data can be augmented");
  }

  /** [side, side, 1] for rows of side^2 values; otherwise fails, ending with {@code advice}. */
  static int[] squareSingleChannel(int numInputs, String advice) {
    int side = (int) Math.round(Math.sqrt(numInputs));
    if (side * side != numInputs) {
      throw new IllegalArgumentException("data rows have " + numInputs + " values, which is not "
          + "a square single-channel image: " + advice);
    }
    return new int[] {side, side, 1};
  }

  /** The DL4J configuration of this architecture for the data and training settings. */
  NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed);
}
