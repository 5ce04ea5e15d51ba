package org.sparktrain.worker.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;
import org.sparktrain.worker.train.OptimizerConfig;

/**
 * A BERT-style encoder pretrained by masked-language modelling: the GPT blocks without the
 * causal mask, predicting the original token at the positions the BERT recipe masked (15% of
 * tokens; of those 80% [MASK], 10% a random token, 10% unchanged), scored only there.
 *
 * @param blockSize sequence length T in tokens
 */
public record BertConfig(int blockSize, int layers, int width, int heads)
    implements ModelConfig, SequenceModel {
  public static final String NAME = "bert";

  public BertConfig {
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
  public boolean maskedLanguageModel() {
    return true;
  }

  @Override
  public MultiLayerConfiguration build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    return TransformerNetworks.bert(new TransformerShape(numClasses, blockSize, layers, width,
        heads), optimizer.toUpdater(), seed);
  }
}
