package org.sparktrain.driver.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttackStatisticsTest {

  @Test
  void perfectlySeparatedScoresHaveAucOneAndReversedZero() {
    double[] high = {5, 6, 7, 8};
    double[] low = {1, 2, 3};
    assertThat(AttackStatistics.auc(high, low)).isEqualTo(1.0);
    assertThat(AttackStatistics.auc(low, high)).isEqualTo(0.0);
  }

  @Test
  void identicalDistributionsGiveAboutOneHalf() {
    Random r = new Random(7);
    double[] a = new double[4000];
    double[] b = new double[4000];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextGaussian();
      b[i] = r.nextGaussian();
    }
    // The AUC's standard error here is about sqrt(1/12 (1/n + 1/m)) = 0.0065.
    assertThat(AttackStatistics.auc(a, b)).isCloseTo(0.5, within(0.02));
    assertThat(AttackStatistics.auc(new double[] {1, 1, 1}, new double[] {1, 1})).isEqualTo(0.5);
  }

  @Test
  void aHandCaseWithATieCountsItHalf() {
    // Pairs won by the member: 0.9 beats all 3; 0.4 beats 0.1, ties 0.4 (1/2), loses to 0.5;
    // 0.7 beats all 3. (3 + 1.5 + 3) / 9.
    double[] members = {0.9, 0.4, 0.7};
    double[] nonMembers = {0.5, 0.4, 0.1};
    assertThat(AttackStatistics.auc(members, nonMembers)).isCloseTo(7.5 / 9, within(1e-15));
  }

  @Test
  void aucMatchesCountingEveryPairOnTiedData() {
    Random r = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      double[] m = new double[1 + r.nextInt(40)];
      double[] u = new double[1 + r.nextInt(40)];
      for (int i = 0; i < m.length; i++) {
        m[i] = r.nextInt(6);
      }
      for (int i = 0; i < u.length; i++) {
        u[i] = r.nextInt(5);
      }
      double wins = 0;
      for (double a : m) {
        for (double b : u) {
          wins += a > b ? 1 : a == b ? 0.5 : 0;
        }
      }
      assertThat(AttackStatistics.auc(m, u)).isCloseTo(wins / (m.length * u.length),
          within(1e-12));
    }
  }

  @Test
  void thresholdIsSetOnTheNonMembers() {
    double[] nonMembers = new double[100];
    for (int i = 0; i < 100; i++) {
      nonMembers[i] = i;
    }
    double[] members = {98.5, 99.5, 50, 10};
    // FPR 1% of 100: one non-member (99) may be called a member; the threshold sits just
    // above 98, so 98.5 and 99.5 are found.
    AttackStatistics.Point at1 = AttackStatistics.atFpr(members, nonMembers, 0.01);
    assertThat(at1.falsePositives()).isEqualTo(1);
    assertThat(at1.fpr()).isEqualTo(0.01);
    assertThat(at1.truePositives()).isEqualTo(2);
    assertThat(at1.tpr()).isEqualTo(0.5);
    // FPR 0.1% of 100 allows none: only scores above 99.
    AttackStatistics.Point at01 = AttackStatistics.atFpr(members, nonMembers, 0.001);
    assertThat(at01.falsePositives()).isZero();
    assertThat(at01.truePositives()).isEqualTo(1);
    // FPR 1 takes everything.
    assertThat(AttackStatistics.atFpr(members, nonMembers, 1).tpr()).isEqualTo(1.0);
  }

  @Test
  void tiedNonMembersAtTheThresholdAreNotLetThrough() {
    double[] nonMembers = new double[100];
    nonMembers[98] = 5;
    nonMembers[99] = 5;
    AttackStatistics.Point p = AttackStatistics.atFpr(new double[] {5, 6}, nonMembers, 0.01);
    // Letting one 5 through lets both: FPR 2% > 1%, so the threshold goes above 5.
    assertThat(p.falsePositives()).isZero();
    assertThat(p.truePositives()).isEqualTo(1);
  }

  @Test
  void curveRunsFromZeroToOneAndIsMonotone() {
    Random r = new Random(11);
    double[] m = new double[3000];
    double[] u = new double[3000];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextGaussian() + 1;
      u[i] = r.nextGaussian();
    }
    List<double[]> curve = AttackStatistics.curve(m, u, 0.005);
    assertThat(curve.get(0)).containsExactly(0, 0);
    assertThat(curve.get(curve.size() - 1)).containsExactly(1, 1);
    assertThat(curve.size()).isBetween(100, 3000);
    for (int i = 1; i < curve.size(); i++) {
      assertThat(curve.get(i)[0]).isGreaterThanOrEqualTo(curve.get(i - 1)[0]);
      assertThat(curve.get(i)[1]).isGreaterThanOrEqualTo(curve.get(i - 1)[1]);
    }
  }

  @Test
  void refusesEmptyAndNaNScores() {
    assertThatThrownBy(() -> AttackStatistics.auc(new double[0], new double[] {1}))
        .hasMessageContaining("at least one score of members");
    assertThatThrownBy(() -> AttackStatistics.auc(new double[] {1}, new double[] {Double.NaN}))
        .hasMessageContaining("non-members is NaN");
  }
}
