package org.sparktrain.driver.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.PredictJob;
import org.sparktrain.worker.model.Network;

/**
 * A trained network with the normalization it was trained with. Predicting goes through
 * {@link PredictJob#outputs}, the code behind {@code bin/sparktrain predict}, so raw feature rows
 * are normalized exactly as there.
 */
public final class Model {
  private final ModelBundle bundle;

  Model(ModelBundle bundle) {
    this.bundle = bundle;
  }

  static Model load(String uri) {
    return ContextLoader.call(() -> new Model(ModelBundle.load(uri, new Configuration())));
  }

  /** Rows of raw features (not normalized), {@link #numFeatures()} values each. */
  public Predictions predict(double[][] rows) {
    List<float[]> raw = new ArrayList<>(rows.length);
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null || rows[i].length != numFeatures()) {
        throw new IllegalArgumentException("row " + i + " has "
            + (rows[i] == null ? "no values" : rows[i].length + " values")
            + " (the model takes " + numFeatures() + " features, without the label)");
      }
      float[] x = new float[rows[i].length];
      for (int f = 0; f < x.length; f++) {
        x[f] = (float) rows[i][f];
      }
      raw.add(x);
    }
    float[][] out = ContextLoader.call(() -> PredictJob.outputs(bundle, raw));
    int[] classes = new int[out.length];
    double[][] outputs = new double[out.length][];
    for (int i = 0; i < out.length; i++) {
      classes[i] = bundle.classification() ? PredictJob.predictedClass(out[i]) : -1;
      outputs[i] = new double[out[i].length];
      for (int k = 0; k < out[i].length; k++) {
        outputs[i][k] = out[i][k];
      }
    }
    return new Predictions(bundle.classification(), classes, outputs);
  }

  public int numFeatures() {
    return bundle.numFeatures();
  }

  public boolean classification() {
    return bundle.classification();
  }

  /** 0 for regression. */
  public int numClasses() {
    return bundle.numClasses();
  }

  /**
   * The network, for anything the API does not cover ({@code network().layers()} is the DL4J
   * MultiLayerNetwork of a layer-stack model); it expects normalized inputs.
   */
  public Network network() {
    return bundle.network();
  }

  /** The network with its normalizer, as the run directory stores them. */
  public ModelBundle bundle() {
    return bundle;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Model[%s, %s, %d features -> %s, %,d parameters, %s]",
        bundle.modelName(), classification() ? "classification" : "regression", numFeatures(),
        classification() ? numClasses() + " classes" : "1 value", network().numParams(),
        bundle.normalizer().method().key());
  }
}
