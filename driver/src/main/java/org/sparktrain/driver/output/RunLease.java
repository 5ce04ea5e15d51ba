package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two runs from writing into one run directory at once. The run holding the directory
 * keeps a small lease file in it ({@value #FILE}: run id, host, process id, last heartbeat) and
 * rewrites it every {@link #HEARTBEAT_MS} ms. A second run finding a live lease is refused; a
 * lease not renewed for {@link #STALE_AFTER_MS} ms (its run was killed) is taken over with a
 * warning, as is one left by a dead process on this host, so a restarted driver resumes at once.
 *
 * <p>Freshness is judged by the wall clocks of the two drivers: hosts are assumed to keep time
 * within seconds of each other (NTP), far below the minute a lease lives. Two runs starting in
 * the same instant could both see no lease on a store without atomic create (S3); each reads
 * the lease back after writing it, which narrows that window to the store's write latency.
 */
public final class RunLease implements AutoCloseable {
  public static final String FILE = "_LEASE.json";
  static final long HEARTBEAT_MS = 10_000;
  static final long STALE_AFTER_MS = 60_000;
  private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

  private final FileSystem fs;
  private final Path file;
  private final String runId;
  private final ScheduledExecutorService heartbeat;

  private RunLease(FileSystem fs, Path file, String runId) {
    this.fs = fs;
    this.file = file;
    this.runId = runId;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "run-lease-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  /** What a lease file says. */
  record Holder(String runId, String host, long pid, long heartbeatMillis) {
    String describe(long now) {
      return "run " + runId + " on " + host + " (process " + pid + "), last heartbeat "
          + Math.max(0, (now - heartbeatMillis) / 1000) + " s ago";
    }

    /** A process on this host that no longer exists cannot renew its lease. */
    boolean deadOnThisHost() {
      return host.equals(thisHost())
          && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  /**
   * Takes the lease of {@code dir}, or fails naming the run that holds it.
   *
   * @param warn told when a stale or unreadable lease is taken over
   */
  public static RunLease acquire(FileSystem fs, Path dir, Consumer<String> warn)
      throws IOException {
    Path file = new Path(dir, FILE);
    long now = System.currentTimeMillis();
    Holder held;
    try {
      held = read(fs, file);
    } catch (IOException e) {
      if (e instanceof FileNotFoundException) {
        held = null;
      } else if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
        warn.accept("taking over the unreadable lease " + file + " (" + e.getMessage() + ")");
        held = null;
      } else {
        throw e;
      }
    }
    if (held != null) {
      boolean stale = now - held.heartbeatMillis() > STALE_AFTER_MS;
      if (!stale && !held.deadOnThisHost()) {
        throw new RunDirectoryException(dir + " is in use by another run: " + held.describe(now)
            + ". Wait for that run to end, or give this one another output.dir. A lease not "
            + "renewed for " + STALE_AFTER_MS / 1000 + " s is taken over (" + file + ").");
      }
      warn.accept("taking over the run directory " + dir + " from " + held.describe(now)
          + ": that run is gone");
    }
    RunLease lease = new RunLease(fs, file, UUID.randomUUID().toString());
    lease.renew();
    Holder mine = read(fs, file);
    if (!lease.runId.equals(mine.runId())) {
      throw new RunDirectoryException(dir + " was taken by another run starting at the same "
          + "time: " + mine.describe(System.currentTimeMillis()));
    }
    lease.heartbeat.scheduleWithFixedDelay(lease::heartbeat, HEARTBEAT_MS, HEARTBEAT_MS,
        TimeUnit.MILLISECONDS);
    return lease;
  }

  public String runId() {
    return runId;
  }

  private void heartbeat() {
    try {
      Holder now = read(fs, file);
      if (!runId.equals(now.runId())) {
        LOG.error("the lease {} now belongs to {}: another run took this run directory over "
            + "(was this driver paused for over {} s?)", file,
            now.describe(System.currentTimeMillis()), STALE_AFTER_MS / 1000);
        heartbeat.shutdown();
        return;
      }
      renew();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not renew the run directory lease {}: {}", file, e.toString());
    }
  }

  private void renew() throws IOException {
    Map<String, Object> lease = new LinkedHashMap<>();
    lease.put("runId", runId);
    lease.put("host", thisHost());
    lease.put("pid", ProcessHandle.current().pid());
    lease.put("heartbeatMillis", System.currentTimeMillis());
    try (OutputStream out = fs.create(file, true)) {
      out.write(Json.pretty(lease).getBytes(StandardCharsets.UTF_8));
    }
  }

  static Holder read(FileSystem fs, Path file) throws IOException {
    JsonNode json;
    try (InputStream in = fs.open(file)) {
      json = Json.MAPPER.readTree(in.readNBytes(64 * 1024));
    }
    if (json == null || !json.path("runId").isTextual() || !json.path("heartbeatMillis")
        .canConvertToLong()) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, "not a lease: no runId or "
          + "heartbeatMillis");
    }
    return new Holder(json.get("runId").asText(), json.path("host").asText("?"),
        json.path("pid").asLong(-1), json.get("heartbeatMillis").asLong());
  }

  static String thisHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /** Stops the heartbeat and removes the lease if it is still this run's. */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      if (runId.equals(read(fs, file).runId())) {
        fs.delete(file, false);
      }
    } catch (IOException e) {
      LOG.warn("could not release the run directory lease {}: {}", file, e.toString());
    }
  }
}
