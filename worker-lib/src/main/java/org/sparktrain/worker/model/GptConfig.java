package org.sparktrain.worker.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.train.OptimizerConfig;

/**
 * A GPT-style decoder-only language model (nanoGPT without dropout): token and learned position
 * embeddings, {@code layers} pre-LayerNorm blocks of causal multi-head self-attention and MLP,
 * a final LayerNorm and a softmax over the vocabulary at every position. The vocabulary size is
 * the tokenizer's, known only once the tokenizer is trained on the data: it arrives as
 * {@code numClasses} in {@link #build}.
 *
 * @param blockSize context length T in tokens
 * @param width hidden size (nanoGPT's n_embd)
 * @param heads attention heads; must divide width
 */
public record GptConfig(int blockSize, int layers, int width, int heads)
    implements ModelConfig, SequenceModel {
  public static final String NAME = "gpt";

  public GptConfig {
    // Validates the same way the network will (vocabulary size checked at build time).
    new TransformerShape(2, blockSize, layers, width, heads);
  }

  @Override
  public String name() {
    return NAME;
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
  public MultiLayerConfiguration build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    return TransformerNetworks.gpt(new TransformerShape(numClasses, blockSize, layers, width,
        heads), optimizer.toUpdater(), seed);
  }
}
