package org.sparktrain.worker.model;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Network instances kept per JVM and per configuration, so an executor builds its network once
 * and every later round only copies parameters in. Concurrent tasks in one executor each borrow
 * their own instance.
 */
public final class NetworkPool {
  private static final Map<String, Queue<Network>> IDLE = new ConcurrentHashMap<>();
  private static final Map<String, NetworkConfig> CONFIGS = new ConcurrentHashMap<>();

  private NetworkPool() {}

  public static Network borrow(String configJson) {
    Network net = IDLE.computeIfAbsent(configJson, k -> new ConcurrentLinkedQueue<>())
        .poll();
    if (net != null) {
      return net;
    }
    return CONFIGS.computeIfAbsent(configJson, NetworkConfig::fromJson).newNetwork();
  }

  public static void giveBack(String configJson, Network net) {
    IDLE.computeIfAbsent(configJson, k -> new ConcurrentLinkedQueue<>()).add(net);
  }
}
