package org.sparktrain.driver.privacy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How well a score tells members from non-members, when a higher score means "more likely a
 * member" and the attack says "member" for a score at or above a threshold.
 *
 * <p>{@link #auc} is the Mann–Whitney statistic: the probability that a random member scores
 * above a random non-member, ties counted half. {@link #atFpr} picks the threshold on the
 * non-members' scores alone (the attacker's side of the bargain: it knows how non-members
 * score, not which examples were trained on) and reads the members' true-positive rate there.
 */
public final class AttackStatistics {
  /** One operating point: a threshold and the rates it gives. */
  public record Point(double threshold, long truePositives, long members, long falsePositives,
      long nonMembers) {
    public double tpr() {
      return (double) truePositives / members;
    }

    public double fpr() {
      return (double) falsePositives / nonMembers;
    }
  }

  private AttackStatistics() {}

  /** The area under the ROC curve, by ranks: O((n + m) log(n + m)). */
  public static double auc(double[] members, double[] nonMembers) {
    requireScores(members, "members");
    requireScores(nonMembers, "non-members");
    double[] m = members.clone();
    double[] u = nonMembers.clone();
    Arrays.sort(m);
    Arrays.sort(u);
    // For each member: non-members strictly below count 1, equal ones 1/2. Both lists sorted,
    // so two pointers walk them once.
    double wins = 0;
    int below = 0;
    int belowOrEqual = 0;
    for (double s : m) {
      while (below < u.length && u[below] < s) {
        below++;
      }
      if (belowOrEqual < below) {
        belowOrEqual = below;
      }
      while (belowOrEqual < u.length && u[belowOrEqual] <= s) {
        belowOrEqual++;
      }
      wins += below + 0.5 * (belowOrEqual - below);
    }
    return wins / ((double) m.length * u.length);
  }

  /**
   * The operating point with the largest false-positive rate not above {@code targetFpr}: the
   * threshold sits just above the {@code (k + 1)}-th highest non-member score, with
   * {@code k = floor(targetFpr * nonMembers)}, so at most {@code k} non-members reach it (fewer
   * where scores tie there). With fewer than {@code 1 / targetFpr} non-members that is none: the
   * rate is then 0 by construction, and the Clopper–Pearson interval shows how little that says.
   */
  public static Point atFpr(double[] members, double[] nonMembers, double targetFpr) {
    requireScores(members, "members");
    requireScores(nonMembers, "non-members");
    if (!(targetFpr >= 0 && targetFpr <= 1)) {
      throw new IllegalArgumentException("target false-positive rate must be in [0, 1], got "
          + targetFpr);
    }
    double[] u = nonMembers.clone();
    Arrays.sort(u);
    int allowed = (int) Math.floor(targetFpr * u.length + 1e-9);
    double threshold = allowed >= u.length ? Double.NEGATIVE_INFINITY
        : Math.nextUp(u[u.length - 1 - allowed]);
    return pointAt(threshold, members, nonMembers);
  }

  /** The rates at one threshold (member if score >= threshold). */
  public static Point pointAt(double threshold, double[] members, double[] nonMembers) {
    return new Point(threshold, countAtLeast(members, threshold), members.length,
        countAtLeast(nonMembers, threshold), nonMembers.length);
  }

  /**
   * The ROC curve's corners as {fpr, tpr} pairs, from (0, 0) to (1, 1), one per distinct score
   * (thresholds from high to low), thinned for drawing: a corner is kept where the true-positive
   * rate moved by {@code step} or the false-positive rate grew by the factor {@code 1 + step}
   * since the last one kept (so a log-scale FPR axis keeps its detail near 0), and the last
   * corner always. At most about {@code (1 + ln(n)) / step} corners remain of n non-members.
   */
  public static List<double[]> curve(double[] members, double[] nonMembers, double step) {
    int n = members.length + nonMembers.length;
    double[][] all = new double[n][];
    for (int i = 0; i < members.length; i++) {
      all[i] = new double[] {members[i], 1};
    }
    for (int i = 0; i < nonMembers.length; i++) {
      all[members.length + i] = new double[] {nonMembers[i], 0};
    }
    Arrays.sort(all, (x, y) -> Double.compare(y[0], x[0]));
    List<double[]> corners = new ArrayList<>();
    double[] last = {0, 0};
    corners.add(last);
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < n; i++) {
      if (all[i][1] == 1) {
        tp++;
      } else {
        fp++;
      }
      if (i < n - 1 && all[i + 1][0] == all[i][0]) {
        continue;
      }
      double[] corner = {(double) fp / nonMembers.length, (double) tp / members.length};
      if (i == n - 1 || corner[1] - last[1] >= step || corner[0] > last[0] * (1 + step)) {
        corners.add(corner);
        last = corner;
      }
    }
    return corners;
  }

  private static long countAtLeast(double[] scores, double threshold) {
    long count = 0;
    for (double s : scores) {
      if (s >= threshold) {
        count++;
      }
    }
    return count;
  }

  private static void requireScores(double[] scores, String who) {
    if (scores.length == 0) {
      throw new IllegalArgumentException("need at least one score of " + who);
    }
    for (double s : scores) {
      if (Double.isNaN(s)) {
        throw new IllegalArgumentException("a score of " + who + " is NaN");
      }
    }
  }
}
