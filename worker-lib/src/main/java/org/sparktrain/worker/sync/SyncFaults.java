package org.sparktrain.worker.sync;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Misbehaviour one worker shows once, so tests can prove what the data plane does with a bad
 * peer: the round must fail naming the peer and the fault, and the stretch replay cleanly. For
 * fault tests in local mode only (the plan lives in this JVM); nothing in sparktrain plans one.
 */
public final class SyncFaults {
  /** What the faulty worker does to one frame. */
  public enum Fault {
    /** Flips a bit of a parameter value on the wire, after the checksum was computed. */
    CORRUPT_BYTE,
    /** Sends one parameter value more than the slice has. */
    WRONG_LENGTH,
    /** Declares one example more than it trained on. */
    WRONG_EXAMPLES,
    /** Sends nothing more, keeping its connections open: a peer that stalls. */
    STOP_SENDING
  }

  private record Planned(Fault fault, int rank, long round) {}

  private static final AtomicReference<Planned> PLANNED = new AtomicReference<>();

  private SyncFaults() {}

  /** Worker {@code rank}'s first frame of {@code round} shows {@code fault}, once. */
  public static void injectOnce(Fault fault, int rank, long round) {
    PLANNED.set(new Planned(fault, rank, round));
  }

  /** Forgets a plan that has not fired. */
  public static void clear() {
    PLANNED.set(null);
  }

  /** The fault planned for this frame, taken so it fires once; null almost always. */
  static Fault take(int rank, long round) {
    Planned p = PLANNED.get();
    if (p == null || p.rank() != rank || p.round() != round || !PLANNED.compareAndSet(p, null)) {
      return null;
    }
    return p.fault();
  }
}
