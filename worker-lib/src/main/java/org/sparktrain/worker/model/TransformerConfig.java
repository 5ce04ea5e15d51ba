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
 * @param kind what it learns: NEXT_TOKEN (gpt), MASKED_TOKENS (bert) or TEXT_CLASSES
 *     (bert-classifier)
 * @param blockSize sequence length T in tokens
 * @param width hidden size (nanoGPT's n_embd)
 * @param heads attention heads; must divide width
 * @param pretrained bert-classifier: URI of a bert model folder to start the encoder from (its
 *     weights and tokenizer), or null to start from scratch; null for the others
 */
public record TransformerConfig(Kind kind, int blockSize, int layers, int width, int heads,
    String pretrained) implements ModelConfig {
  public static final String GPT = "gpt";
  public static final String BERT = "bert";
  public static final String BERT_CLASSIFIER = "bert-classifier";

  /** What the Transformer of the zoo named {@code name} learns. */
  public static Kind kindOf(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case GPT -> Kind.NEXT_TOKEN;
      case BERT -> Kind.MASKED_TOKENS;
      case BERT_CLASSIFIER -> Kind.TEXT_CLASSES;
      default -> throw new IllegalArgumentException("not a Transformer model: " + name);
    };
  }

  public TransformerConfig {
    if (!kind.languageModel() && kind != Kind.TEXT_CLASSES) {
      throw new IllegalArgumentException("a Transformer learns tokens or text classes, not "
          + kind);
    }
    // Validates as the network will (the vocabulary size is checked at build time).
    new TransformerShape(2, blockSize, layers, width, heads);
    if (pretrained != null && kind != Kind.TEXT_CLASSES) {
      throw new IllegalArgumentException("only bert-classifier starts from a pretrained model");
    }
  }

  @Override
  public String name() {
    return switch (kind) {
      case NEXT_TOKEN -> GPT;
      case MASKED_TOKENS -> BERT;
      case TEXT_CLASSES -> BERT_CLASSIFIER;
      case CLASSES, VALUES -> throw new IllegalStateException(kind.name()); // see the constructor
    };
  }

  @Override
  public int outputWidth(int numClasses) {
    return numClasses;
  }

  @Override
  public boolean oneHotLabels() {
    return kind == Kind.TEXT_CLASSES;
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    if (kind == Kind.TEXT_CLASSES) {
      TransformerShape shape = new TransformerShape(numInputs, blockSize, layers, width, heads);
      return NetworkConfig.of(TransformerNetworks.bertClassifier(shape, numClasses,
          optimizer.toUpdater(), seed));
    }
    TransformerShape shape = new TransformerShape(numClasses, blockSize, layers, width, heads);
    return NetworkConfig.of(kind == Kind.NEXT_TOKEN
        ? TransformerNetworks.gpt(shape, optimizer.toUpdater(), seed)
        : TransformerNetworks.bert(shape, optimizer.toUpdater(), seed));
  }
}
