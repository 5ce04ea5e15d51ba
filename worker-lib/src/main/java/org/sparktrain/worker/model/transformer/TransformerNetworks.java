package org.sparktrain.worker.model.transformer;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * GPT- and BERT-style transformers as DL4J MultiLayerNetworks.
 *
 * <p>Input: token ids as floats, [batch, 1, T] (T = blockSize exactly). Language-model output:
 * per-position softmax over the vocabulary, [batch, vocabSize, T]; labels are SPARSE, the target
 * token id per position, [batch, 1, T] (LossSparseMCXENT: vocabSize times less label memory
 * than one-hot). An optional label mask [batch, T] (1 = scored) restricts the loss to some
 * positions, e.g. BERT's masked ones. An optional feature mask [batch, T] marks padding, which
 * attention then ignores as a key.
 *
 * <p>DL4J's score of a sequence output is the loss SUMMED over scored positions and averaged
 * over the batch: divide by the scored positions per sequence (T when unmasked) for nats per
 * token. Adam is insensitive to that scale; plain SGD needs a learning rate T times smaller than
 * nanoGPT's.
 */
public final class TransformerNetworks {
  private TransformerNetworks() {}

  /** Decoder-only language model: causal blocks, predicts the token at every next position. */
  public static MultiLayerConfiguration gpt(TransformerShape shape, IUpdater updater, long seed) {
    return gpt(shape, updater, seed, DataType.FLOAT);
  }

  public static MultiLayerConfiguration gpt(TransformerShape shape, IUpdater updater, long seed,
      DataType dataType) {
    return languageModel(shape, true, updater, seed, dataType);
  }

  /** Encoder for masked-language-model pretraining: bidirectional blocks, same output. */
  public static MultiLayerConfiguration bert(TransformerShape shape, IUpdater updater,
      long seed) {
    return bert(shape, updater, seed, DataType.FLOAT);
  }

  public static MultiLayerConfiguration bert(TransformerShape shape, IUpdater updater, long seed,
      DataType dataType) {
    return languageModel(shape, false, updater, seed, dataType);
  }

  /**
   * Sequence classifier (BERT fine-tuning): the encoder, the first position's final hidden
   * state ([CLS]) and a softmax over {@code numClasses}. Labels one-hot [batch, numClasses].
   * Its parameters start with the same layers as {@link #bert}'s, so pretrained encoder weights
   * can be copied layer by layer.
   */
  public static MultiLayerConfiguration bertClassifier(TransformerShape shape, int numClasses,
      IUpdater updater, long seed) {
    return bertClassifier(shape, numClasses, updater, seed, DataType.FLOAT);
  }

  public static MultiLayerConfiguration bertClassifier(TransformerShape shape, int numClasses,
      IUpdater updater, long seed, DataType dataType) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
    }
    return encoder(shape, false, updater, seed, dataType)
        .layer(new ClsPooling())
        .layer(new OutputLayer.Builder(new LossMCXENT())
            .nIn(shape.width()).nOut(numClasses).activation(Activation.SOFTMAX)
            .weightInit(gpt2Init()).build())
        .build();
  }

  private static MultiLayerConfiguration languageModel(TransformerShape shape, boolean causal,
      IUpdater updater, long seed, DataType dataType) {
    return encoder(shape, causal, updater, seed, dataType)
        .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT())
            .nIn(shape.width()).nOut(shape.vocabSize()).activation(Activation.SOFTMAX)
            .dataFormat(RNNFormat.NCW).weightInit(gpt2Init()).build())
        .build();
  }

  /**
   * Token and position embeddings, the blocks and the final LayerNorm. Every size is set
   * explicitly and no input type is declared: with {@code setInputType(recurrent(1, T))} DL4J
   * M2.1 overwrites the EmbeddingSequenceLayer's nIn (the vocabulary) with 1.
   */
  private static NeuralNetConfiguration.ListBuilder encoder(TransformerShape shape,
      boolean causal, IUpdater updater, long seed, DataType dataType) {
    // GPT-2: the projections into the residual stream start smaller, by 1 / sqrt(2 * layers).
    double residualStd = SameDiffOps.INIT_STD / Math.sqrt(2.0 * shape.layers());
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .updater(updater)
        .list()
        .layer(new EmbeddingSequenceLayer.Builder()
            .nIn(shape.vocabSize()).nOut(shape.width()).inputLength(shape.blockSize())
            .hasBias(false).outputDataFormat(RNNFormat.NCW).weightInit(gpt2Init()).build())
        .layer(new PositionEmbedding(shape.blockSize(), shape.width()));
    for (int i = 0; i < shape.layers(); i++) {
      list.layer(new TransformerBlock(shape.blockSize(), shape.width(), shape.heads(), causal,
          residualStd));
    }
    return list.layer(new FinalLayerNorm(shape.width()));
  }

  private static WeightInitDistribution gpt2Init() {
    return new WeightInitDistribution(new NormalDistribution(0, SameDiffOps.INIT_STD));
  }
}
