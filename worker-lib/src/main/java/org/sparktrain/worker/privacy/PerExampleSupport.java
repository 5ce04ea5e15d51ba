package org.sparktrain.worker.privacy;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.sparktrain.worker.model.Network;

/**
 * Whether DP-SGD can bound each example's influence on a network's update by clipping the
 * gradients of microbatches computed one at a time ({@link DpSgdStep}), and a clear refusal
 * where it cannot.
 *
 * <p>Refused: batch normalization, whose training-mode output for one example depends on the
 * others in its batch, so no microbatch's gradient is that microbatch's alone and clipping bounds
 * nothing (Abadi et al. 2016, section 3, clip per-example gradients; Opacus and TF Privacy refuse
 * it for the same reason); truncated backpropagation through time, whose fit splits a batch into
 * several updates; and DL4J's own gradient normalization, which would rescale the noisy average
 * after the fact and so silently change the mechanism's scale (DP-SGD's clipping replaces it).
 */
public final class PerExampleSupport {
  private PerExampleSupport() {}

  /** Throws IllegalArgumentException naming the first thing DP-SGD cannot train. */
  public static void check(Network net) {
    BackpropType backprop = net.isGraph() ? net.graph().getConfiguration().getBackpropType()
        : net.layers().getLayerWiseConfigurations().getBackpropType();
    if (backprop == BackpropType.TruncatedBPTT) {
      throw new IllegalArgumentException("DP-SGD does not support truncated backpropagation "
          + "through time (it splits a batch into several updates); use backpropType Standard");
    }
    org.deeplearning4j.nn.api.Layer[] layers = net.isGraph() ? net.graph().getLayers()
        : net.layers().getLayers();
    for (org.deeplearning4j.nn.api.Layer layer : layers) {
      Layer conf = unwrap(layer.conf().getLayer());
      String name = conf.getLayerName();
      if (conf instanceof BatchNormalization) {
        throw new IllegalArgumentException("DP-SGD cannot train layer '" + name + "': "
            + "BatchNormalization mixes the examples of a batch, so per-example gradients "
            + "cannot be clipped; use LayerNormalization or no normalization");
      }
      GradientNormalization normalization = conf.getGradientNormalization();
      if (normalization != null && normalization != GradientNormalization.None) {
        throw new IllegalArgumentException("DP-SGD cannot train layer '" + name + "' with "
            + "gradientNormalization " + normalization + ": DP-SGD clips each microbatch "
            + "itself; set it to None");
      }
    }
  }

  private static Layer unwrap(Layer conf) {
    Layer inner = conf;
    while (true) {
      if (inner instanceof FrozenLayer frozen) {
        inner = frozen.getLayer();
      } else if (inner instanceof BaseWrapperLayer wrapper) {
        inner = wrapper.getUnderlying();
      } else {
        return inner;
      }
    }
  }
}
