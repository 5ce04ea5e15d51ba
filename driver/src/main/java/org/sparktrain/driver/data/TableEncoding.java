package org.sparktrain.driver.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.output.Json;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * How a table's columns become a row of features and a label: numbers as they are, text
 * categories one-hot (with an "other" slot), arrays and vectors spread out, missing values
 * replaced or the row dropped, text labels indexed. Fitted on the training split by
 * {@link TableEncodingFit}, saved with the model (preprocessing.json) and in checkpoints, so
 * predict, evaluate and a resumed run encode exactly as training did.
 */
public final class TableEncoding implements Serializable {
  /** The name of the slot that takes categories beyond the cap and categories never seen. */
  public static final String OTHER = "other";
  /** The bounded reader every file of a run goes through. */
  private static final ObjectMapper MAPPER = Json.MAPPER;

  /** How one column's value becomes features. */
  public enum Kind {
    /** a number column: one feature */
    NUMBER,
    /** a text column whose values are numbers: one feature, parsed */
    NUMBER_TEXT,
    /** a text column of categories: one feature per kept category plus "other" */
    CATEGORY,
    /** an array or vector column of a fixed length: one feature per element */
    VECTOR;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One feature column.
   *
   * @param width features it yields
   * @param fill what replaces a missing number (NUMBER, NUMBER_TEXT); null = drop the row
   * @param categories the kept categories in slot order (CATEGORY); slot {@code size()} is other
   * @param fillCategory what replaces a missing category; null = drop the row
   */
  public record Column(String name, Kind kind, int width, Double fill, List<String> categories,
      String fillCategory) implements Serializable {}

  private final String labelColumn;
  private final List<String> labelClasses;
  private final List<Column> columns;
  private transient Map<String, Integer> labelIndex;
  private transient List<Map<String, Integer>> categoryIndex;

  /**
   * @param labelClasses a text label's classes, class k at index k (frequency order); null when
   *     the label column holds numbers (used as they are)
   */
  public TableEncoding(String labelColumn, List<String> labelClasses, List<Column> columns) {
    this.labelColumn = labelColumn;
    this.labelClasses = labelClasses == null ? null : List.copyOf(labelClasses);
    this.columns = List.copyOf(columns);
  }

  public String labelColumn() {
    return labelColumn;
  }

  /** A text label's class names by index, or null when labels are numbers. */
  public List<String> labelClasses() {
    return labelClasses;
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> featureColumns() {
    return columns.stream().map(Column::name).toList();
  }

  /** Features a row yields. */
  public int width() {
    int w = 0;
    for (Column c : columns) {
      w += c.width();
    }
    return w;
  }

  /**
   * Encodes one row.
   *
   * @param labelled whether the row's last value is the label (else the label is NaN)
   * @param rule what a number label must be (ignored for text labels)
   */
  public ParsedRecord encode(RawRow row, boolean labelled, LabelRule rule) {
    Object[] values = row.values();
    long line = row.line();
    float[] features = new float[width()];
    int at = 0;
    for (int c = 0; c < columns.size(); c++) {
      Column col = columns.get(c);
      Object v = values[c];
      switch (col.kind()) {
        case NUMBER, NUMBER_TEXT -> {
          double d;
          if (TableValues.isMissing(v)) {
            if (col.fill() == null) {
              return missing(line, col.name(), v);
            }
            d = col.fill();
          } else if (v instanceof String s) {
            Double parsed = TableValues.parse(s);
            if (parsed == null) {
              return ParsedRecord.bad(0, line, DropReason.UNPARSABLE_NUMBER, "column '"
                  + col.name() + "' is not a number: '" + TableValues.abbreviate(s) + "'");
            }
            d = parsed;
          } else {
            d = (Double) v;
          }
          if (!Double.isFinite(d)) {
            return ParsedRecord.bad(0, line, DropReason.NON_FINITE, "column '" + col.name()
                + "' is " + d + " (only finite numbers are allowed)");
          }
          features[at] = (float) d;
        }
        case CATEGORY -> {
          String s = TableValues.isMissing(v) ? col.fillCategory() : (String) v;
          if (s == null) {
            return missing(line, col.name(), v);
          }
          features[at + slot(c, s)] = 1f;
        }
        case VECTOR -> {
          if (v == null) {
            return missing(line, col.name(), null);
          }
          double[] a = (double[]) v;
          if (a.length != col.width()) {
            return ParsedRecord.bad(0, line, DropReason.WRONG_COLUMN_COUNT, "column '"
                + col.name() + "' has " + a.length + " values, expected " + col.width());
          }
          for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
              return ParsedRecord.bad(0, line, DropReason.NON_FINITE, "column '" + col.name()
                  + "' element " + i + " is " + a[i] + " (only finite numbers are allowed)");
            }
            features[at + i] = (float) a[i];
          }
        }
        default -> throw new IllegalStateException(col.kind().name());
      }
      at += col.width();
    }
    if (!labelled) {
      return ParsedRecord.ok(0, line, features, Double.NaN);
    }
    Object label = values[columns.size()];
    if (TableValues.isMissing(label)) {
      return ParsedRecord.bad(0, line, DropReason.MISSING_VALUE, "the label '" + labelColumn
          + "' is missing (" + TableValues.describe(label) + ")");
    }
    double y;
    if (labelClasses != null) {
      Integer k = labelIndex().get(label.toString());
      if (k == null) {
        return ParsedRecord.bad(0, line, DropReason.UNKNOWN_LABEL, "label '"
            + TableValues.abbreviate(label.toString()) + "' is not a class of the training "
            + "split " + TableValues.abbreviate(labelClasses.toString()));
      }
      y = k;
    } else {
      y = label instanceof String s ? nullToNaN(TableValues.parse(s)) : (Double) label;
      if (Double.isNaN(y)) {
        return ParsedRecord.bad(0, line, DropReason.UNPARSABLE_NUMBER, "the label '"
            + labelColumn + "' is not a number: '" + TableValues.abbreviate(label.toString())
            + "'");
      }
      String problem = rule.violation(y);
      if (problem != null) {
        return ParsedRecord.bad(0, line, DropReason.LABEL_OUT_OF_RANGE, problem);
      }
    }
    return ParsedRecord.ok(0, line, features, y);
  }

