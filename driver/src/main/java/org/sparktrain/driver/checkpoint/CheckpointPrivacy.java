package org.sparktrain.driver.checkpoint;

/**
 * A private run's state in a checkpoint: the secret its Poisson draws and noise derive from (so
 * a resumed run continues exactly), the steps each worker took, and the epsilon they spent.
 *
 * <p>The secret is the checkpoint's private part: whoever holds it and the checkpoints can
 * subtract the noise, so a private run's checkpoints need the same protection as its training
 * data. It is never written anywhere else (not the spec, summary, logs, report or model).
 */
public record CheckpointPrivacy(byte[] secret, long steps, double epsilon) {
  @Override
  public String toString() {
    return "CheckpointPrivacy[steps=" + steps + ", epsilon=" + epsilon + ", secret hidden]";
  }
}
