package org.sparktrain.driver.monitor;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.sparktrain.driver.output.RoundMetrics;

/**
 * Publishes the running training's metrics through Spark's own metrics system, so whatever
 * sinks a cluster already has configured (JMX, the Prometheus servlet on the driver's UI,
 * Graphite, CSV, ...) see them with no server of ours. {@code SparkSetup} adds it to
 * {@code spark.plugins}; a program with its own SparkContext adds
 * {@code spark.plugins=org.sparktrain.driver.monitor.SparktrainMetricsPlugin}.
 *
 * <p>The gauges appear under the source {@code plugin.<this class>}, e.g.
 * {@code <namespace>.driver.plugin.org.sparktrain.driver.monitor.SparktrainMetricsPlugin.loss}.
 * Spark copies a source's metrics when it registers the source, so every gauge is registered
 * up front, validation metrics included (NaN until a run reports one).
 */
public final class SparktrainMetricsPlugin implements SparkPlugin {

  /** Every validation metric a model kind can report (see JobSpecParser.validationMetrics). */
  static final List<String> VALIDATION_METRICS = List.of("accuracy", "macroF1", "mse", "mae",
      "r2", "loss", "perplexity", "maskedLoss", "maskedAccuracy");

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public void registerMetrics(String appId, PluginContext ctx) {
        register(ctx.metricRegistry());
      }
    };
  }

  /** Nothing runs on executors: workers report through the driver's per-round metrics. */
  @Override
  public ExecutorPlugin executorPlugin() {
    return null;
  }

  static void register(MetricRegistry registry) {
    gauge(registry, "running", s -> s.running() ? 1L : 0L);
    gauge(registry, "examples", LiveMetrics.State::examples);
    gauge(registry, "bytesMoved", LiveMetrics.State::bytesMoved);
    round(registry, "round", m -> (double) m.round());
    round(registry, "epoch", m -> (double) m.epoch());
    round(registry, "loss", RoundMetrics::loss);
    round(registry, "examplesPerSec", RoundMetrics::examplesPerSec);
    round(registry, "computeMs", RoundMetrics::computeMs);
    round(registry, "syncMs", RoundMetrics::syncMs);
    round(registry, "wallMs", RoundMetrics::wallMs);
    gauge(registry, "gflopsPerSec", s -> s.lastRound() == null ? Double.NaN
        : s.flops().gflopsPerSec(s.lastRound().examplesPerSec()));
    gauge(registry, "utilization", s -> s.lastRound() == null ? Double.NaN
        : s.flops().utilization(s.lastRound().examplesPerSec()));
    for (String name : VALIDATION_METRICS) {
      gauge(registry, "validation." + name,
          s -> s.validation().getOrDefault(name, Double.NaN));
    }
    for (String name : List.of("written", "failed", "lastRound")) {
      gauge(registry, "checkpoints." + name, s -> number(s.checkpoints().get(), name));
    }
  }

  /** A gauge of the newest round; NaN before the first. */
  private static void round(MetricRegistry registry, String name,
      ToDoubleFunction<RoundMetrics> value) {
    gauge(registry, name, s -> s.lastRound() == null ? Double.NaN
        : value.applyAsDouble(s.lastRound()));
  }

  private static <T> void gauge(MetricRegistry registry, String name,
      Function<LiveMetrics.State, T> value) {
    registry.register(name, (Gauge<T>) () -> value.apply(LiveMetrics.current()));
  }

  private static long number(Map<String, Object> counters, String name) {
    return counters.get(name) instanceof Number n ? n.longValue() : 0L;
  }
}
