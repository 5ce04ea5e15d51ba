package org.sparktrain.worker.train;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Network instances kept per JVM and per configuration, so an executor builds its network once
 * and every later round only copies parameters in. Concurrent tasks in one executor each borrow
 * their own instance.
 */
public final class NetworkPool {
  private static final Map<String, Queue<MultiLayerNetwork>> IDLE = new ConcurrentHashMap<>();
  private static final Map<String, MultiLayerConfiguration> CONFIGS = new ConcurrentHashMap<>();

  private NetworkPool() {}

  public static MultiLayerNetwork borrow(String configJson) {
    MultiLayerNetwork net = IDLE.computeIfAbsent(configJson, k -> new ConcurrentLinkedQueue<>())
        .poll();
    if (net != null) {
      return net;
    }
    MultiLayerConfiguration conf = CONFIGS.computeIfAbsent(configJson,
        MultiLayerConfiguration::fromJson);
    net = new MultiLayerNetwork(conf.clone());
    net.init();
    return net;
  }

  public static void giveBack(String configJson, MultiLayerNetwork net) {
    IDLE.computeIfAbsent(configJson, k -> new ConcurrentLinkedQueue<>()).add(net);
  }
}
