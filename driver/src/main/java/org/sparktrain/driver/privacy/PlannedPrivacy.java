package org.sparktrain.driver.privacy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.worker.privacy.Conversion;
import org.sparktrain.worker.privacy.Epsilon;
import org.sparktrain.worker.privacy.PrivacyPlan;
import org.sparktrain.worker.privacy.RdpAccountant;

/**
 * What {@code sparktrain privacy} reports for a planned DP-SGD run: the {@link PrivacyPlan}
 * (Poisson sampling at {@code q = batch / examples}, {@code ceil(epochs / q)} steps, the RDP
 * accountant with the classic conversion, which is what published DP-SGD epsilons use) and, beside
 * it, the epsilon of the improved conversion, which is sound and smaller: the classic number
 * is the one to compare with papers, the improved one the tighter statement.
 *
 * @param targetEpsilon the epsilon the noise was calibrated to, or null when the noise was given
 */
public record PlannedPrivacy(PrivacyPlan plan, Double targetEpsilon, Epsilon improved) {

  /** The epsilon a run with this noise spends. */
  public static PlannedPrivacy withNoise(long examples, long batch, double epochs,
      double noiseMultiplier, double delta) {
    return of(PrivacyPlan.withNoise(examples, batch, epochs, noiseMultiplier, delta), null);
  }

  /** The least noise that keeps the run within {@code targetEpsilon}. */
  public static PlannedPrivacy forTarget(long examples, long batch, double epochs, double delta,
      double targetEpsilon) {
    return of(PrivacyPlan.forTargetEpsilon(examples, batch, epochs, delta, targetEpsilon),
        targetEpsilon);
  }

  private static PlannedPrivacy of(PrivacyPlan plan, Double target) {
    Epsilon improved = RdpAccountant.epsilon(plan.samplingRate(), plan.noiseMultiplier(),
        plan.steps(), plan.delta(), RdpAccountant.defaultOrders(), Conversion.IMPROVED);
    return new PlannedPrivacy(plan, target, improved);
  }

  /** One JSON object's worth, for scripts. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("examples", plan.examples());
    out.put("batch", plan.expectedBatchSize());
    out.put("epochs", plan.epochs());
    out.put("samplingRate", plan.samplingRate());
    out.put("steps", plan.steps());
    out.put("noiseMultiplier", plan.noiseMultiplier());
    if (targetEpsilon != null) {
      out.put("targetEpsilon", targetEpsilon);
    }
    out.put("delta", plan.delta());
    out.put("epsilon", plan.epsilon().epsilon());
    out.put("order", plan.epsilon().order());
    out.put("improvedEpsilon", improved.epsilon());
    out.put("improvedOrder", improved.order());
    out.put("accountant", "RDP, Poisson-subsampled Gaussian (Mironov, Talwar and Zhang 2019); "
        + "epsilon: classic conversion (Mironov 2017), improvedEpsilon: Balle et al. 2020");
    return out;
  }

  /** The report as a person reads it. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    line(sb, "examples", String.valueOf(plan.examples()));
    line(sb, "expected batch", plan.expectedBatchSize() + " (Poisson sampling)");
    line(sb, "epochs", number(plan.epochs()));
    line(sb, "sampling rate q", number(plan.samplingRate()));
    line(sb, "steps", plan.steps() + " (ceil(epochs / q))");
    line(sb, "noise multiplier", number(plan.noiseMultiplier()) + (targetEpsilon == null ? ""
        : " (the least that meets target epsilon " + number(targetEpsilon) + ")"));
    line(sb, "delta", number(plan.delta()));
    line(sb, "epsilon", String.format(Locale.ROOT, "%.4f (RDP accountant, classic conversion, "
        + "optimal order %s)", plan.epsilon().epsilon(), number(plan.epsilon().order())));
    line(sb, "epsilon, improved", String.format(Locale.ROOT, "%.4f (Balle et al. 2020 "
        + "conversion, order %s)", improved.epsilon(), number(improved.order())));
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, String value) {
    sb.append(String.format(Locale.ROOT, "%-18s %s%n", name, value));
  }

  private static String number(double v) {
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros()
        .toPlainString();
  }
}
