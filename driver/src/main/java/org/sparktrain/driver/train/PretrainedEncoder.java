package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.model.Network;

/**
 * Starts a bert-classifier from a pretrained bert: the token and position embeddings, every
 * block and the final LayerNorm are copied layer by layer (both networks begin with the same
 * encoder layers, see TransformerNetworks); the [CLS] head keeps its fresh initialisation, as in
 * BERT fine-tuning. Sizes must match: the pretrained model fixes blockSize, layers, width, heads
 * and the vocabulary.
 */
final class PretrainedEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainedEncoder.class);

  private PretrainedEncoder() {}

  static void copyInto(Network classifier, String pretrainedUri, Configuration conf) {
    ModelBundle bundle;
    try {
      bundle = ModelBundle.load(pretrainedUri, conf).requirePretrainedBert(pretrainedUri);
    } catch (IOException e) {
      throw new UncheckedIOException("model.pretrained: cannot read " + pretrainedUri + ": "
          + e.getMessage(), e);
    }
    MultiLayerNetwork from = bundle.network().layers();
    MultiLayerNetwork to = classifier.layers();
    // The pretrained model's last layer is its vocabulary softmax; everything before it is
    // the encoder.
    int encoderLayers = from.getnLayers() - 1;
    long copied = 0;
    for (int i = 0; i < encoderLayers; i++) {
      long[] want = paramShape(to.getLayer(i));
      long[] have = paramShape(from.getLayer(i));
      if (!Arrays.equals(want, have) || !to.getLayer(i).getClass().equals(
          from.getLayer(i).getClass())) {
        throw new IllegalArgumentException("model.pretrained: layer " + i + " of " + pretrainedUri
            + " has parameters " + Arrays.toString(have) + ", the classifier's "
            + Arrays.toString(want) + ": model.blockSize, layers, width and heads must equal "
            + "the pretrained model's");
      }
      if (want.length > 0) {
        to.getLayer(i).params().assign(from.getLayer(i).params());
        copied += to.getLayer(i).numParams();
      }
    }
    LOG.info("bert-classifier: {} encoder parameters ({} layers) copied from {}", copied,
        encoderLayers, pretrainedUri);
  }

  /** Shape of a layer's parameters; empty for a layer without any. */
  private static long[] paramShape(Layer layer) {
    return layer.params() == null ? new long[0] : layer.params().shape();
  }
}
