package org.sparktrain.driver.cli;

/**
 * Ends the JVM even when a shutdown hook hangs: after an error Spark's hooks stop a context that
 * may be stuck in a collective round, and {@code System.exit} waits for every hook.
 */
final class JvmExit {
  /** Long enough for Spark's hooks to stop a context and delete its temp files. */
  private static final long HOOKS_TIMEOUT_MS = 60_000;

  private JvmExit() {}

  static void exit(int code) {
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(HOOKS_TIMEOUT_MS);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("sparktrain: shutdown hooks did not finish within "
          + HOOKS_TIMEOUT_MS / 1000 + " s; halting");
      Runtime.getRuntime().halt(code);
    }, "sparktrain-exit-watchdog");
    halt.setDaemon(true);
    halt.start();
    System.exit(code);
  }
}
