package org.sparktrain.driver.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The columns a table run reads, resolved against the table's schema on the driver (before any
 * row is read): their names as the table spells them and what kind of values they hold.
 */
public record TableColumns(List<String> features, List<Type> featureTypes, String label,
    Type labelType) implements Serializable {

  /** What a column holds, as far as the schema tells. */
  public enum Type {
    /** numbers and booleans (true = 1) */
    NUMBER,
    /** text: categories, or numbers written as text (a CSV read without inferSchema) */
    TEXT,
    /** an array of numbers or a Spark ML vector: several features */
    VECTOR
  }

  /**
   * @param featureNames the spec's featureColumns; empty = every column but the label
   * @param label the label column, or null to read features only (predict)
   * @param where what the data is, for messages
   */
  public static TableColumns resolve(StructType schema, List<String> featureNames, String label,
      String where) {
    String labelName = label == null ? null : find(schema, label, "data.labelColumn", where);
    List<String> features = new ArrayList<>();
    if (featureNames.isEmpty()) {
      for (StructField f : schema.fields()) {
        if (!f.name().equals(labelName)) {
          features.add(f.name());
        }
      }
    } else {
      for (String name : featureNames) {
        features.add(find(schema, name, "data.featureColumns", where));
      }
    }
    if (features.isEmpty()) {
      throw new BadRecordException(where + " has no column besides the label '" + labelName
          + "'; there is nothing to learn from");
    }
    List<Type> types = new ArrayList<>();
    for (String name : features) {
      types.add(typeOf(schema.apply(name), "feature", where));
    }
    Type labelType = labelName == null ? null : typeOf(schema.apply(labelName), "label", where);
    if (labelType == Type.VECTOR) {
      throw new BadRecordException(where + ": the label column '" + labelName + "' holds "
          + schema.apply(labelName).dataType().simpleString() + "; a label is a number or a "
          + "text (a class name)");
    }
    return new TableColumns(List.copyOf(features), List.copyOf(types), labelName, labelType);
  }

  /** The names to select, features then label. */
  public String[] selected() {
    List<String> all = new ArrayList<>(features);
    if (label != null) {
      all.add(label);
    }
    return all.toArray(new String[0]);
  }

  /** Converts a row of {@link #selected()} columns to plain values (see {@link RawRow}). */
  public Object[] values(Row row) {
    int n = features.size() + (label == null ? 0 : 1);
    Object[] out = new Object[n];
    for (int i = 0; i < n; i++) {
      Type type = i < features.size() ? featureTypes.get(i) : labelType;
      out[i] = row.isNullAt(i) ? null : value(row.get(i), type);
    }
    return out;
  }

  private static Object value(Object v, Type type) {
    return switch (type) {
      case NUMBER -> v instanceof Boolean b ? (b ? 1.0 : 0.0) : ((Number) v).doubleValue();
      case TEXT -> v.toString();
      case VECTOR -> vector(v);
    };
  }

  private static double[] vector(Object v) {
    if (!(v instanceof List<?>) && !(v instanceof Seq<?>)) {
      return SparkMlVectors.toArray(v);
    }
    List<?> list = v instanceof List<?> l ? l
        : JavaConverters.seqAsJavaList((Seq<?>) v);
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object e = list.get(i);
      out[i] = e == null ? Double.NaN : ((Number) e).doubleValue();
    }
    return out;
  }

  private static Type typeOf(StructField field, String role, String where) {
    DataType t = field.dataType();
    if (t instanceof NumericType || t instanceof BooleanType) {
      return Type.NUMBER;
    }
    if (t instanceof StringType) {
      return Type.TEXT;
    }
    if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
      return Type.VECTOR;
    }
    if (SparkMlVectors.isVectorType(t)) {
      return Type.VECTOR;
    }
    throw new BadRecordException(where + ": the " + role + " column '" + field.name()
        + "' holds " + t.simpleString() + "; allowed are numbers, booleans, text (categories), "
        + "arrays of numbers and Spark ML vectors (convert it in data.query, e.g. "
        + "CAST(" + field.name() + " AS DOUBLE))");
  }

  /** The column's name as the table spells it (Spark SQL matches names case-insensitively). */
  private static String find(StructType schema, String name, String key, String where) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f.name();
      }
    }
    for (StructField f : schema.fields()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.name();
      }
    }
    throw new BadRecordException(key + ": no column '" + name + "' in " + where + " (its "
        + "columns: " + String.join(", ", schema.fieldNames()) + ")");
  }

  /**
   * Spark ML's vector types, touched only when a column holds them: Spark ML (spark-mllib) is on
   * every cluster, but a program that only reads tables need not have it on its classpath.
   */
  private static final class SparkMlVectors {
    private static final Set<String> TYPES = Set.of(
        "org.apache.spark.ml.linalg.VectorUDT", "org.apache.spark.mllib.linalg.VectorUDT");

    static boolean isVectorType(DataType t) {
      return TYPES.contains(t.getClass().getName());
    }

    static double[] toArray(Object v) {
      if (v instanceof Vector ml) {
        return ml.toArray();
      }
      return ((org.apache.spark.mllib.linalg.Vector) v).toArray();
    }
  }
}
