package org.sparktrain.driver.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;

/**
 * Spreads numbered rows over more partitions, every core a share, in contiguous ranges of row
 * numbers, each in row order: the files that predict writes then hold the rows in input order
 * (part 0 the first rows), as its single-file CSV output does.
 */
final class ContiguousSpread {
  private ContiguousSpread() {}

  /**
   * @param line a row's number, 1 to {@code total}
   * @return {@code rows} itself when it already has {@code parts} partitions or more
   */
  static <T> JavaRDD<T> of(JavaRDD<T> rows, Function<T, Long> line, long total, int parts) {
    if (rows.getNumPartitions() >= parts || total == 0) {
      return rows;
    }
    // A non-negative Integer key below parts: HashPartitioner sends key k to partition k.
    return rows.mapToPair(r -> new Tuple2<>((int) ((line.call(r) - 1) * parts / total), r))
        .partitionBy(new HashPartitioner(parts))
        .mapPartitions(it -> {
          List<T> part = new ArrayList<>();
          it.forEachRemaining(t -> part.add(t._2()));
          part.sort(Comparator.comparingLong(r -> {
            try {
              return line.call(r);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
          return part.iterator();
        }, true);
  }
}
