package org.sparktrain.worker.model.transformer;

import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InputType.InputTypeRecurrent;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A SameDiff layer over hidden states [batch, width, T] (DL4J's RNN format NCW) that keeps that
 * shape. Holds the width and the checks every such layer needs.
 *
 * <p>Fields carry the SHADED Jackson {@code @JsonProperty} and getters are {@code @JsonIgnore}d:
 * DL4J serialises configurations with its shaded Jackson, and a Lombok-style getter such as
 * {@code getNIn()} would be written as "nin" and never read back (the layer then restores with a
 * zero size).
 */
public abstract class SequenceLayer extends SameDiffLayer {
  @JsonProperty("width")
  protected long width;

  /** For Jackson. */
  protected SequenceLayer() {}

  protected SequenceLayer(long width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    this.width = width;
  }

  @JsonIgnore
  public long getWidth() {
    return width;
  }

  /** The runtime layer with DL4J M2.1's doubled SameDiff gradients corrected. */
  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
      int layerIndex, INDArray paramsView, boolean initializeParams, DataType dataType) {
    return HalvedErrorsSameDiffLayer.instantiate(this, conf, listeners, layerIndex, paramsView,
        initializeParams, dataType);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    InputTypeRecurrent in = recurrent(inputType);
    return InputType.recurrent(width, in.getTimeSeriesLength(), RNNFormat.NCW);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    long size = recurrent(inputType).getSize();
    if (size != width) {
      throw new IllegalStateException(getClass().getSimpleName() + " '" + getLayerName()
          + "' has width " + width + " but its input has size " + size);
    }
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW,
        getLayerName());
  }

  @Override
  public void validateInput(INDArray input) {
    if (input.rank() != 3 || input.size(1) != width) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " '" + getLayerName()
          + "' expects input [batch, " + width + ", T] (NCW), got "
          + Arrays.toString(input.shape()));
    }
  }

  private InputTypeRecurrent recurrent(InputType inputType) {
    if (!(inputType instanceof InputTypeRecurrent r)) {
      throw new IllegalStateException(getClass().getSimpleName() + " '" + getLayerName()
          + "' needs recurrent input [batch, width, T], got " + inputType);
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o) && o.getClass() == getClass() && ((SequenceLayer) o).width == width;
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + Long.hashCode(width);
  }
}
