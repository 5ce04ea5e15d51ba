package org.sparktrain.driver.explain;

import java.util.ArrayList;
import java.util.List;
import org.sparktrain.driver.data.TableEncoding;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * The rows a model is explained on, as the network sees them (normalized), with their labels,
 * and the model's inputs grouped as a user thinks of them: one group per table column (a
 * one-hot category spans several inputs, permuted together), else one per input.
 *
 * @param groups for each group, the indexes of its inputs
 * @param groupNames a name per group: the table column, or {@code x<i>} for files of numbers
 * @param inputNames a name per input (a category's slot is {@code column=value})
 */
public record ExplainData(float[][] features, double[] labels, List<int[]> groups,
    List<String> groupNames, List<String> inputNames) {

  /** Normalizes the records and groups the inputs (by {@code encoding}'s columns, if any). */
  public static ExplainData of(List<ParsedRecord> records, Normalizer normalizer,
      TableEncoding encoding) {
    float[][] features = new float[records.size()][];
    double[] labels = new double[records.size()];
    for (int i = 0; i < features.length; i++) {
      features[i] = normalizer.apply(records.get(i).features());
      labels[i] = records.get(i).label();
    }
    int width = normalizer.width();
    List<int[]> groups = new ArrayList<>();
    List<String> groupNames = new ArrayList<>();
    List<String> inputNames = new ArrayList<>();
    if (encoding != null) {
      inputNames.addAll(encoding.featureNames());
      int next = 0;
      for (TableEncoding.Column c : encoding.columns()) {
        int[] slots = new int[c.width()];
        for (int k = 0; k < slots.length; k++) {
          slots[k] = next++;
        }
        groups.add(slots);
        groupNames.add(c.name());
      }
    } else {
      for (int i = 0; i < width; i++) {
        groups.add(new int[] {i});
        groupNames.add("x" + i);
        inputNames.add("x" + i);
      }
    }
    return new ExplainData(features, labels, groups, groupNames, inputNames);
  }

  public int rows() {
    return features.length;
  }
}
