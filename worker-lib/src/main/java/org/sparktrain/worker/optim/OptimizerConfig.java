package org.sparktrain.worker.optim;

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
 *     {@code decayEveryEpochs} epochs (1 = constant). Schedules read DL4J's epoch and iteration
 *     counters, which every worker sets from the round plan, so all workers agree.
 * @param warmupSteps the rate rises linearly over this many optimizer steps per worker (0 = none)
 * @param decay how the rate falls after the warmup
 * @param totalSteps optimizer steps per worker in the whole run: where cosine decay ends. Known
 *     only once the data is sharded ({@link #withTotalSteps}); 0 until then.
 * @param minLearningRate where cosine decay ends
 */
public record OptimizerConfig(Kind kind, double learningRate, double momentum, double beta1,
    double beta2, double epsilon, double decayRate, int decayEveryEpochs, int warmupSteps,
    Decay decay, long totalSteps, double minLearningRate) implements Serializable {

  /** A constant learning rate. */
  public OptimizerConfig(Kind kind, double learningRate, double momentum, double beta1,
      double beta2, double epsilon) {
    this(kind, learningRate, momentum, beta1, beta2, epsilon, 1.0, 1, 0, Decay.NONE, 0, 0);
  }

  public enum Kind {
    SGD, NESTEROV, ADAM;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The learning rate's course after the warmup. */
  public enum Decay {
    NONE, STEP, COSINE;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** This configuration for a run of {@code steps} optimizer steps per worker. */
  public OptimizerConfig withTotalSteps(long steps) {
    return new OptimizerConfig(kind, learningRate, momentum, beta1, beta2, epsilon, decayRate,
        decayEveryEpochs, warmupSteps, decay, steps, minLearningRate);
  }

  /**
   * This configuration with the learning rate's whole course (peak and cosine floor) multiplied
   * by {@code factor}: what a rollback after divergence trains with.
   */
  public OptimizerConfig withLearningRateScaled(double factor) {
    return new OptimizerConfig(kind, learningRate * factor, momentum, beta1, beta2, epsilon,
        decayRate, decayEveryEpochs, warmupSteps, decay, totalSteps, minLearningRate * factor);
  }

  public IUpdater toUpdater() {
    ISchedule schedule = schedule();
    if (schedule == null) {
      return switch (kind) {
        case SGD -> new Sgd(learningRate);
        case NESTEROV -> new Nesterovs(learningRate, momentum);
        case ADAM -> new Adam(learningRate, beta1, beta2, epsilon);
      };
    }
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

  /** The learning-rate schedule, or null for a constant rate. */
  private ISchedule schedule() {
    boolean stepDecay = decay == Decay.STEP && decayRate != 1.0;
    if (warmupSteps == 0 && decay != Decay.COSINE) {
      // DL4J's own step schedule, as runs before warmup and cosine existed were trained.
      return stepDecay ? new StepSchedule(ScheduleType.EPOCH, learningRate, decayRate,
          decayEveryEpochs) : null;
    }
    if (decay == Decay.COSINE && totalSteps <= 0) {
      throw new IllegalStateException("cosine decay needs the run's total steps "
          + "(OptimizerConfig.withTotalSteps)");
    }
    return new WarmupDecaySchedule(learningRate, warmupSteps, decay, totalSteps, minLearningRate,
        decayRate, decayEveryEpochs);
  }
}
