package org.sparktrain.worker.privacy;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparktrain.worker.model.Network;


/**
 * One DP-SGD update (Abadi et al., "Deep Learning with Differential Privacy", 2016,
 * algorithm 1) of a network on one Poisson-sampled batch ({@link PoissonSampler}): the batch is
 * cut into microbatches of {@code microbatchSize} consecutive examples (the last may be smaller);
 * each microbatch's mean gradient is clipped to L2 norm {@code clipNorm} ({@link ClippedSum});
 * the clipped gradients are summed, Gaussian noise of standard deviation
 * {@code noiseMultiplier * clipNorm} is added to every coordinate, and the result is divided by
 * the expected number of microbatches {@code expectedBatchSize / microbatchSize} (not the drawn
 * number, which would depend on who was sampled); the network's own updater (SGD, Adam, ...)
 * then applies it as {@code fit} would ({@link NetworkGradients}).
 *
 * <p>Microbatches are TensorFlow Privacy's: a microbatch of one is per-example clipping. Larger
 * ones are cheaper but double the sensitivity under add/remove adjacency (adding one example can
 * move its microbatch's clipped gradient from one point of the C-ball to another, 2C apart): the
 * accountant must be given {@link #accountedNoiseMultiplier()}, half the noise multiplier
 * (Ponomareva et al., "How to DP-fy ML", 2023, section 5.6; TF Privacy deprecated its
 * {@code compute_dp_sgd_privacy} for ignoring this).
 *
 * <p>Per-example clipping of a chain of dense layers takes a batched path that gives the same
 * clipped sum from one forward and one backward pass over the whole batch ({@link GhostClipping});
 * every other network and microbatch size computes one DL4J gradient per microbatch.
 *
 * <p>An empty batch still adds the noise, so an update does not reveal that nobody was sampled.
 */
public final class DpSgdStep {
  private final double clipNorm;
  private final double noiseMultiplier;
  private final int microbatchSize;
  private final double expectedBatchSize;

