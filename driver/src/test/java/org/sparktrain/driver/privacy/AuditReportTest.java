package org.sparktrain.driver.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.output.AuditPage;

class AuditReportTest {

  @Test
  void epsilonLowerBoundIsTheLogRatioClampedAtZero() {
    assertThat(AuditReport.epsilonLowerBound(0.5, 0.01, 1e-5))
        .isCloseTo(Math.log((0.5 - 1e-5) / 0.01), within(1e-12));
    assertThat(AuditReport.epsilonLowerBound(0.005, 0.01, 1e-5)).isZero();
    assertThat(AuditReport.epsilonLowerBound(0, 0.01, 1e-5)).isZero();
  }

  @Test
  void aPerfectAttackContradictsASmallAccountantEpsilon() {
    double[] members = new double[1000];
    double[] nonMembers = new double[1000];
    Arrays.fill(nonMembers, 1.0);
    // Every member's loss 0, every non-member's 1: at FPR 1% all 1000 members are found and no
    // non-member, so TPR_lower = 0.025^(1/1000), FPR_upper = 1 - 0.025^(1/1000).
    double tprLower = Math.pow(0.025, 1e-3);
    double expected = Math.log((tprLower - 1e-5) / (1 - tprLower));
    Map<String, Object> small = AuditReport.compute(members, nonMembers,
        new AuditReport.Settings(50, 1, recorded(1.0)));
    assertThat((Double) small.get("auc")).isEqualTo(1.0);
    assertThat(lowerBound(small)).isCloseTo(expected, within(1e-9)).isCloseTo(5.6, within(0.05));
    assertThat(small.get("contradictsAccountant")).isEqualTo(true);
    Map<String, Object> large = AuditReport.compute(members, nonMembers,
        new AuditReport.Settings(50, 1, recorded(8.0)));
    assertThat(large.get("contradictsAccountant")).isEqualTo(false);
    assertThat(AuditReport.summary(small)).contains("CONTRADICTED");
  }

  @Test
  void withoutPrivacyJsonTheDefaultDeltaIsUsedAndNothingIsCompared() {
    Random r = new Random(5);
    double[] m = new double[300];
    double[] u = new double[300];
    for (int i = 0; i < m.length; i++) {
      m[i] = Math.abs(r.nextGaussian());
      u[i] = Math.abs(r.nextGaussian());
    }
    Map<String, Object> report = AuditReport.compute(m, u, new AuditReport.Settings(200, 9,
        null));
    assertThat(report.get("accountantEpsilon")).isNull();
    assertThat(report.get("contradictsAccountant")).isNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> lb = (Map<String, Object>) report.get("epsilonLowerBound");
    assertThat(lb.get("delta")).isEqualTo(AuditReport.DEFAULT_DELTA);
    // Same distribution: nothing to find.
    assertThat(lowerBound(report)).isZero();
    @SuppressWarnings("unchecked")
    List<Double> ci = (List<Double>) report.get("aucCi");
    assertThat(ci.get(0)).isLessThan((Double) report.get("auc"));
    assertThat(ci.get(1)).isGreaterThan((Double) report.get("auc"));
    assertThat(AuditReport.summary(report)).contains("AUC").contains("TPR at FPR 1%")
        .contains("TPR at FPR 0.1%").contains("none (the model has no privacy.json")
        .contains("LiRA");
    // The same seed gives the same intervals.
    assertThat(AuditReport.compute(m, u, new AuditReport.Settings(200, 9, null)).get("aucCi"))
        .isEqualTo(ci);
  }

  @Test
  void thePageCarriesTheReportAsData() {
    Map<String, Object> report = AuditReport.compute(new double[] {0, 0.1, 0.2},
        new double[] {1, 2, 3}, new AuditReport.Settings(20, 1, null));
    report.put("from", "</script><b>x</b>");
    String html = AuditPage.render(report);
    assertThat(html).doesNotContain("@@").contains("\"auc\":1.0").contains("roc")
        .doesNotContain("</script><b>");
  }

  @Test
  void crossEntropyKeepsDigitsNearProbabilityOne() {
    assertThat(MembershipAudit.crossEntropy(new float[] {0.7f, 0.2f, 0.1f}, 0))
        .isCloseTo(-Math.log(0.7), within(1e-7));
    assertThat(MembershipAudit.crossEntropy(new float[] {0.1f, 0.2f, 0.7f}, 0))
        .isCloseTo(-Math.log(0.1), within(1e-6));
    // 1 - 1e-9 is 1.0f, but the other class's 1e-9 survives: loss 1e-9, not 0.
    assertThat(MembershipAudit.crossEntropy(new float[] {1.0f, 1e-9f}, 0))
        .isCloseTo(1e-9, within(1e-15));
    assertThat(MembershipAudit.crossEntropy(new float[] {0.8f}, 1))
        .isCloseTo(-Math.log(0.8), within(1e-6));
    assertThat(MembershipAudit.crossEntropy(new float[] {0.8f}, 0))
        .isCloseTo(-Math.log(0.2), within(1e-6));
    assertThat(MembershipAudit.crossEntropy(new float[] {0f, 1f}, 0)).isFinite();
  }

  @SuppressWarnings("unchecked")
  private static double lowerBound(Map<String, Object> report) {
    return (Double) ((Map<String, Object>) report.get("epsilonLowerBound")).get("epsilon");
  }

  private static RecordedPrivacy recorded(double epsilon) {
    return new RecordedPrivacy(epsilon, 1e-5, Map.of("epsilon", epsilon, "delta", 1e-5,
        "accountant", "rdp"));
  }
}
