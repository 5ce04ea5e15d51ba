package org.sparktrain.driver.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.privacy.AuditReport;
import org.sparktrain.driver.privacy.MembershipAudit;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain audit}: a membership-inference audit of a saved classifier on its training
 * examples and held-out ones (see {@link MembershipAudit}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Membership-inference "
    + "audit of a saved classifier: the loss-threshold attack (Yeom et al. 2018) on its "
    + "training examples (--members) and held-out examples (--non-members). Reports ROC AUC, "
    + "TPR at FPR 1% and 0.1% with 95% intervals, and the empirical epsilon lower bound beside "
    + "the accountant's epsilon (privacy.json, if the model has one). Written as audit.json "
    + "and audit.html. LiRA and other shadow-model attacks are not run.")
final class AuditCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "a run's model folder")
  String model;

  @Option(names = "--members", required = true, paramLabel = "DATA", description = "labelled "
      + "examples the model was trained on")
  String members;

  @Option(names = "--non-members", required = true, paramLabel = "DATA", description =
      "labelled examples it was not trained on, from the same distribution")
  String nonMembers;

  @Option(names = "--format", defaultValue = "csv", description = "csv, idx or libsvm "
      + "(default csv)")
  String format;

  @Option(names = "--member-labels", paramLabel = "URI", description = "IDX label file of "
      + "--members (--format idx)")
  String memberLabels;

  @Option(names = "--non-member-labels", paramLabel = "URI", description = "IDX label file of "
      + "--non-members (--format idx)")
  String nonMemberLabels;

  @Option(names = "--label-column", defaultValue = "-1", description = "CSV column of the "
      + "label (default -1: the last)")
  int labelColumn;

  @Option(names = "--header", description = "skip the first line of each CSV file")
  boolean header;

  @Option(names = "--output", defaultValue = "audit", paramLabel = "DIR", description = "folder "
      + "for audit.json and audit.html (default: audit)")
  String output;

  @Option(names = "--seed", defaultValue = "1", description = "the bootstrap's seed "
      + "(default 1)")
  long seed;

  @Option(names = "--resamples", defaultValue = "1000", description = "bootstrap resamples "
      + "(default 1000)")
  int resamples;

  @Option(names = "--max-rows", defaultValue = "20000", paramLabel = "R", description = "use "
      + "the first R rows of each data set (default 20000)")
  int maxRows;

  @Option(names = "--partitions", defaultValue = "2")
  int partitions;

  @CommandLine.Mixin
  SparktrainMain.SparkOptionsMixin spark;

  @Override
  public Integer call() throws IOException {
    spark.applyLogging();
    OutputGuard.refuseInside("audit", "--output", JobSpecParser.resolve(output, null), List.of(
        new OutputGuard.Kept("the model", JobSpecParser.resolve(model, null)),
        new OutputGuard.Kept("an input", JobSpecParser.resolve(members, null)),
        new OutputGuard.Kept("an input", JobSpecParser.resolve(nonMembers, null))),
        new Configuration());
    JobSpec.Format f = SparktrainMain.parseFormat(format);
    MembershipAudit.Options options = new MembershipAudit.Options(
        data(members, memberLabels, f), data(nonMembers, nonMemberLabels, f), maxRows,
        resamples, seed);
    try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain audit")) {
      Map<String, Object> out = MembershipAudit.run(sc, JobSpecParser.resolve(model, null),
          options, JobSpecParser.resolve(output, null));
      System.out.print(AuditReport.summary(out));
      System.out.println("audit.html: " + output);
    }
    return 0;
  }

  private EvaluateJob.DataOptions data(String uri, String labels, JobSpec.Format f) {
    return new EvaluateJob.DataOptions(uri, f,
        labels == null ? null : JobSpecParser.resolve(labels, null), labelColumn, header,
        partitions);
  }
}
