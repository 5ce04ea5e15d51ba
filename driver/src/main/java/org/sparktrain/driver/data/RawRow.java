package org.sparktrain.driver.data;

import java.io.Serializable;

/**
 * One row of a table as plain Java values, numbered by its position in the table (1-based), the
 * number that seeds its split as a line number does for files. (A class, not a record: Spark's
 * Kryo cannot build records.)
 */
public final class RawRow implements Serializable {
  private final long line;
  private final Object[] values;

  /**
   * @param values the feature columns in order, then the label when there is one: a Double for
   *     number and boolean columns, a String for text columns, a double[] for arrays and
   *     vectors; null when the table holds null
   */
  public RawRow(long line, Object[] values) {
    this.line = line;
    this.values = values;
  }

  public long line() {
    return line;
  }

  public Object[] values() {
    return values;
  }
}
