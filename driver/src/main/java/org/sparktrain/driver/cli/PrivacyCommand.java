package org.sparktrain.driver.cli;

import java.util.concurrent.Callable;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.privacy.PlannedPrivacy;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain privacy}: what a planned DP-SGD run spends, or the noise it needs to stay
 * within a budget. Nothing is trained or read; the numbers come from the RDP accountant alone.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true, description = "The privacy a "
    + "planned DP-SGD run spends (Poisson sampling q = batch / examples, steps = ceil(epochs / q), "
    + "RDP accountant): epsilon for --noise, or the least noise multiplier that meets "
    + "--target-epsilon.")
final class PrivacyCommand implements Callable<Integer> {
  @Option(names = "--examples", required = true, paramLabel = "N", description = "training "
      + "examples")
  long examples;

  @Option(names = "--batch", required = true, paramLabel = "B", description = "expected batch "
      + "size (each example is in a step's batch with probability B / N)")
  long batch;

  @Option(names = "--epochs", required = true, paramLabel = "E", description = "epochs (may be "
      + "fractional)")
  double epochs;

  @Option(names = "--delta", required = true, paramLabel = "D", description = "delta, "
      + "typically below 1 / N (e.g. 1e-5)")
  double delta;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Noise noise;

  @Option(names = "--json", description = "print one JSON object (for scripts)")
  boolean json;

  @Option(names = "--verbose", description = "print stack traces on errors")
  boolean verbose;

  /** Exactly one of the two. */
  static final class Noise {
    @Option(names = "--noise", paramLabel = "S", description = "noise multiplier (noise "
        + "standard deviation / clipping norm)")
    Double multiplier;

    @Option(names = "--target-epsilon", paramLabel = "T", description = "the epsilon to meet: "
        + "prints the least noise multiplier that does")
    Double targetEpsilon;
  }

  @Override
  public Integer call() {
    require(examples >= 1, "--examples must be at least 1, got " + examples);
    require(batch >= 1 && batch <= examples, "--batch must be in [1, --examples = " + examples
        + "], got " + batch);
    require(epochs > 0 && Double.isFinite(epochs), "--epochs must be finite and > 0, got "
        + epochs);
    require(delta > 0 && delta < 1, "--delta must be in (0, 1) (typically below 1 / "
        + "--examples), got " + delta);
    PlannedPrivacy planned;
    if (noise.multiplier != null) {
      require(noise.multiplier >= 0 && Double.isFinite(noise.multiplier), "--noise must be "
          + "finite and >= 0, got " + noise.multiplier);
      planned = PlannedPrivacy.withNoise(examples, batch, epochs, noise.multiplier, delta);
    } else {
      require(noise.targetEpsilon > 0 && Double.isFinite(noise.targetEpsilon),
          "--target-epsilon must be finite and > 0, got " + noise.targetEpsilon);
      try {
        planned = PlannedPrivacy.forTarget(examples, batch, epochs, delta, noise.targetEpsilon);
      } catch (IllegalArgumentException e) {
        // Not chained: the error line shows the deepest cause's message, which lacks the flag.
        throw new IllegalArgumentException("--target-epsilon: " + e.getMessage());
      }
    }
    System.out.print(json ? Json.line(planned.toMap()) + "\n" : planned.text());
    return 0;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
