package org.sparktrain.driver.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.worker.eval.ClassificationMetrics;
import org.sparktrain.worker.eval.EvalResult;

/** Evaluation results as the nested maps that summary.json and the CLI print. */
public final class Summaries {
  private Summaries() {}

  public static Map<String, Object> metrics(EvalResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("examples", r.count());
    m.putAll(r.scalars());
    ClassificationMetrics c = r.classification();
    if (c != null) {
      List<Map<String, Object>> perClass = new ArrayList<>();
      for (int k = 0; k < c.numClasses(); k++) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("class", k);
        row.put("precision", c.precision(k));
        row.put("recall", c.recall(k));
        row.put("f1", c.f1(k));
        perClass.add(row);
      }
      m.put("perClass", perClass);
      m.put("confusionMatrix", c.confusion());
    }
    return m;
  }
}
