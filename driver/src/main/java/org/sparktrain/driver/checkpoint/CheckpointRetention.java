package org.sparktrain.driver.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.spec.JobSpec;

/**
 * Which checkpoints stay: the newest {@code keepLast} valid ones and the best one by a
 * validation metric ({@code checkpoint.keepBestBy}). Expiring old checkpoints is its own step,
 * run after a checkpoint committed, so a valid one is never deleted before its replacement is in
 * place.
 */
final class CheckpointRetention {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointRetention.class);

  private final int keepLast;
  /** The metric the best checkpoint is chosen by; null keeps no best one. */
  private final String keepBestBy;

  CheckpointRetention(JobSpec.Checkpoint policy) {
    this.keepLast = policy.keepLast();
    this.keepBestBy = policy.keepBestBy();
  }

  /**
   * Deletes the checkpoints not kept. Only a folder whose manifest is missing or unparseable
   * counts as invalid; when a manifest cannot be read at all (the store failed), nothing is
   * deleted this time.
   */
  void prune(CheckpointStore store) {
    try {
      List<CheckpointInfo> all = store.listByManifest();
      List<CheckpointInfo> valid = all.stream().filter(CheckpointInfo::valid).toList();
      Set<Long> keep = new HashSet<>();
      valid.stream().limit(keepLast).forEach(i -> keep.add(i.round()));
      best(valid).ifPresent(i -> keep.add(i.round()));
      long newest = valid.isEmpty() ? Long.MAX_VALUE : valid.get(0).round();
      for (CheckpointInfo info : all) {
        // Invalid folders newer than the newest valid one may be a write in progress elsewhere.
        if (!keep.contains(info.round()) && info.round() < newest) {
          store.delete(info.round());
        }
      }
    } catch (IOException e) {
      LOG.warn("not pruning old checkpoints in {} this time, none deleted: {}", store.uri(),
          e.getMessage());
    }
  }

  private Optional<CheckpointInfo> best(List<CheckpointInfo> valid) {
    if (keepBestBy == null) {
      return Optional.empty();
    }
    boolean lowerIsBetter = JobSpec.lowerIsBetter(keepBestBy);
    Comparator<CheckpointInfo> byMetric = Comparator.comparingDouble(
        i -> i.metrics().get(keepBestBy));
    List<CheckpointInfo> scored = new ArrayList<>();
    for (CheckpointInfo i : valid) {
      if (i.metrics() != null && i.metrics().get(keepBestBy) != null
          && !Double.isNaN(i.metrics().get(keepBestBy))) {
        scored.add(i);
      }
    }
    return lowerIsBetter ? scored.stream().min(byMetric) : scored.stream().max(byMetric);
  }
}
