package org.sparktrain.driver.data;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparktrain.worker.data.DropReason;

/**
 * How many records were read, dropped by reason, and kept per split.
 *
 * @param firstDropped per drop reason key, the first record dropped for it (where and why)
 */
public record RecordCounts(long read, long[] droppedByReason, long train, long validation,
    long test, Map<String, String> firstDropped) {

  public RecordCounts(long read, long[] droppedByReason, long train, long validation,
      long test) {
    this(read, droppedByReason, train, validation, test, Map.of());
  }

  public long dropped() {
    long d = 0;
    for (long c : droppedByReason) {
      d += c;
    }
    return d;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("read", read);
    m.put("kept", read - dropped());
    m.put("dropped", dropped());
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      reasons.put(r.key(), droppedByReason[r.ordinal()]);
    }
    m.put("droppedByReason", reasons);
    if (!firstDropped.isEmpty()) {
      m.put("firstDropped", firstDropped);
    }
    m.put("train", train);
    m.put("validation", validation);
    m.put("test", test);
    return m;
  }
}
