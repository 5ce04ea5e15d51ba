package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * FLOP counts against hand counts (a multiply-add is 2, normalization 8 per element, training
 * 3 x forward), for each family's small configuration and for the shipped examples' shapes.
 */
class TrainingFlopsTest {
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);

  @Test
  void logisticIsOneDotProductAndABias() {
    // 3 features: 3 multiply-adds (6) + 1 bias.
    assertThat(TrainingFlops.forwardPerExample(new LogisticConfig(), 3, 2)).hasValue(7);
    assertThat(TrainingFlops.perExample(new LogisticConfig(), 3, 2)).hasValue(21);
  }

  @Test
  void mlpCountsEveryDenseLayerAndItsBias() {
    // P1's MLP 784-256-256-10: (401,408 + 256) + (131,072 + 256) + (5,120 + 10) = 538,122,
    // x 3 = 1,614,366: the "about 1.6 MFLOP per example".
    MlpConfig p1 = new MlpConfig(new int[] {256, 256}, Activation.RELU, 0.1, false);
    assertThat(TrainingFlops.forwardPerExample(p1, 784, 10)).hasValue(538_122);
    assertThat(TrainingFlops.perExample(p1, 784, 10)).hasValue(1_614_366);
    // examples/digits.yaml: 64-128-64-10.
    MlpConfig digits = new MlpConfig(new int[] {128, 64}, Activation.RELU, 0, false);
    assertThat(TrainingFlops.forwardPerExample(digits, 64, 10)).hasValue(34_250);
    // Regression: one output, whatever numClasses says.
    MlpConfig regression = new MlpConfig(new int[] {4}, Activation.TANH, 0, true);
    assertThat(TrainingFlops.forwardPerExample(regression, 3, 0)).hasValue(2 * 3 * 4 + 4 + 2 * 4
        + 1);
  }

  @Test
  void anMlpCostsTwiceItsWeightsPlusItsBiasesAsTheBuiltNetworkHasThem() {
    MlpConfig mlp = new MlpConfig(new int[] {7, 5}, Activation.RELU, 0, false);
    long params = mlp.build(11, 3, ADAM, 1).newNetwork().numParams();
    long biases = 7 + 5 + 3;
    assertThat(TrainingFlops.forwardPerExample(mlp, 11, 3)).hasValue(2 * (params - biases)
        + biases);
  }

  @Test
  void smallResNetCountsConvolutionsNormsAndTheHead() {
    // 8x8x1, stem 4 channels stride 1, stages [4, 8], one block each, 3 classes.
    //   stem       conv 2*9*1*4*64 = 4,608         bn 8*4*64 = 2,048
    //   s1b1       conv 2*9*4*4*64 = 18,432 twice, bn 2,048 twice (identity shortcut)
    //   s2b1 (4x4) conv 2*9*4*8*16 = 9,216, bn 8*8*16 = 1,024,
    //              conv 2*9*8*8*16 = 18,432, bn 1,024,
    //              projection 2*1*4*8*16 = 1,024, bn 1,024
    //   head       2*8*3 + 3 = 51
    ResNetConfig small = new ResNetConfig(new int[] {8, 8, 1}, 4, 1, new int[] {4, 8}, 1);
    assertThat(TrainingFlops.forwardPerExample(small, 64, 3)).hasValue(79_411);
    assertThat(TrainingFlops.perExample(small, 64, 3)).hasValue(238_233);
  }

  @Test
  void theFashionExampleResNetHalvesItsResolutionAsTheGraphDoes() {
    // examples/resnet-fashion.yaml: 28x28x1, stem 24 stride 2 (14x14), stages [24, 48, 96]
    // at 14x14, 7x7 and 4x4 (Same mode rounds 7/2 up), 10 classes.
    ResNetConfig fashion = new ResNetConfig(new int[] {28, 28, 1}, 24, 2,
        new int[] {24, 48, 96}, 1);
    assertThat(TrainingFlops.forwardPerExample(fashion, 784, 10)).hasValue(11_646_922);
  }

  @Test
  void smallGptCountsProjectionsAttentionNormsAndTheVocabularyHead() {
    // vocabulary 10, T 4, one block, width 8, 2 heads. Per token:
    //   position add 8; LayerNorm 64; Q, K, V, out 4 * (2*8*8 + 8) = 544; LayerNorm 64;
    //   MLP (2*8*32 + 32) + (2*32*8 + 8) = 1,064; final LayerNorm 64; head 2*8*10 + 10 = 170
    //   = 1,978 per token, x 4 tokens = 7,912
    // Attention: Q K^T and A V, 2*4*4*8 each = 512 per sequence.
    TransformerConfig gpt = new TransformerConfig(ModelConfig.Kind.NEXT_TOKEN, 4, 1, 8, 2,
        null);
    assertThat(TrainingFlops.forwardPerExample(gpt, 5, 10)).hasValue(8_424);
    assertThat(TrainingFlops.perExample(gpt, 5, 10)).hasValue(25_272);
  }

  @Test
  void bertCostsWhatGptCostsAndTheClassifierHasOneHead() {
    TransformerConfig bert = new TransformerConfig(ModelConfig.Kind.MASKED_TOKENS, 4, 1,
        8, 2, null);
    // The mask hides scores but every position still goes through the vocabulary head.
    assertThat(TrainingFlops.forwardPerExample(bert, 5, 10)).hasValue(8_424);
    TransformerConfig classifier = new TransformerConfig(ModelConfig.Kind.TEXT_CLASSES,
        4, 1, 8, 2, null);
    // 8,424 - 4 * 170 (no vocabulary head) + 2*8*3 + 3 (one head on [CLS], 3 classes).
    assertThat(TrainingFlops.forwardPerExample(classifier, 10, 3)).hasValue(7_795);
  }

  @Test
  void theShippedGptExampleCostsAbout47MegaflopsPerSequenceWithAHundredTokens() {
    // examples/gpt-moby-dick.yaml: T 64, 2 blocks, width 64; vocabulary taken as 100.
    // Per block and token: LayerNorm 512, Q K V out 4*(2*64*64 + 64) = 33,024, LayerNorm 512,
    // MLP (2*64*256 + 256) + (2*256*64 + 64) = 65,856: 99,904. Per token 64 (position)
    // + 2*99,904 + 512 (final LayerNorm) + 2*64*100 + 100 (head) = 213,284, x 64 = 13,650,176;
    // attention 2 blocks x 4*64*64*64 = 2,097,152.
    TransformerConfig gpt = new TransformerConfig(ModelConfig.Kind.NEXT_TOKEN, 64, 2, 64,
        4, null);
    assertThat(TrainingFlops.forwardPerExample(gpt, 65, 100)).hasValue(15_747_328);
  }

  @Test
  void aDl4jListOfDenseLayersIsCountedAndOtherLayersAreNot() {
    String dense = new NeuralNetConfiguration.Builder().list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .build().toJson();
    Dl4jConfig counted = new Dl4jConfig(dense, "dense.json");
    assertThat(TrainingFlops.forwardPerExample(counted, 4, 2)).hasValue(2 * 4 * 3 + 3
        + 2 * 3 * 2 + 2);
    String conv = new NeuralNetConfiguration.Builder().list()
        .layer(new ConvolutionLayer.Builder(2, 2).nIn(1).nOut(2).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(4, 4, 1))
        .build().toJson();
    assertThat(TrainingFlops.forwardPerExample(new Dl4jConfig(conv, "conv.json"), 16, 2))
        .isEqualTo(OptionalLong.empty());
  }
}
