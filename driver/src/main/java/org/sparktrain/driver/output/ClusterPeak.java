package org.sparktrain.driver.output;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.worker.backend.MachinePeak;

/**
 * The measured peak of the machines a run trains on: each host counted once, with the best
 * figure any of its JVMs measured (several executors of one host share its cores).
 *
 * @param hosts one entry per host, in the order first seen
 */
public record ClusterPeak(List<Host> hosts) {

  /** What the JVMs of one host measured. */
  public record Host(String host, MachinePeak peak) implements Serializable {}

  public ClusterPeak {
    hosts = List.copyOf(hosts);
  }

  /** One entry per host, keeping the JVM that measured the most for all cores. */
  public static ClusterPeak of(List<Host> measured) {
    Map<String, Host> best = new LinkedHashMap<>();
    for (Host h : measured) {
      best.merge(h.host(), h, (a, b) -> b.peak().peakGflops() > a.peak().peakGflops() ? b : a);
    }
    return new ClusterPeak(new ArrayList<>(best.values()));
  }

  /** All cores of every host: the denominator of a run's utilization. */
  public double allCoresGflops() {
    return hosts.stream().mapToDouble(h -> h.peak().peakGflops()).sum();
  }

  /** One core of the slowest host. */
  public double perCoreGflops() {
    return hosts.stream().mapToDouble(h -> h.peak().perCoreGflops()).min().orElse(0);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("allCoresGflopsPerSec", allCoresGflops());
    m.put("perCoreGflopsPerSec", perCoreGflops());
    List<Map<String, Object>> each = new ArrayList<>();
    for (Host h : hosts) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("host", h.host());
      row.putAll(h.peak().toMap());
      each.add(row);
    }
    m.put("hosts", each);
    return m;
  }
}
