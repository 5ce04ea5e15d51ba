package org.sparktrain.driver.util;

import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Runs a step again when it fails, up to a number of attempts, waiting between attempts with an
 * exponential backoff: the one retry loop of the driver (checkpoint writes, collective
 * stretches). A failure that is not worth another attempt, the last attempt's failure, or one
 * that comes while the caller is giving up is thrown to the caller as it was thrown.
 *
 * <pre>{@code
 * Retry.attempts(4).backoff(1_000, 30_000).retryIf(e -> e instanceof IOException)
 *     .onRetry((attempt, attempts, e, waitMs) -> LOG.warn(...))
 *     .call(attempt -> store.write(content));
 * }</pre>
 *
 * <p>Immutable: each setting returns a new {@code Retry}, so one can be kept and shared.
 */
public final class Retry {
  private final int attempts;
  private final long firstBackoffMs;
  private final long maxBackoffMs;
  private final Predicate<Exception> retryable;
  private final BooleanSupplier givingUp;
  private final Listener listener;

  private Retry(int attempts, long firstBackoffMs, long maxBackoffMs,
      Predicate<Exception> retryable, BooleanSupplier givingUp, Listener listener) {
    this.attempts = attempts;
    this.firstBackoffMs = firstBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.retryable = retryable;
    this.givingUp = givingUp;
    this.listener = listener;
  }

  /** At most {@code attempts} tries (at least 1), at once one after another, any failure. */
  public static Retry attempts(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
    return new Retry(attempts, 0, 0, e -> true, () -> false, (a, n, e, w) -> { });
  }

  /**
   * Waits {@code firstMs} before the second attempt, then twice the last wait but at most
   * {@code maxMs} before each further one.
   */
  public Retry backoff(long firstMs, long maxMs) {
    if (firstMs < 0 || maxMs < 0) {
      throw new IllegalArgumentException("backoff needs waits of 0 ms or more, got " + firstMs
          + " and " + maxMs + " ms");
    }
    return new Retry(attempts, firstMs, maxMs, retryable, givingUp, listener);
  }

  /** Only failures that pass {@code test} are tried again; others are thrown at once. */
  public Retry retryIf(Predicate<Exception> test) {
    return new Retry(attempts, firstBackoffMs, maxBackoffMs, test, givingUp, listener);
  }

  /** Asked after each failure: when true, no further attempt starts. */
  public Retry stopRetryingWhen(BooleanSupplier condition) {
    return new Retry(attempts, firstBackoffMs, maxBackoffMs, retryable, condition, listener);
  }

  /** Told of each failure that will be tried again, before the wait. */
  public Retry onRetry(Listener onRetry) {
    return new Retry(attempts, firstBackoffMs, maxBackoffMs, retryable, givingUp, onRetry);
  }

  public int maxAttempts() {
    return attempts;
  }

  /** One attempt at the step; {@code attempt} counts from 1. */
  public interface Attempt<T, E extends Exception> {
    T run(int attempt) throws E;
  }

  /** Hears of a failed attempt that will be tried again after {@code waitMs}. */
  public interface Listener {
    void willRetry(int attempt, int attempts, Exception failure, long waitMs);
  }

  /**
   * Runs {@code step} until it returns. Throws the failure of the attempt that ended the tries.
   *
   * @throws InterruptedException when interrupted while waiting between attempts (the
   *     interrupt flag is cleared, as {@link Thread#sleep} leaves it)
   */
  @SuppressWarnings("unchecked")
  public <T, E extends Exception> T call(Attempt<T, E> step) throws E, InterruptedException {
    long waitMs = firstBackoffMs;
    for (int attempt = 1; ; attempt++) {
      try {
        return step.run(attempt);
      } catch (Exception e) {
        // Only E or an unchecked exception can come out of step; rethrown as it came.
        if (!retryable.test(e) || attempt >= attempts || givingUp.getAsBoolean()) {
          throw (E) e;
        }
        listener.willRetry(attempt, attempts, e, waitMs);
        if (waitMs > 0) {
          Thread.sleep(waitMs);
        }
        waitMs = Math.min(maxBackoffMs, waitMs * 2);
      }
    }
  }
}
