package org.sparktrain.driver.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpec.MissingPolicy;
import scala.Tuple2;

/**
 * Fits a {@link TableEncoding} on the training rows: which text columns are categories and which
 * categories are kept, what replaces missing values, and a text label's classes. Everything is
 * exact and independent of how Spark schedules the tasks (sums are added in partition order), so
 * the same data and seed give the same encoding, bit for bit.
 */
public final class TableEncodingFit {
  private TableEncodingFit() {}

  /** What the data must satisfy besides its columns: the spec's task and class count. */
  public record Target(boolean classification, int numClasses) implements Serializable {}

  public static TableEncoding fit(JavaRDD<RawRow> training, TableColumns columns,
      JobSpec.Table table, JobSpec.MissingValues missing, Target target, String where) {
    int n = columns.features().size();
    List<Stats> parts = training.mapPartitions(it -> {
      Stats s = new Stats(columns);
      it.forEachRemaining(s::add);
      return List.of(s).iterator();
    }).collect();
    Stats stats = new Stats(columns);
    parts.forEach(stats::merge);
    if (stats.rows == 0) {
      return null;
    }
    List<TableEncoding.Column> encoded = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      String name = columns.features().get(c);
      ColumnStats cs = stats.columns[c];
      TableColumns.Type type = columns.featureTypes().get(c);
      if (type == TableColumns.Type.VECTOR) {
        if (cs.width < 0) {
          throw noValues(name, where);
        }
        encoded.add(new TableEncoding.Column(name, TableEncoding.Kind.VECTOR, cs.width, null,
            null, null));
        continue;
      }
      boolean category = type == TableColumns.Type.TEXT && (table.categorical() != null
          ? table.categorical().contains(name) : !cs.allNumbers);
      if (table.categorical() != null && table.categorical().contains(name)
          && type != TableColumns.Type.TEXT) {
        throw new BadRecordException("data.categorical: column '" + name + "' of " + where
            + " holds numbers; only text columns are one-hot encoded");
      }
      if (cs.present == 0 || (!category && cs.numbers == 0)) {
        throw noValues(name, where);
      }
      if (category) {
        List<String> ranked = ranked(cs.counts);
        List<String> kept = List.copyOf(ranked.subList(0, Math.min(table.maxCategories(),
            ranked.size())));
        String fill = missing.categorical() == MissingPolicy.DROP ? null : ranked.get(0);
        encoded.add(new TableEncoding.Column(name, TableEncoding.Kind.CATEGORY, kept.size() + 1,
            null, kept, fill));
      } else {
        TableEncoding.Kind kind = type == TableColumns.Type.TEXT
            ? TableEncoding.Kind.NUMBER_TEXT : TableEncoding.Kind.NUMBER;
        Double fill = switch (missing.numeric()) {
          case DROP -> null;
          case MEAN -> cs.sum / cs.numbers;
          case MEDIAN -> median(training, c, cs.numbers);
          case MOST_FREQUENT -> mostFrequent(training, c);
        };
        encoded.add(new TableEncoding.Column(name, kind, 1, fill, null, null));
      }
    }
    List<String> classes = null;
    String label = columns.label();
    if (target.classification() && columns.labelType() == TableColumns.Type.TEXT) {
      classes = ranked(stats.labels);
      if (classes.size() < 2) {
        throw new BadRecordException("data.labelColumn '" + label + "' of " + where + " has "
            + classes.size() + " class(es) in the training split " + classes + "; a "
            + "classifier needs at least 2");
      }
      if (target.numClasses() > 0 && target.numClasses() != classes.size()) {
        throw new BadRecordException("data.numClasses is " + target.numClasses() + ", but the "
            + "training split of " + where + " has " + classes.size() + " classes in column '"
            + label + "': " + TableValues.abbreviate(String.join(", ", classes))
            + " (remove data.numClasses to take them from the data)");
      }
    } else if (target.classification() && target.numClasses() == 0) {
      throw new BadRecordException("data.numClasses is required: the label column '" + label
          + "' of " + where + " holds numbers, which must be classes 0..numClasses-1 (a text "
          + "label column's classes are counted from the data)");
    }
    return new TableEncoding(label, classes, encoded);
  }

  private static BadRecordException noValues(String name, String where) {
    return new BadRecordException("column '" + name + "' of " + where + " has no usable value "
        + "in the training split (all missing or not finite); leave it out of "
        + "data.featureColumns");
  }

  /** Most frequent first; ties in name order (Spark's StringIndexer, frequencyDesc). */
  private static List<String> ranked(Map<String, Long> counts) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    return entries.stream().map(Map.Entry::getKey).toList();
  }

  /** The exact median (the mean of the two middle values for an even count). */
  private static double median(JavaRDD<RawRow> training, int column, long count) {
    JavaRDD<Double> sorted = present(training, column).sortBy(d -> d, true,
        Math.max(1, training.getNumPartitions()));
    long lower = (count - 1) / 2;
    long upper = count / 2;
    List<Tuple2<Double, Long>> middle = sorted.zipWithIndex()
        .filter(t -> t._2() == lower || t._2() == upper).collect();
    double a = middle.get(0)._1();
    double b = middle.get(middle.size() - 1)._1();
    return a + (b - a) / 2;
  }

  /** The most frequent value; ties go to the smallest (as scikit-learn's SimpleImputer). */
  private static double mostFrequent(JavaRDD<RawRow> training, int column) {
    Map<Double, Long> counts = present(training, column).countByValue();
    double best = Double.NaN;
    long bestCount = -1;
    for (Map.Entry<Double, Long> e : counts.entrySet()) {
      if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  /** A number column's present values (text parsed; values that are not numbers skipped). */
  private static JavaRDD<Double> present(JavaRDD<RawRow> training, int column) {
    return training.flatMap(r -> {
      Object v = r.values()[column];
      if (TableValues.isMissing(v)) {
        return Collections.emptyIterator();
      }
      Double d = v instanceof String s ? TableValues.parse(s) : (Double) v;
      return d == null || !Double.isFinite(d) ? Collections.emptyIterator()
          : List.of(d).iterator();
    });
  }

  /** What one column's training values show. */
  static final class ColumnStats implements Serializable {
    long present;
    /** present values that are finite numbers (text columns: that parse as one), and their sum */
    long numbers;
    double sum;
    /** text columns: how often each value occurs */
    final HashMap<String, Long> counts = new HashMap<>();
    /** text columns: whether every present value parses as a number */
    boolean allNumbers = true;
    /** vector columns: the length of the first present value, and that row's line */
    int width = -1;
    long widthLine = Long.MAX_VALUE;
  }

  /** Per-partition statistics of the training rows; merged on the driver in partition order. */
  public static final class Stats implements Serializable {
    final ColumnStats[] columns;
    final HashMap<String, Long> labels = new HashMap<>();
    private final TableColumns types;
    long rows;

    Stats(TableColumns types) {
      this.types = types;
      this.columns = new ColumnStats[types.features().size()];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = new ColumnStats();
      }
    }

    void add(RawRow row) {
      rows++;
      Object[] v = row.values();
      for (int c = 0; c < columns.length; c++) {
        ColumnStats cs = columns[c];
        Object value = v[c];
        if (TableValues.isMissing(value)) {
          continue;
        }
        switch (types.featureTypes().get(c)) {
          case NUMBER -> {
            double d = (Double) value;
            cs.present++;
            if (Double.isFinite(d)) {
              cs.numbers++;
              cs.sum += d;
            }
          }
          case TEXT -> {
            String s = (String) value;
            cs.present++;
            cs.counts.merge(s, 1L, Long::sum);
            Double d = TableValues.parse(s);
            if (d == null) {
              cs.allNumbers = false;
            } else if (Double.isFinite(d)) {
              cs.numbers++;
              cs.sum += d;
            }
          }
          case VECTOR -> {
            if (row.line() < cs.widthLine) {
              cs.width = ((double[]) value).length;
              cs.widthLine = row.line();
            }
            cs.present++;
          }
          default -> throw new IllegalStateException();
        }
      }
      if (types.label() != null && types.labelType() == TableColumns.Type.TEXT) {
        Object label = v[columns.length];
        if (!TableValues.isMissing(label)) {
          labels.merge((String) label, 1L, Long::sum);
        }
      }
    }

    void merge(Stats o) {
      rows += o.rows;
      for (int c = 0; c < columns.length; c++) {
        ColumnStats a = columns[c];
        ColumnStats b = o.columns[c];
        a.present += b.present;
        a.numbers += b.numbers;
        a.sum += b.sum;
        b.counts.forEach((k, n) -> a.counts.merge(k, n, Long::sum));
        a.allNumbers &= b.allNumbers;
        if (b.widthLine < a.widthLine) {
          a.width = b.width;
          a.widthLine = b.widthLine;
        }
      }
      o.labels.forEach((k, n) -> labels.merge(k, n, Long::sum));
    }
  }
}
