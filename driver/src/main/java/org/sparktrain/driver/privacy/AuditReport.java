package org.sparktrain.driver.privacy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of a membership-inference audit, from each example's loss: the loss-threshold
 * attack of Yeom, Giacomelli, Fredrikson and Jha ("Privacy Risk in Machine Learning: Analyzing
 * the Connection to Overfitting", 2018), score = -loss, "member" when the score reaches a
 * threshold. A model that fits its training examples better than unseen ones gives them lower
 * losses, and the attack sees it.
 *
 * <p>Reported: the ROC AUC with a bootstrap interval; the true-positive rate at false-positive
 * rates 1% and 0.1% (thresholds set on the non-members' scores) with Clopper–Pearson intervals
 * of both rates and a bootstrap interval of the TPR; and the epsilon lower bound the 1% point
 * implies. A mechanism that is (epsilon, delta)-DP bounds every test's
 * {@code TPR <= e^epsilon FPR + delta} (Kairouz, Oh and Viswanath 2015), so
 * {@code epsilon >= ln((TPR - delta) / FPR)}; with the lower Clopper–Pearson end of the TPR and
 * the upper end of the FPR this holds with 95% confidence for each (Jagielski, Ullman and Oprea,
 * "Auditing Differentially Private Machine Learning", 2020; Nasr et al., "Adversary
 * Instantiation", 2021). It is a lower bound for this attack on these examples: a small one
 * does not show the model private (a stronger attack could find more), a large one above the
 * accountant's epsilon shows that the training did not do what its accountant assumed.
 *
 * <p>Not done: calibrated per-example attacks such as LiRA (Carlini et al., "Membership
 * Inference Attacks From First Principles", 2022), which compare each example's loss with its
 * loss under dozens of shadow models trained with and without it. They are much stronger at
 * low FPR but need those many training runs; this audit needs none.
 */
public final class AuditReport {
  public static final String ATTACK = "loss threshold (Yeom et al. 2018): score = -cross-entropy "
      + "loss, member when the score reaches the threshold";
  public static final String NOT_DONE = "calibrated per-example attacks such as LiRA (Carlini "
      + "et al. 2022), which need many shadow models trained with and without each example";
  /** The false-positive rates reported; the first also gives the epsilon lower bound. */
  static final double[] TARGET_FPRS = {0.01, 0.001};
  static final double CONFIDENCE = 0.95;
  /** Used when the model has no privacy.json: a common choice for datasets of ~1e4-1e5. */
  public static final double DEFAULT_DELTA = 1e-5;
  /** The ROC curve kept for the page: a corner per 0.5% of TPR or 0.5% growth of FPR. */
  private static final double CURVE_STEP = 0.005;

  private AuditReport() {}

  /** What the audit's settings and inputs are, besides the losses. */
  public record Settings(int resamples, long seed, RecordedPrivacy recorded) {}

  /**
   * The report as a map for audit.json and the page (see the class comment).
   *
   * @param memberLosses each member's loss; {@code nonMemberLosses} likewise
   */
  public static Map<String, Object> compute(double[] memberLosses, double[] nonMemberLosses,
      Settings settings) {
    double[] members = negated(memberLosses);
    double[] nonMembers = negated(nonMemberLosses);
    Bootstrap.Result boot = Bootstrap.run(members, nonMembers, TARGET_FPRS,
        settings.resamples(), settings.seed(), CONFIDENCE);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("attack", ATTACK);
    out.put("notDone", NOT_DONE);
    out.put("members", lossSummary(memberLosses));
    out.put("nonMembers", lossSummary(nonMemberLosses));
    out.put("auc", AttackStatistics.auc(members, nonMembers));
    out.put("aucCi", interval(boot.auc().lower(), boot.auc().upper()));
    List<Map<String, Object>> points = new ArrayList<>();
    AttackStatistics.Point first = null;
    for (int k = 0; k < TARGET_FPRS.length; k++) {
      AttackStatistics.Point p = AttackStatistics.atFpr(members, nonMembers, TARGET_FPRS[k]);
      first = first == null ? p : first;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("targetFpr", TARGET_FPRS[k]);
      // Scores are -loss: "member" when the loss is at most this.
      m.put("lossThreshold", Double.isFinite(p.threshold()) ? -p.threshold() : null);
      m.put("tpr", p.tpr());
      m.put("fpr", p.fpr());
      m.put("truePositives", p.truePositives());
      m.put("falsePositives", p.falsePositives());
      ClopperPearson.Interval tpr = ClopperPearson.interval(p.truePositives(), p.members(),
          CONFIDENCE);
      ClopperPearson.Interval fpr = ClopperPearson.interval(p.falsePositives(), p.nonMembers(),
          CONFIDENCE);
      m.put("tprCi", interval(tpr.lower(), tpr.upper()));
      m.put("fprCi", interval(fpr.lower(), fpr.upper()));
      m.put("tprBootstrapCi", interval(boot.tprAtFpr()[k].lower(), boot.tprAtFpr()[k].upper()));
      points.add(m);
    }
    out.put("operatingPoints", points);
    RecordedPrivacy recorded = settings.recorded();
    double delta = recorded != null ? recorded.delta() : DEFAULT_DELTA;
    ClopperPearson.Interval tpr = ClopperPearson.interval(first.truePositives(), first.members(),
        CONFIDENCE);
    ClopperPearson.Interval fpr = ClopperPearson.interval(first.falsePositives(),
        first.nonMembers(), CONFIDENCE);
    double bound = epsilonLowerBound(tpr.lower(), fpr.upper(), delta);
    Map<String, Object> lb = new LinkedHashMap<>();
    lb.put("epsilon", bound);
    lb.put("atTargetFpr", TARGET_FPRS[0]);
    lb.put("tprLower", tpr.lower());
    lb.put("fprUpper", fpr.upper());
    lb.put("delta", delta);
    lb.put("deltaFrom", recorded != null ? "privacy.json" : "default (no privacy.json)");
    lb.put("formula", "max(0, ln((TPR_lower - delta) / FPR_upper)), Clopper-Pearson 95% ends "
        + "(Jagielski et al. 2020; Nasr et al. 2021)");
    out.put("epsilonLowerBound", lb);
    out.put("accountant", recorded != null ? recorded.all() : null);
    out.put("accountantEpsilon", recorded != null ? recorded.epsilon() : null);
    out.put("contradictsAccountant", recorded != null ? bound > recorded.epsilon() : null);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("resamples", boot.resamples());
    b.put("seed", boot.seed());
    b.put("confidence", boot.confidence());
    out.put("bootstrap", b);
    out.put("roc", AttackStatistics.curve(members, nonMembers, CURVE_STEP));
    return out;
  }

  /**
   * {@code max(0, ln((tprLower - delta) / fprUpper))}: 0 when the TPR's lower end does not
   * exceed delta (the attack then shows nothing at this point).
   */
  public static double epsilonLowerBound(double tprLower, double fprUpper, double delta) {
    double numerator = tprLower - delta;
    if (!(numerator > 0) || !(fprUpper > 0)) {
      return 0;
    }
    return Math.max(0, Math.log(numerator / fprUpper));
  }

  /** A few lines for the terminal. */
  @SuppressWarnings("unchecked")
  public static String summary(Map<String, Object> report) {
    StringBuilder sb = new StringBuilder();
    Map<String, Object> members = (Map<String, Object>) report.get("members");
    Map<String, Object> nonMembers = (Map<String, Object>) report.get("nonMembers");
    sb.append("membership-inference audit: ").append(ATTACK).append('\n');
    sb.append(String.format(Locale.ROOT, "  %s members (mean loss %.4f), %s non-members (mean "
        + "loss %.4f)%n", members.get("rows"), members.get("meanLoss"), nonMembers.get("rows"),
        nonMembers.get("meanLoss")));
    List<Double> aucCi = (List<Double>) report.get("aucCi");
    sb.append(String.format(Locale.ROOT, "  AUC %.4f (95%% bootstrap CI %.4f-%.4f; 0.5 = "
        + "members and non-members indistinguishable)%n", report.get("auc"), aucCi.get(0),
        aucCi.get(1)));
    for (Map<String, Object> p : (List<Map<String, Object>>) report.get("operatingPoints")) {
      List<Double> tprCi = (List<Double>) p.get("tprCi");
      sb.append(String.format(Locale.ROOT, "  TPR at FPR %s: %.4f (%s of %s members; FPR "
          + "reached %.4f; Clopper-Pearson TPR %.4f-%.4f)%n",
          percent((Double) p.get("targetFpr")), p.get("tpr"), p.get("truePositives"),
          members.get("rows"), p.get("fpr"), tprCi.get(0), tprCi.get(1)));
    }
    Map<String, Object> lb = (Map<String, Object>) report.get("epsilonLowerBound");
    sb.append(String.format(Locale.ROOT, "  empirical epsilon lower bound %.4f (at FPR 1%%, "
        + "delta %s from %s, 95%% Clopper-Pearson)%n", lb.get("epsilon"), lb.get("delta"),
        lb.get("deltaFrom")));
    Object accountant = report.get("accountantEpsilon");
    sb.append(accountant == null
        ? "  accountant epsilon: none (the model has no privacy.json: trained without DP)\n"
        : String.format(Locale.ROOT, "  accountant epsilon %.4f: %s%n", (Double) accountant,
            Boolean.TRUE.equals(report.get("contradictsAccountant"))
                ? "CONTRADICTED (the lower bound exceeds it)"
                : "consistent (the lower bound does not exceed it)"));
    sb.append("  not run: ").append(NOT_DONE).append('\n');
    return sb.toString();
  }

  private static String percent(double fraction) {
    return new BigDecimal(fraction * 100).round(new MathContext(3))
        .stripTrailingZeros().toPlainString() + "%";
  }

  private static Map<String, Object> lossSummary(double[] losses) {
    double[] sorted = losses.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double l : losses) {
      sum += l;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", losses.length);
    out.put("meanLoss", sum / losses.length);
    out.put("medianLoss", sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]));
    return out;
  }

  private static List<Double> interval(double lower, double upper) {
    return List.of(lower, upper);
  }

  private static double[] negated(double[] losses) {
    double[] out = new double[losses.length];
    for (int i = 0; i < losses.length; i++) {
      out[i] = -losses[i];
    }
    return out;
  }
}
