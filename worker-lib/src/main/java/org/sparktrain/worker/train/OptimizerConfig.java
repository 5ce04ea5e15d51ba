package org.sparktrain.worker.train;

import java.io.Serializable;
import java.util.Locale;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * The optimizer and its hyperparameters.
 *
 * @param decayRate step decay of the learning rate: multiplied by this every
 *     {@code decayEveryEpochs} epochs (1 = constant). Schedules read DL4J's epoch counter, which
 *     every worker sets from the round plan, so all workers agree.
 */
public record OptimizerConfig(Kind kind, double learningRate, double momentum, double beta1,
    double beta2, double epsilon, double decayRate, int decayEveryEpochs)
    implements Serializable {

  /** A constant learning rate. */
  public OptimizerConfig(Kind kind, double learningRate, double momentum, double beta1,
      double beta2, double epsilon) {
    this(kind, learningRate, momentum, beta1, beta2, epsilon, 1.0, 1);
  }

  public enum Kind {
    SGD, NESTEROV, ADAM;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public IUpdater toUpdater() {
    if (decayRate == 1.0) {
      return switch (kind) {
        case SGD -> new Sgd(learningRate);
        case NESTEROV -> new Nesterovs(learningRate, momentum);
        case ADAM -> new Adam(learningRate, beta1, beta2, epsilon);
      };
    }
    ISchedule schedule = new StepSchedule(ScheduleType.EPOCH, learningRate, decayRate,
        decayEveryEpochs);
    return switch (kind) {
      case SGD -> new Sgd(schedule);
      case NESTEROV -> new Nesterovs(schedule, momentum);
      case ADAM -> {
        Adam adam = new Adam(schedule);
        adam.setBeta1(beta1);
        adam.setBeta2(beta2);
        adam.setEpsilon(epsilon);
        yield adam;
      }
    };
  }
}
