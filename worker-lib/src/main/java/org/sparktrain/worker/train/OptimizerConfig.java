package org.sparktrain.worker.train;

import java.io.Serializable;
import java.util.Locale;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/** The optimizer and its hyperparameters. */
public record OptimizerConfig(Kind kind, double learningRate, double momentum, double beta1,
    double beta2, double epsilon) implements Serializable {

  public enum Kind {
    SGD, NESTEROV, ADAM;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public IUpdater toUpdater() {
    return switch (kind) {
      case SGD -> new Sgd(learningRate);
      case NESTEROV -> new Nesterovs(learningRate, momentum);
      case ADAM -> new Adam(learningRate, beta1, beta2, epsilon);
    };
  }
}
