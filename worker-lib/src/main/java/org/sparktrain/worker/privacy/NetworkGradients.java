package org.sparktrain.worker.privacy;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.model.Network;

/**
 * The two halves of DL4J's {@code fit} that DP-SGD must pull apart to put clipping and noise
 * between them, for a layer stack or a graph alike: the gradient of one minibatch, and one
 * optimizer step with a given gradient.
 *
 * <p>How DL4J 1.0.0-M2.1 fits (read from {@code StochasticGradientDescent.optimize} and
 * {@code BaseOptimizer.gradientAndScore}): {@code computeGradientAndScore} leaves the loss
 * gradient summed over the minibatch's examples in the network's flat gradient view (the loss
 * score is already the mean); the updater ({@code BaseMultiLayerUpdater.update}) divides it by
 * the minibatch size (for {@code miniBatch(true)}, the default), applies regularization and the
 * optimizer (SGD, Adam, ...) in place; the step function subtracts it from the parameters; then
 * the iteration count is incremented and constraints applied. {@link #step} does the same with a
 * gradient of its own, passed to the updater as an external gradient with minibatch size 1.
 */
final class NetworkGradients {
  private final Network net;
  private final Model model;

  NetworkGradients(Network net) {
    this.net = net;
    this.model = net.isGraph() ? net.graph() : net.layers();
  }

  /** One microbatch's gradient (the mean over its examples) and its loss (DL4J's score). */
  record Microbatch(INDArray gradient, double score) {}

  /**
   * The gradient of the loss on {@code batch}, averaged over its examples, as a new flat
   * (rank 1) array in the parameters' order and type, and the loss DL4J scores it with.
   */
  Microbatch gradient(DataSet batch) {
    long examples = batch.getFeatures().size(0);
    double score;
    INDArray view;
    if (net.isGraph()) {
      ComputationGraph graph = net.graph();
      graph.setInputs(batch.getFeatures());
      graph.setLabels(batch.getLabels());
      graph.setLayerMaskArrays(wrap(batch.getFeaturesMaskArray()),
          wrap(batch.getLabelsMaskArray()));
      graph.computeGradientAndScore();
      score = graph.score();
      view = graph.getFlattenedGradients();
      graph.clearLayerMaskArrays();
    } else {
      MultiLayerNetwork layers = net.layers();
      layers.setInput(batch.getFeatures());
      layers.setLabels(batch.getLabels());
      layers.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
      layers.computeGradientAndScore();
      score = layers.score();
      view = layers.getFlattenedGradients();
      layers.clearLayerMaskArrays();
    }
    INDArray mean = view.reshape(view.length()).dup();
    mean.divi(examples);
    return new Microbatch(mean, score);
  }

  /**
   * One optimizer step with {@code gradient} (flat, as {@link #gradient} returns it) as the
   * minibatch's mean gradient: the network's updater transforms it in place, it is subtracted
   * from the parameters, and the iteration count advances, as in {@code fit}.
   */
  void step(INDArray gradient) {
    INDArray params = net.params();
    if (gradient.length() != params.length()) {
      throw new IllegalArgumentException("the gradient has " + gradient.length()
          + " values, the network " + params.length() + " parameters");
    }
    int iteration = BaseOptimizer.getIterationCount(model);
    int epoch = BaseOptimizer.getEpochCount(model);
    BaseMultiLayerUpdater<?> updater = net.isGraph() ? net.graph().getUpdater()
        : (BaseMultiLayerUpdater<?>) net.layers().getUpdater();
    // Not the network's own gradient view, so the updater takes it as external and works on it
    // in place; minibatch size 1 because it is already a mean.
    updater.update(new DefaultGradient(gradient), iteration, epoch, 1,
        LayerWorkspaceMgr.noWorkspaces());
    params.subi(gradient.reshape(params.shape()));
    BaseOptimizer.incrementIterationCount(model, 1);
    BaseOptimizer.applyConstraints(model);
  }

  /** Drops the inputs and activations the last gradient left in the layers. */
  void clearState() {
    if (net.isGraph()) {
      net.graph().clearLayersStates();
    } else {
      net.layers().clearLayersStates();
    }
  }

  /** A new zero gradient, flat, in the parameters' type. */
  INDArray zeros() {
    INDArray params = net.params();
    return Nd4j.zeros(params.dataType(), params.length());
  }

  private static INDArray[] wrap(INDArray mask) {
    return mask == null ? null : new INDArray[] {mask};
  }
}
