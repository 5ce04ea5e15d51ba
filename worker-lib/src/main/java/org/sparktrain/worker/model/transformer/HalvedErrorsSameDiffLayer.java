package org.sparktrain.worker.model.transformer;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's runtime SameDiff layer with the backward pass corrected for a bug of 1.0.0-M2.1: it
 * hands the incoming error to SameDiff through an ExternalErrorsFunction whose gradient is
 * counted twice, so every parameter gradient AND the error passed to the layer below come out
 * exactly twice the true value (measured with DL4J's own GradientCheckUtil, also for DL4J's
 * SelfAttentionLayer). Stacked, the embeddings under n blocks got 2^(n+2) times their gradient:
 * Adam hides a constant factor per parameter, but SGD, momentum and gradient clipping do not.
 * The backward pass is linear in the incoming error, so halving it restores exact gradients.
 * {@code TransformerGradientTest} fails if a DL4J version without the bug is used.
 */
final class HalvedErrorsSameDiffLayer extends org.deeplearning4j.nn.layers.samediff.SameDiffLayer {

  private HalvedErrorsSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon,
      LayerWorkspaceMgr workspaceMgr) {
    return super.backpropGradient(epsilon.mul(0.5), workspaceMgr);
  }

  /**
   * What {@link SameDiffLayer#instantiate} does in M2.1, with this class as the runtime layer
   * (the network sets the listeners itself).
   */
  static Layer instantiate(SameDiffLayer layerConf, NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView,
      boolean initializeParams, DataType dataType) {
    HalvedErrorsSameDiffLayer layer = new HalvedErrorsSameDiffLayer(conf, dataType);
    layer.setIndex(layerIndex);
    layer.setParamsViewArray(paramsView);
    Map<String, INDArray> params = layerConf.initializer().init(conf, paramsView,
        initializeParams);
    layer.setParamTable(params);
    layer.setConf(conf);
    return layer;
  }
}
