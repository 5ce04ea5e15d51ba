package org.sparktrain.driver.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointException;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.checkpoint.SpecCompatibility;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.output.RunDirectoryException;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;

/**
 * Where a run starts in its run directory: from the newest valid checkpoint its spec may
 * continue (the same spec rerun resumes by itself, which Kubernetes restarts rely on), or
 * afresh. It never silently replaces another run's outputs: a directory holding outputs this
 * run cannot resume from is refused unless the user asked to overwrite it.
 */
final class RunStart {
  private static final Logger LOG = LoggerFactory.getLogger(RunStart.class);

  private RunStart() {}

  /**
   * @return the checkpoint to resume from, or empty to start afresh (with the directory cleared
   *     of an earlier run when {@code overwrite} asked for it)
   */
  static Optional<CheckpointContent> decide(JobSpec spec, RunDirectory runDir,
      CheckpointStore store, boolean resumeRequested, boolean overwrite) throws IOException {
    if (overwrite) {
      if (resumeRequested) {
        throw new RunDirectoryException("--resume and --overwrite contradict each other: "
            + "resume continues the run in " + runDir.uri() + ", overwrite replaces it");
      }
      List<String> outputs = runDir.existingOutputs();
      if (!outputs.isEmpty() || !store.listByManifest().isEmpty()) {
        LOG.warn("overwrite: removing the earlier run in {} ({} and its checkpoints)",
            runDir.uri(), String.join(", ", outputs));
        runDir.clearEarlierRun();
      }
      return Optional.empty();
    }
    Optional<CheckpointContent> checkpoint = store.latestValid(LOG::warn);
    if (checkpoint.isPresent()) {
      CheckpointContent c = checkpoint.get();
      SpecCompatibility.check(spec, c.specYaml(), store.roundUri(c.round()));
      return checkpoint;
    }
    if (resumeRequested) {
      throw new CheckpointException("--resume: no valid checkpoint in " + store.uri());
    }
    List<String> outputs = runDir.existingOutputs();
    if (outputs.isEmpty()) {
      return Optional.empty();
    }
    boolean finished = outputs.contains(RunDirectory.SUMMARY)
        || outputs.contains(RunDirectory.MODEL);
    boolean sameSpec = sameSpec(spec, runDir.readText(RunDirectory.SPEC));
    if (finished || !sameSpec) {
      throw new RunDirectoryException(runDir.uri() + " holds the outputs of "
          + (sameSpec ? "a finished run of this spec" : "a run of another spec") + " ("
          + String.join(", ", outputs) + ") and no checkpoint this run can resume from; "
          + "training here would replace them. Give this run another output.dir (sparktrain "
          + "train --output DIR), or overwrite them on purpose (sparktrain train --overwrite).");
    }
    // An earlier attempt of this very spec died before its first checkpoint: nothing of value
    // is lost by starting over, and a restarted driver must be able to.
    LOG.warn("{}: an earlier attempt of this spec left {} but no checkpoint; starting over",
        runDir.uri(), String.join(", ", outputs));
    return Optional.empty();
  }

  private static boolean sameSpec(JobSpec spec, String earlierYaml) {
    if (earlierYaml == null) {
      return false;
    }
    try {
      return SpecCompatibility.differences(spec, JobSpecParser.parse(earlierYaml,
          (Path) null)).isEmpty();
    } catch (SpecException e) {
      return false;
    }
  }
}
