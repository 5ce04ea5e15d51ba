package org.sparktrain.worker.model;

import java.util.Locale;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * The Transformers of the zoo; they share their blocks and differ in the attention mask and the
 * task.
 *
 * <ul>
 *   <li>{@code gpt} (causal): a decoder-only model (nanoGPT without dropout) trained to predict
 *       the next token at every position.
 *   <li>{@code bert} (not causal): an encoder pretrained by masked-language modelling: it
 *       predicts the original token where the BERT recipe masked the input (15% of tokens; of
 *       those 80% [MASK], 10% a random token, 10% unchanged), scored only there.
 *   <li>{@code bert-classifier}: the bert encoder with a softmax on the [CLS] position, trained
 *       on labelled texts; its encoder may start from a pretrained bert model.
 * </ul>
 * The vocabulary size is the tokenizer's, known once the tokenizer is trained on the data (or
 * read from the pretrained model): for the language models it arrives as {@code numClasses} in
 * {@link #build}, for the classifier as {@code numInputs} (its inputs are token ids).
 *
 * @param blockSize sequence length T in tokens
 * @param width hidden size (nanoGPT's n_embd)
 * @param heads attention heads; must divide width
 * @param pretrained bert-classifier: URI of a bert model folder to start the encoder from (its
 *     weights and tokenizer), or null to start from scratch; null for the others
 */
public record TransformerConfig(Task task, int blockSize, int layers, int width, int heads,
    String pretrained) implements ModelConfig {
  public static final String GPT = "gpt";
  public static final String BERT = "bert";
  public static final String BERT_CLASSIFIER = "bert-classifier";

  /** What the Transformer is trained to do. */
  public enum Task {
    NEXT_TOKEN(GPT), MASKED_TOKENS(BERT), CLASSIFY_TEXT(BERT_CLASSIFIER);

    private final String modelName;

    Task(String modelName) {
      this.modelName = modelName;
    }

    public static Task ofModelName(String name) {
      for (Task t : values()) {
        if (t.modelName.equals(name.toLowerCase(Locale.ROOT))) {
          return t;
        }
      }
      throw new IllegalArgumentException("not a Transformer model: " + name);
    }
  }

  public TransformerConfig {
    // Validates as the network will (the vocabulary size is checked at build time).
    new TransformerShape(2, blockSize, layers, width, heads);
    if (pretrained != null && task != Task.CLASSIFY_TEXT) {
      throw new IllegalArgumentException("only bert-classifier starts from a pretrained model");
    }
  }

  @Override
  public String name() {
    return task.modelName;
  }

  @Override
  public Kind kind() {
    return switch (task) {
      case NEXT_TOKEN -> Kind.NEXT_TOKEN;
      case MASKED_TOKENS -> Kind.MASKED_TOKENS;
      case CLASSIFY_TEXT -> Kind.TEXT_CLASSES;
    };
  }

  @Override
  public int outputWidth(int numClasses) {
    return numClasses;
  }

  @Override
  public boolean oneHotLabels() {
    return task == Task.CLASSIFY_TEXT;
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    if (task == Task.CLASSIFY_TEXT) {
      TransformerShape shape = new TransformerShape(numInputs, blockSize, layers, width, heads);
      return NetworkConfig.of(TransformerNetworks.bertClassifier(shape, numClasses,
          optimizer.toUpdater(), seed));
    }
    TransformerShape shape = new TransformerShape(numClasses, blockSize, layers, width, heads);
    return NetworkConfig.of(task == Task.NEXT_TOKEN
        ? TransformerNetworks.gpt(shape, optimizer.toUpdater(), seed)
        : TransformerNetworks.bert(shape, optimizer.toUpdater(), seed));
  }
}
