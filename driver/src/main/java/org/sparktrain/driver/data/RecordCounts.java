package org.sparktrain.driver.data;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparktrain.worker.data.DropReason;

/** How many records were read, dropped by reason, and kept per split. */
public record RecordCounts(long read, long[] droppedByReason, long train, long validation,
    long test) {

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
    m.put("train", train);
    m.put("validation", validation);
    m.put("test", test);
    return m;
  }
}
