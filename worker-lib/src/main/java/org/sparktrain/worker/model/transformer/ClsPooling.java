package org.sparktrain.worker.model.transformer;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeRecurrent;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's [CLS] read-out: the hidden state of the first position, [batch, width, T] ->
 * [batch, width], for a sequence classifier on top. A MultiLayerNetwork has no graph vertex
 * such as LastTimeStepVertex, hence a layer; it has no parameters and no fields.
 */
public final class ClsPooling extends SameDiffLayer {

  public ClsPooling() {}

  /** The runtime layer with DL4J M2.1's doubled SameDiff gradients corrected. */
  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType dataType) {
    return HalvedErrorsSameDiffLayer.instantiate(this, conf, listeners, layerIndex, paramsView,
        initializeParams, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    if (!(inputType instanceof InputTypeRecurrent r)) {
      throw new IllegalStateException("ClsPooling '" + getLayerName()
          + "' needs recurrent input [batch, width, T], got " + inputType);
    }
    return InputType.feedForward(r.getSize());
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // Nothing to size: the output width is the input width.
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.clear();
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {}

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params,
      SDVariable mask) {
    return input.get(SDIndex.all(), SDIndex.all(), SDIndex.point(0));
  }

  /** The output is one vector per sequence: a per-position mask ends here. */
  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray,
      MaskState currentMaskState, int minibatchSize) {
    return new Pair<>(null, null);
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o) && o instanceof ClsPooling;
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
