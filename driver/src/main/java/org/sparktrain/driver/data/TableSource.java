package org.sparktrain.driver.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DataPreparation.TrainingSide;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.LabelRule;

/**
 * A table Spark SQL reads (files of any format it reads, a catalog table, a query), encoded by
 * a {@link TableEncoding} fitted on the rows the run trains on.
 */
final class TableSource implements RecordSource {
  private static final Logger LOG = LoggerFactory.getLogger(TableSource.class);

  @Override
  public RecordInput open(JavaSparkContext sc, JobSpec spec, TrainingSide side) {
    JobSpec.Data data = spec.data();
    JobSpec.Table t = data.table();
    TableReader.Input table = TableReader.read(sc, t, data.uri(), t.labelColumn(),
        t.featureColumns());
    TableEncoding encoding = fit(spec, table, side);
    // A text label is checked against the fitted classes; only number labels need the rule
    // (and then the fit made sure that numClasses is given).
    LabelRule rule = encoding.labelClasses() != null ? LabelRule.regression()
        : DataPreparation.labelRule(spec);
    int numClasses = encoding.labelClasses() != null ? encoding.labelClasses().size()
        : data.numClasses();
    return new Input(data, table, encoding, rule, new Features.Table(encoding, numClasses));
  }

  /** Fits the table's encoding on the rows this run trains on (see {@link TrainingSide}). */
  private static TableEncoding fit(JobSpec spec, TableReader.Input table, TrainingSide side) {
    // A table is one input: its rows are records of file 0.
    JavaRDD<RawRow> training = table.rows().filter(r -> side.contains(0, r.line()));
    TableEncodingFit.Target target = new TableEncodingFit.Target(
        spec.model().kind().classification(), spec.data().numClasses());
    TableEncoding encoding = TableEncodingFit.fit(training, table.columns(), spec.data().table(),
        spec.preprocess().missing(), target, table.where());
    if (encoding == null) {
      throw new BadRecordException("the training split of " + table.where() + " is empty "
          + "(check data.split.train)");
    }
    LOG.info("table encoding: {} columns -> {} features{}", encoding.columns().size(),
        encoding.width(), encoding.labelClasses() == null ? ""
            : ", classes " + encoding.labelClasses());
    return encoding;
  }

  /** The main table encoded; a test table is read with the same columns and encoding. */
  private static final class Input implements RecordInput {
    private final JobSpec.Data data;
    private final TableEncoding encoding;
    private final LabelRule rule;
    private final Features features;
    private final DatasetReader.Source main;
    /** Tables whose cached rows are still held. */
    private final List<TableReader.Input> held = new ArrayList<>();

    Input(JobSpec.Data data, TableReader.Input table, TableEncoding encoding, LabelRule rule,
        Features features) {
      this.data = data;
      this.encoding = encoding;
      this.rule = rule;
      this.features = features;
      this.main = table.encode(encoding, rule);
      held.add(table);
    }

    @Override
    public DatasetReader.Source main() {
      return main;
    }

    @Override
    public DatasetReader.Source readTest(JavaSparkContext sc) {
      TableReader.Input test = TableReader.read(sc, data.table(), data.testUri(),
          data.table().labelColumn(), encoding.featureColumns());
      held.add(test);
      return test.encode(encoding, rule);
    }

    @Override
    public String where() {
      return data.table().describe(data.uri());
    }

    @Override
    public Features features() {
      return features;
    }

    @Override
    public void release() {
      held.forEach(TableReader.Input::release);
      held.clear();
    }
  }
}
