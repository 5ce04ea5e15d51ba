package org.sparktrain.driver.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.SparkNativeKernels;
import org.sparktrain.worker.backend.BackendChoice;
import org.sparktrain.worker.backend.BackendException;
import org.sparktrain.worker.backend.BackendInfo;
import org.sparktrain.worker.backend.BackendProbe;
import org.sparktrain.worker.backend.NativeMemory;
import org.sparktrain.worker.backend.ResidentSizeCheck;

/**
 * Before any data is read: which ND4J backend the driver and the executors run, checked against
 * {@code train.backend}, and logged with the off-heap limits each JVM got. Executors can differ
 * from the driver (GPU executors under a CPU driver), so they are asked with one small job.
 */
public final class BackendCheck {
  private static final Logger LOG = LoggerFactory.getLogger(BackendCheck.class);

  private BackendCheck() {}

  /** Returns what summary.json records under "backend"; throws when the backend is wrong. */
  public static Map<String, Object> run(JavaSparkContext sc, BackendChoice choice, int workers) {
    BackendInfo driver;
    List<BackendInfo> executors;
    if (SparkSetup.isLocalThreads(sc.master())) {
      // The executors are this JVM: one probe answers for both.
      driver = BackendProbe.require(choice);
      executors = List.of(driver);
      if (driver.maxPhysicalBytes() > 0) {
        LOG.warn("JavaCPP's resident-size check is on in this JVM (maxphysicalbytes {}): every "
            + "native allocation reads /proc under a JVM-wide lock, which slowed local training "
            + "by up to a third. ND4J was loaded before sparktrain could turn it off; start the "
            + "JVM with {} to turn it off.", NativeMemory.mib(driver.maxPhysicalBytes()),
            ResidentSizeCheck.OFF);
      }
    } else {
      LOG.info("{}", OffHeapLimits.derive(sc.getConf()).describe());
      driver = BackendProbe.current();
      executors = probeExecutors(sc, choice, workers);
    }
    Set<BackendInfo> distinct = new LinkedHashSet<>(executors);
    for (BackendInfo e : distinct) {
      LOG.info("backend of {}: {}; native kernels {}; ND4J limits {}", e.jvm(), e.description(),
          e.nativeKernels() == null ? "n/a" : e.nativeKernels(), e.limits());
    }
    BackendInfo first = executors.get(0);
    Map<String, Object> m = new LinkedHashMap<>(first.toMap());
    m.put("requested", choice.key());
    m.put("driver", driver.toMap());
    List<Map<String, Object>> all = new ArrayList<>();
    distinct.forEach(e -> all.add(e.toMap()));
    m.put("executors", all);
    return m;
  }

  private static List<BackendInfo> probeExecutors(JavaSparkContext sc, BackendChoice choice,
      int workers) {
    sc.setJobDescription("backend check");
    try {
      return sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
          .map(i -> {
            SparkNativeKernels.chooseInTask();
            return BackendProbe.require(choice).inJvm("executor " + SparkEnv.get().executorId());
          }).collect();
    } catch (RuntimeException e) {
      // Spark wraps the executor's BackendException; its message is what the user needs.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BackendException || (t instanceof SparkException
            && String.valueOf(t.getMessage()).contains(BackendException.class.getName()))) {
          String msg = t.getMessage();
          int at = msg.indexOf(BackendException.class.getName() + ": ");
          throw new BackendException("on an executor: " + (at >= 0
              ? msg.substring(at + BackendException.class.getName().length() + 2).split("\n")[0]
              : msg));
        }
      }
      throw e;
    } finally {
      sc.setJobDescription(null);
    }
  }
}