  private static double nullToNaN(Double d) {
    return d == null ? Double.NaN : d;
  }

  private static ParsedRecord missing(long line, String column, Object v) {
    return ParsedRecord.bad(0, line, DropReason.MISSING_VALUE, "column '" + column
        + "' is missing (" + TableValues.describe(v) + "); preprocess.missing is drop");
  }

  private int slot(int column, String category) {
    Integer slot = categoryIndex().get(column).get(category);
    return slot == null ? columns.get(column).categories().size() : slot;
  }

  private Map<String, Integer> labelIndex() {
    if (labelIndex == null) {
      Map<String, Integer> m = new HashMap<>();
      for (int i = 0; i < labelClasses.size(); i++) {
        m.put(labelClasses.get(i), i);
      }
      labelIndex = m;
    }
    return labelIndex;
  }

  private List<Map<String, Integer>> categoryIndex() {
    if (categoryIndex == null) {
      List<Map<String, Integer>> all = new ArrayList<>();
      for (Column c : columns) {
        Map<String, Integer> m = new HashMap<>();
        if (c.categories() != null) {
          for (int i = 0; i < c.categories().size(); i++) {
            m.put(c.categories().get(i), i);
          }
        }
        all.add(m);
      }
      categoryIndex = all;
    }
    return categoryIndex;
  }

  /** The feature names in order (column, column=category, column[i]), for reports. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    for (Column c : columns) {
      switch (c.kind()) {
        case NUMBER, NUMBER_TEXT -> names.add(c.name());
        case CATEGORY -> {
          c.categories().forEach(k -> names.add(c.name() + "=" + k));
          names.add(c.name() + "=" + OTHER);
        }
        case VECTOR -> {
          for (int i = 0; i < c.width(); i++) {
            names.add(c.name() + "[" + i + "]");
          }
        }
        default -> throw new IllegalStateException(c.kind().name());
      }
    }
    return names;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("labelColumn", labelColumn);
    m.put("labelClasses", labelClasses);
    List<Map<String, Object>> cols = new ArrayList<>();
    for (Column c : columns) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("kind", c.kind().key());
      cm.put("width", c.width());
      if (c.kind() == Kind.CATEGORY) {
        cm.put("categories", c.categories());
        cm.put("fillCategory", c.fillCategory());
      } else if (c.kind() != Kind.VECTOR) {
        cm.put("fill", c.fill());
      }
      cols.add(cm);
    }
    m.put("columns", cols);
    return m;
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  public static TableEncoding fromJson(String json) {
    try {
      return fromTree(MAPPER.readTree(json));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a table encoding: " + e.getMessage(), e);
    }
  }

  public static TableEncoding fromTree(JsonNode j) {
    List<String> classes = j.get("labelClasses").isNull() ? null : strings(j.get("labelClasses"));
    List<Column> cols = new ArrayList<>();
    for (JsonNode c : j.get("columns")) {
      Kind kind = Kind.valueOf(c.get("kind").asText().toUpperCase(Locale.ROOT));
      int width = c.get("width").asInt();
      Double fill = c.hasNonNull("fill") ? c.get("fill").asDouble() : null;
      List<String> categories = kind == Kind.CATEGORY ? strings(c.get("categories")) : null;
      String fillCategory = c.hasNonNull("fillCategory") ? c.get("fillCategory").asText() : null;
      int expected = kind == Kind.CATEGORY ? categories.size() + 1 : width;
      if (width < 1 || width != expected || (kind != Kind.VECTOR && kind != Kind.CATEGORY
          && width != 1)) {
        throw new IllegalArgumentException("column " + c.get("name") + ": width " + width
            + " does not fit its kind " + kind.key());
      }
      cols.add(new Column(c.get("name").asText(), kind, width, fill, categories, fillCategory));
    }
    return new TableEncoding(j.get("labelColumn").asText(), classes, cols);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableEncoding t && t.toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }
}
