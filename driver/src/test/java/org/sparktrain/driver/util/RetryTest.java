package org.sparktrain.driver.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
  @Test
  void aStepThatSucceedsOnTheThirdAttempt_returnsItsValueAfterTwoWaitsThatDouble()
      throws Exception {
    List<String> heard = new ArrayList<>();
    String value = Retry.attempts(5).backoff(1, 30_000)
        .onRetry((attempt, max, e, waitMs) -> heard.add(attempt + "/" + max + " "
            + e.getMessage() + " " + waitMs))
        .call(attempt -> {
          if (attempt < 3) {
            throw new IOException("fail " + attempt);
          }
          return "ok at " + attempt;
        });

    assertThat(value).isEqualTo("ok at 3");
    assertThat(heard).containsExactly("1/5 fail 1 1", "2/5 fail 2 2");
  }

  @Test
  void theWaitDoublesUpToItsCap_evenWhenTheFirstIsAboveIt() throws Exception {
    List<Long> waits = new ArrayList<>();
    Retry.attempts(5).backoff(3, 2).onRetry((a, n, e, waitMs) -> waits.add(waitMs))
        .call(attempt -> {
          if (attempt < 5) {
            throw new IOException("x");
          }
          return null;
        });
    assertThat(waits).containsExactly(3L, 2L, 2L, 2L);
  }

  @Test
  void theLastAttemptsFailureIsThrownAsItCame() {
    AtomicInteger runs = new AtomicInteger();
    IOException last = new IOException("third");
    assertThatThrownBy(() -> Retry.attempts(3).call(attempt -> {
      runs.incrementAndGet();
      throw attempt == 3 ? last : new IOException("earlier");
    })).isSameAs(last);
    assertThat(runs).hasValue(3);
  }

  @Test
  void aFailureNotWorthRetrying_isThrownAtOnce() {
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> Retry.attempts(4).retryIf(e -> e instanceof IOException)
        .call(attempt -> {
          runs.incrementAndGet();
          throw new IllegalStateException("not transient");
        })).isInstanceOf(IllegalStateException.class).hasMessage("not transient");
    assertThat(runs).hasValue(1);
  }

  @Test
  void noFurtherAttemptStartsOnceTheCallerGivesUp() {
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> Retry.attempts(10).stopRetryingWhen(() -> runs.get() >= 2)
        .call(attempt -> {
          runs.incrementAndGet();
          throw new IOException("down");
        })).isInstanceOf(IOException.class);
    assertThat(runs).hasValue(2);
  }

  @Test
  void anInterruptDuringTheWait_endsTheTries() {
    Thread.currentThread().interrupt();
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> Retry.attempts(3).backoff(10_000, 10_000).call(attempt -> {
      runs.incrementAndGet();
      throw new IOException("down");
    })).isInstanceOf(InterruptedException.class);
    assertThat(runs).hasValue(1);
  }

  @Test
  void fewerThanOneAttemptIsRefused() {
    assertThatThrownBy(() -> Retry.attempts(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempts must be at least 1, got 0");
  }
}
