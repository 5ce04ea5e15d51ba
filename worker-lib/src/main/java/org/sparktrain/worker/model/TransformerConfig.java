package org.sparktrain.worker.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.train.OptimizerConfig;

/**
 * The two Transformer language models of the zoo; they share their blocks and differ in the
 * attention mask and the task.
 *
 * <ul>
 *   <li>{@code gpt} (causal): a decoder-only model (nanoGPT without dropout) trained to predict
 *       the next token at every position.
 *   <li>{@code bert} (not causal): an encoder pretrained by masked-language modelling: it
 *       predicts the original token where the BERT recipe masked the input (15% of tokens; of
 *       those 80% [MASK], 10% a random token, 10% unchanged), scored only there.
 * </ul>
 * The vocabulary size is the tokenizer's, known once the tokenizer is trained on the data: it
 * arrives as {@code numClasses} in {@link #build}.
 *
 * @param causal gpt (true) or bert (false)
 * @param blockSize sequence length T in tokens
 * @param width hidden size (nanoGPT's n_embd)
 * @param heads attention heads; must divide width
 */
public record TransformerConfig(boolean causal, int blockSize, int layers, int width, int heads)
    implements ModelConfig {
  public static final String GPT = "gpt";
  public static final String BERT = "bert";

  public TransformerConfig {
    // Validates as the network will (the vocabulary size is checked at build time).
    new TransformerShape(2, blockSize, layers, width, heads);
  }

  @Override
  public String name() {
    return causal ? GPT : BERT;
  }

  @Override
  public boolean classification() {
    return true;
  }

  @Override
  public int outputWidth(int numClasses) {
    return numClasses;
  }

  @Override
  public boolean oneHotLabels() {
    return false;
  }

  @Override
  public boolean languageModel() {
    return true;
  }

  @Override
  public boolean maskedLanguageModel() {
    return !causal;
  }

  @Override
  public MultiLayerConfiguration build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    TransformerShape shape = new TransformerShape(numClasses, blockSize, layers, width, heads);
    return causal ? TransformerNetworks.gpt(shape, optimizer.toUpdater(), seed)
        : TransformerNetworks.bert(shape, optimizer.toUpdater(), seed);
  }
}
