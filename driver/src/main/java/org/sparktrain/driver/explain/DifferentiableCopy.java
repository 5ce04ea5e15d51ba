package org.sparktrain.driver.explain;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkConfig;

/**
 * A copy of a trained network that computes what {@code predict} computes and can be
 * differentiated with respect to its input. DL4J backpropagates only in training mode, where
 * dropout drops units and batch normalization normalizes with the batch's own statistics; so
 * the copy has no dropout, and each (convolutional) batch normalization becomes the per-channel
 * affine map it is at inference, {@code gamma (x - mean) / std + beta}, as a 1x1 depthwise
 * convolution holding that scale and shift. Works for layer stacks and graphs (the resnet).
 */
final class DifferentiableCopy {
  /** An identity layer between the graph's input and its readers, where DL4J keeps dL/dx. */
  private static final String PROBE = "sparktrain_input_probe";

  private final MultiLayerNetwork stack;
  private final ProbedGraph graph;

  private DifferentiableCopy(MultiLayerNetwork stack, ProbedGraph graph) {
    this.stack = stack;
    this.graph = graph;
  }

  /** @param numInputs the width of a row (to probe which normalizations see images) */
  static DifferentiableCopy of(Network network, int numInputs) {
    NetworkConfig copy = NetworkConfig.fromJson(network.config().toJson());
    if (!copy.isGraph()) {
      for (NeuralNetConfiguration layer : copy.layers().getConfs()) {
        if (layer.getLayer() instanceof BatchNormalization) {
          throw new IllegalArgumentException("gradients of a layer stack with batch "
              + "normalization are not supported; a graph's (resnet) are");
        }
        layer.getLayer().setIDropout(null);
      }
      MultiLayerNetwork net = copy.newNetwork().layers();
      net.params().assign(network.params());
      return new DifferentiableCopy(net, null);
    }
    ComputationGraphConfiguration conf = copy.graph();
    conf.setTrainingWorkspaceMode(WorkspaceMode.NONE);
    conf.setInferenceWorkspaceMode(WorkspaceMode.NONE);
    ComputationGraph original = network.graph();
    Map<String, INDArray> activations = null;
    for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
      if (!(v.getValue() instanceof LayerVertex lv)) {
        continue;
      }
      Layer layer = lv.getLayerConf().getLayer();
      layer.setIDropout(null);
      if (layer instanceof BatchNormalization bn) {
        if (activations == null) {
          activations = original.feedForward(Nd4j.zeros(original.params().dataType(), 1,
              numInputs), false);
        }
        if (activations.get(v.getKey()).rank() != 4) {
          throw new IllegalArgumentException("gradients through batch normalization of "
              + "non-image activations (vertex " + v.getKey() + ") are not supported");
        }
        lv.getLayerConf().setLayer(affine(bn, v.getKey()));
      }
    }
    insertProbe(conf);
    ProbedGraph net = new ProbedGraph(conf);
    net.init();
    for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      if (name.equals(PROBE)) {
        continue;
      }
      org.deeplearning4j.nn.api.Layer from = original.getLayer(name);
      if (from.conf().getLayer() instanceof BatchNormalization bn) {
        copyAffine(bn, from, layer);
      } else {
        for (Map.Entry<String, INDArray> p : from.paramTable().entrySet()) {
          layer.setParam(p.getKey(), p.getValue().dup());
        }
      }
    }
    return new DifferentiableCopy(null, net);
  }

  /**
   * Puts an identity layer between the network input and the vertices that read it: DL4J hands
   * a layer the gradient with respect to its output, and does not keep one for the input.
   */
  private static void insertProbe(ComputationGraphConfiguration conf) {
    String input = conf.getNetworkInputs().get(0);
    for (Map.Entry<String, List<String>> v : conf.getVertexInputs().entrySet()) {
      v.setValue(v.getValue().stream().map(i -> i.equals(input) ? PROBE : i).toList());
    }
    NeuralNetConfiguration probe = new NeuralNetConfiguration.Builder()
        .dataType(conf.getDataType())
        .layer(new ActivationLayer.Builder()
            .activation(Activation.IDENTITY).name(PROBE).build())
        .build();
    conf.getVertices().put(PROBE, new LayerVertex(probe, null));
    conf.getVertexInputs().put(PROBE, List.of(input));
    // The order cached with the configuration does not know the probe: let init compute it.
    conf.setTopologicalOrder(null);
    conf.setTopologicalOrderStr(null);
  }

  /** Keeps the probe's gradient before DL4J clears the layers' state. */
  private static final class ProbedGraph extends ComputationGraph {
    private INDArray inputGradient;

    ProbedGraph(ComputationGraphConfiguration conf) {
      super(conf);
    }

    @Override
    protected void calcBackpropGradients(boolean truncatedBptt, boolean externalEpsilons,
        INDArray... epsilons) {
      super.calcBackpropGradients(truncatedBptt, externalEpsilons, epsilons);
      INDArray e = getVertex(PROBE).getEpsilon();
      inputGradient = e == null ? null : e.dup();
    }
  }

  /**
   * A 1x1 depthwise convolution of the batch normalization's width. Identity activation: DL4J's
   * batch normalization applies none (its configuration inherits the builder's default, e.g.
   * sigmoid, and ignores it; ImageExplainTest compares outputs).
   */
  private static Layer affine(BatchNormalization bn, String name) {
    IActivation activation = Activation.IDENTITY.getActivationFunction();
    DepthwiseConvolution2D conv = new DepthwiseConvolution2D.Builder(1, 1)
        .nIn(bn.getNIn()).nOut(bn.getNOut()).depthMultiplier(1).stride(1, 1)
        .convolutionMode(ConvolutionMode.Same).hasBias(true)
        .dataFormat(bn.getCnn2DFormat() == null ? CNN2DFormat.NCHW : bn.getCnn2DFormat())
        .activation(activation).name(name)
        // A layer built outside a network builder gets none of its defaults; the values are
        // overwritten with the normalization's right after.
        .weightInit(WeightInit.ONES).biasInit(0)
        .updater(new NoOp())
        .biasUpdater(new NoOp())
        .gradientNormalization(GradientNormalization.None)
        .build();
    return conv;
  }

  /** W = gamma / std, b = beta - mean * W: the normalization as inference applies it. */
  private static void copyAffine(BatchNormalization bn,
      org.deeplearning4j.nn.api.Layer from, org.deeplearning4j.nn.api.Layer to) {
    Map<String, INDArray> p = from.paramTable();
    INDArray mean = p.get(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(-1);
    // With the log-std parameterization DL4J stores log10 of the running std and, at
    // inference, turns it back into a variance to which the op adds eps again.
    INDArray variance = bn.isUseLogStd()
        ? Transforms.pow(Nd4j.valueArrayOf(mean.shape(), 10.0, mean.dataType()),
            p.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).reshape(-1).mul(2))
        : p.get(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(-1);
    INDArray std = Transforms.sqrt(variance.add(bn.getEps()));
    INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(mean.shape(), bn.getGamma(),
        mean.dataType()) : p.get(BatchNormalizationParamInitializer.GAMMA).reshape(-1);
    INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(mean.shape(), bn.getBeta(),
        mean.dataType()) : p.get(BatchNormalizationParamInitializer.BETA).reshape(-1);
    INDArray scale = gamma.div(std);
    INDArray shift = beta.sub(mean.mul(scale));
    to.setParam("W", scale.reshape(to.getParam("W").shape()));
    to.setParam("b", shift.reshape(to.getParam("b").shape()));
  }

  /** The network's outputs for {@code rows}, as predict computes them. */
  INDArray output(INDArray rows) {
    return stack != null ? stack.output(rows, false) : graph.outputSingle(false, rows);
  }

  /**
   * The gradient of the network's loss for {@code labels} with respect to each row of input.
   */
  INDArray lossGradient(INDArray rows, INDArray labels) {
    if (stack != null) {
      return stack.calculateGradients(rows, labels, null, null).getSecond();
    }
    graph.setInputs(rows);
    graph.setLabels(labels);
    graph.inputGradient = null;
    graph.computeGradientAndScore();
    if (graph.inputGradient == null) {
      throw new IllegalStateException("DL4J computed no gradient for the network's input");
    }
    return graph.inputGradient.reshape(rows.shape());
  }
}
