package org.sparktrain.worker.train;

import java.io.Serializable;
import org.sparktrain.worker.privacy.PrivateTraining;

/**
 * Everything a worker needs besides its shard and the snapshot; fixed for the whole run.
 *
 * @param configJson the DL4J network configuration (architecture and optimizer)
 * @param task what the network learns, and how its minibatches are built
 * @param threadsPerWorker ND4J/BLAS threads each task may use; tasks sharing an executor's cores
 *     must not each start one thread per core
 * @param zeros parameters held at zero after every step (a pruned model's fine-tuning), or null
 * @param privacy DP-SGD's settings and secret for a private run; null for ordinary training
 */
public record TrainerSettings(String configJson, EpochSchedule schedule, Task task, long seed,
    int threadsPerWorker, ZeroMask zeros, PrivateTraining privacy) implements Serializable {

  /** Settings of an ordinary (not private) run. */
  public TrainerSettings(String configJson, EpochSchedule schedule, Task task, long seed,
      int threadsPerWorker, ZeroMask zeros) {
    this(configJson, schedule, task, seed, threadsPerWorker, zeros, null);
  }

  /** Settings with every parameter free to train. */
  public TrainerSettings(String configJson, EpochSchedule schedule, Task task, long seed,
      int threadsPerWorker) {
    this(configJson, schedule, task, seed, threadsPerWorker, null);
  }
}
