package org.sparktrain.worker.optim;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A learning rate that rises linearly over the first {@code warmupSteps} optimizer steps, then
 * follows cosine decay to {@code minValue} at {@code totalSteps}, or step decay by epoch. A pure
 * function of DL4J's iteration and epoch counters, which every worker sets from the round plan,
 * so workers agree, both synchronization strategies agree, and a resumed run continues it
 * exactly.
 *
 * <p>Warmup step {@code i} (0-based) uses {@code base * (i + 1) / warmupSteps}, so the first step
 * already moves.
 */
public final class WarmupDecaySchedule implements ISchedule {
  private final double base;
  private final int warmupSteps;
  private final OptimizerConfig.Decay decay;
  private final long totalSteps;
  private final double minValue;
  private final double decayRate;
  private final int decayEveryEpochs;

  @JsonCreator
  public WarmupDecaySchedule(@JsonProperty("base") double base,
      @JsonProperty("warmupSteps") int warmupSteps,
      @JsonProperty("decay") OptimizerConfig.Decay decay,
      @JsonProperty("totalSteps") long totalSteps,
      @JsonProperty("minValue") double minValue,
      @JsonProperty("decayRate") double decayRate,
      @JsonProperty("decayEveryEpochs") int decayEveryEpochs) {
    this.base = base;
    this.warmupSteps = warmupSteps;
    this.decay = decay;
    this.totalSteps = totalSteps;
    this.minValue = minValue;
    this.decayRate = decayRate;
    this.decayEveryEpochs = decayEveryEpochs;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmupSteps) {
      return base * (iteration + 1) / warmupSteps;
    }
    return switch (decay) {
      case NONE -> base;
      case STEP -> base * Math.pow(decayRate, Math.floor((double) epoch / decayEveryEpochs));
      case COSINE -> {
        long span = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / span);
        yield minValue + (base - minValue) * 0.5 * (1 + Math.cos(Math.PI * progress));
      }
    };
  }

  @Override
  public ISchedule clone() {
    return new WarmupDecaySchedule(base, warmupSteps, decay, totalSteps, minValue, decayRate,
        decayEveryEpochs);
  }

  // Getters: DL4J writes the network configuration (and so this schedule) as JSON with Jackson.
  @JsonProperty("base")
  public double getBase() {
    return base;
  }

  @JsonProperty("warmupSteps")
  public int getWarmupSteps() {
    return warmupSteps;
  }

  @JsonProperty("decay")
  public OptimizerConfig.Decay getDecay() {
    return decay;
  }

  @JsonProperty("totalSteps")
  public long getTotalSteps() {
    return totalSteps;
  }

  @JsonProperty("minValue")
  public double getMinValue() {
    return minValue;
  }

  @JsonProperty("decayRate")
  public double getDecayRate() {
    return decayRate;
  }

  @JsonProperty("decayEveryEpochs")
  public int getDecayEveryEpochs() {
    return decayEveryEpochs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmupDecaySchedule s && s.base == base && s.warmupSteps == warmupSteps
        && s.decay == decay && s.totalSteps == totalSteps && s.minValue == minValue
        && s.decayRate == decayRate && s.decayEveryEpochs == decayEveryEpochs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(base, warmupSteps, decay, totalSteps, minValue, decayRate,
        decayEveryEpochs);
  }
}