  /**
   * @param clipNorm C, the bound on each microbatch's gradient norm, finite and > 0
   * @param noiseMultiplier sigma, the noise's standard deviation over C, finite and >= 0
   * @param microbatchSize examples per clipped gradient, >= 1 (1 = per-example clipping)
   * @param expectedBatchSize L = q * N, the Poisson batch's expected size, finite and
   *     >= microbatchSize
   */
  public DpSgdStep(double clipNorm, double noiseMultiplier, int microbatchSize,
      double expectedBatchSize) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noiseMultiplier must be finite and >= 0, got "
          + noiseMultiplier);
    }
    if (microbatchSize < 1) {
      throw new IllegalArgumentException("microbatchSize must be >= 1, got " + microbatchSize);
    }
    if (!(expectedBatchSize >= microbatchSize) || Double.isInfinite(expectedBatchSize)) {
      throw new IllegalArgumentException("expectedBatchSize (q * examples) must be finite and "
          + ">= microbatchSize = " + microbatchSize + ", got " + expectedBatchSize);
    }
    this.clipNorm = clipNorm;
    this.noiseMultiplier = noiseMultiplier;
    this.microbatchSize = microbatchSize;
    this.expectedBatchSize = expectedBatchSize;
  }

  /**
   * The noise multiplier the {@link RdpAccountant} must be given for this step: the noise over
   * the sensitivity, which is C for per-example clipping and 2C for larger microbatches.
   */
  public double accountedNoiseMultiplier() {
    return microbatchSize == 1 ? noiseMultiplier : noiseMultiplier / 2;
  }

  /** {@code expectedBatchSize / microbatchSize}, what the noisy sum is divided by. */
  public double expectedMicrobatches() {
    return expectedBatchSize / microbatchSize;
  }

  /** The standard deviation of the noise in each coordinate of the applied gradient. */
  public double noiseStddevPerCoordinate() {
    return noiseMultiplier * clipNorm / expectedMicrobatches();
  }

  /**
   * Updates {@code net} with one DP-SGD step.
   *
   * @param net a network {@link PerExampleSupport#check accepted} for DP-SGD
   * @param batch the sampled examples, built as {@code Task.batch} builds them from the drawn
   *     indices; null for an empty draw ({@code Task.batch} cannot build a batch of zero rows:
   *     ND4J allocates no buffer for it), or a batch of zero rows built some other way
   * @param noise this (round, step, partition)'s noise, from {@link PrivacySecret#noise}
   */
  public DpStepResult apply(Network net, DataSet batch, GaussianNoise noise) {
    return apply(net, batch, noise, true);
  }

  /**
   * {@link #apply}, with the batched per-example path ({@link GhostClipping}) allowed or not:
   * both give the same update, to rounding, where it qualifies.
   */
  DpStepResult apply(Network net, DataSet batch, GaussianNoise noise, boolean allowGhost) {
    if (net == null || noise == null) {
      throw new IllegalArgumentException("a network and a noise source are required");
    }
    PerExampleSupport.check(net);
    NetworkGradients gradients = new NetworkGradients(net);
    int examples = batch == null || batch.getFeatures() == null ? 0
        : Math.toIntExact(batch.getFeatures().size(0));
    GhostClipping ghost = allowGhost ? ghost(net, batch) : null;
    INDArray clippedSum;
    double lossSum = 0;
    int microbatches;
    int clipped;
    if (ghost != null) {
      GhostClipping.Result result = ghost.clippedSum(batch, clipNorm);
      clippedSum = result.clippedSum();
      lossSum = result.lossSum();
      microbatches = examples;
      clipped = result.clipped();
    } else {
      ClippedSum sum = new ClippedSum(clipNorm);
      for (int from = 0; from < examples; from += microbatchSize) {
        int to = Math.min(examples, from + microbatchSize);
        NetworkGradients.Microbatch microbatch = gradients.gradient(rows(batch, from, to));
        sum.add(microbatch.gradient());
        lossSum += microbatch.score() * (to - from);
      }
      gradients.clearState();
      clippedSum = sum.sum();
      microbatches = sum.microbatches();
      clipped = sum.clipped();
    }
    INDArray noisy = clippedSum == null ? gradients.zeros() : clippedSum;
    if (noiseMultiplier > 0) {
      float[] draws = noise.sample(Math.toIntExact(noisy.length()), noiseMultiplier * clipNorm);
      noisy.addi(Nd4j.createFromArray(draws).reshape(noisy.shape()).castTo(noisy.dataType()));
    }
    noisy.divi(expectedMicrobatches());
    gradients.step(noisy);
    return new DpStepResult(examples, lossSum, microbatches, clipped);
  }

  /**
   * Whether {@link #apply} takes the batched per-example path ({@link GhostClipping}) for this
   * network and batch: per-example clipping (microbatches of one) of a qualifying dense chain.
   */
  boolean usesGhostClipping(Network net, DataSet batch) {
    return ghost(net, batch) != null;
  }

  private GhostClipping ghost(Network net, DataSet batch) {
    if (microbatchSize != 1 || batch == null || batch.getFeatures() == null
        || batch.getFeatures().size(0) == 0) {
      return null;
    }
    GhostClipping ghost = GhostClipping.of(net);
    return ghost != null && ghost.accepts(batch) ? ghost : null;
  }

  /** Examples {@code [from, to)} of a batch, masks included, as a batch of their own. */
  private static DataSet rows(DataSet batch, int from, int to) {
    DataSet out = new DataSet(rows(batch.getFeatures(), from, to),
        rows(batch.getLabels(), from, to));
    out.setFeaturesMaskArray(rows(batch.getFeaturesMaskArray(), from, to));
    out.setLabelsMaskArray(rows(batch.getLabelsMaskArray(), from, to));
    return out;
  }

  private static INDArray rows(INDArray array, int from, int to) {
    if (array == null) {
      return null;
    }
    INDArrayIndex[] index = new INDArrayIndex[array.rank()];
    index[0] = NDArrayIndex.interval(from, to);
    for (int d = 1; d < index.length; d++) {
      index[d] = NDArrayIndex.all();
    }
    return array.get(index).dup();
  }
}
