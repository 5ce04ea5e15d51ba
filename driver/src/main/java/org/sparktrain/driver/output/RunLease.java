package org.sparktrain.driver.output;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two runs from writing into one run directory at once. The run holding the directory
 * keeps a small lease file in it (run id, host, process id, last heartbeat) and rewrites it
 * every {@link #HEARTBEAT_MS} ms. A second run finding a live lease is refused; a lease not
 * renewed for {@link #STALE_AFTER_MS} ms (its run was killed), or left by a dead process on this
 * host, is taken over with a warning, so a restarted driver resumes at once.
 *
 * <p>Leases are numbered: {@value #FILE} is lease 0, {@code _LEASE.1.json} the one that took it
 * over, and so on; the highest number present is the lease. Taking a lease is creating the next
 * number's file only if it is absent ({@link LeaseFiles#createIfAbsent}), one atomic step, so of
 * two runs racing for a free directory or for the same stale lease exactly one wins, and no run
 * ever deletes or overwrites the lease of another. A run whose lease is no longer the highest,
 * or no longer holds its token, has lost it: {@link #requireHeld} and {@link #verify} then throw
 * {@link LeaseLostException}, and the run stops writing.
 *
 * <p>Freshness is judged by the wall clocks of the two drivers: hosts are assumed to keep time
 * within seconds of each other (NTP), far below the minute a lease lives.
 */
public final class RunLease implements AutoCloseable {
  /** Lease number 0: what a run that found no lease creates. */
  public static final String FILE = "_LEASE.json";
  private static final Pattern NUMBERED = Pattern.compile("_LEASE\\.([0-9]{1,9})\\.json");
  static final long HEARTBEAT_MS = 10_000;
  static final long STALE_AFTER_MS = 60_000;
  private static final int MAX_LEASE_BYTES = 64 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

  private final LeaseFiles files;
  private final Path dir;
  private final long number;
  private final String runId;
  private final ScheduledExecutorService heartbeat;
  /** Why this run lost its lease; null while it holds it. */
  private volatile String lostBecause;

  private RunLease(LeaseFiles files, Path dir, long number, String runId) {
    this.files = files;
    this.dir = dir;
    this.number = number;
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
    LeaseFiles files = new LeaseFiles(fs);
    for (int attempt = 1; ; attempt++) {
      long number = nextNumber(files, dir, warn);
      if (number < 0 && attempt < 3) {
        continue; // the lease vanished while being read (its run ended): look again
      }
      RunLease lease = new RunLease(files, dir, Math.max(number, 0),
          UUID.randomUUID().toString());
      // The commit: of every run creating this number's file, one succeeds.
      if (!files.createIfAbsent(lease.file(), lease.content())) {
        Holder winner = readOrNull(files, lease.file(), w -> { });
        throw new RunDirectoryException(dir + " was taken by another run starting at the same "
            + "time" + (winner == null ? "" : ": " + winner.describe(System.currentTimeMillis()))
            + ". Wait for that run to end, or give this one another output.dir.");
      }
      // A higher number created meanwhile (this run read a lease that a racer replaced
      // before this one's create), or a store without an atomic create (S3A before Hadoop
      // 3.4.2) letting another run write the same file: the read-back says.
      String takenBy = lease.takenBy();
      if (takenBy != null) {
        lease.heartbeat.shutdownNow();
        lease.removeIfStillMine();
        throw new RunDirectoryException(dir + " was taken by another run starting at the same "
            + "time" + takenBy + ". Wait for that run to end, or give this one another "
            + "output.dir.");
      }
      lease.removeOlder();
      lease.heartbeat.scheduleWithFixedDelay(lease::heartbeat, HEARTBEAT_MS, HEARTBEAT_MS,
          TimeUnit.MILLISECONDS);
      return lease;
    }
  }

  /**
   * The number of the lease file to create in {@code dir}: 0 when there is no lease, the next
   * when the highest is stale; -1 when the highest vanished while it was read. Throws when a
   * live run holds the directory.
   */
  private static long nextNumber(LeaseFiles files, Path dir, Consumer<String> warn)
      throws IOException {
    long highest = highest(files, dir);
    if (highest < 0) {
      return 0;
    }
    Path file = file(dir, highest);
    long now = System.currentTimeMillis();
    Holder held = readOrNull(files, file, warn);
    long modified = files.modified(file);
    if (held == null && modified < 0) {
      return -1;
    }
    if (held != null && now - held.heartbeatMillis() <= STALE_AFTER_MS
        && !held.deadOnThisHost()) {
      throw new RunDirectoryException(dir + " is in use by another run: " + held.describe(now)
          + ". Wait for that run to end, or give this one another output.dir. A lease not "
          + "renewed for " + STALE_AFTER_MS / 1000 + " s is taken over (" + file + ").");
    }
    if (held == null && now - modified <= STALE_AFTER_MS) {
      // Being written by a run that has just created it, or rewritten by its heartbeat.
      throw new RunDirectoryException(dir + " is in use by another run: its lease " + file
          + " is being written. Wait for that run to end, or give this one another "
          + "output.dir.");
    }
    if (held != null) {
      warn.accept("taking over the run directory " + dir + " from " + held.describe(now)
          + ": that run is gone");
    }
    return highest + 1;
  }

  public String runId() {
    return runId;
  }

  /** Whether {@code name} is a lease file (for tools that tell a running run from others). */
  public static boolean isLeaseFile(String name) {
    return name.equals(FILE) || NUMBERED.matcher(name).matches();
  }

  /**
   * Throws if the heartbeat found this run's lease taken: cheap, for every round and every
   * write into the run directory.
   */
  public void requireHeld() {
    if (lostBecause != null) {
      throw new LeaseLostException(lostBecause);
    }
  }

  /**
   * Reads the lease back now and throws if it is no longer this run's: before a write that
   * must not land in a directory another run holds (a checkpoint's commit).
   */
  public synchronized void verify() throws IOException {
    requireHeld();
    String takenBy = takenBy();
    if (takenBy == null) {
      return;
    }
    lostBecause = "the run directory " + dir + " was taken over by another run" + takenBy
        + ": this run (" + runId + ") stopped writing into it. Was this driver paused for over "
        + STALE_AFTER_MS / 1000 + " s, or is a second run using the same output.dir?";
    heartbeat.shutdown();
    LOG.error(lostBecause);
    throw new LeaseLostException(lostBecause);
  }

  /**
   * Null while this run's lease is the highest and holds its token; else who holds the
   * directory now, as " (run ...)" or "" when that cannot be read.
   */
  private String takenBy() throws IOException {
    long highest = highest(files, dir);
    Holder now = highest == number ? readOrNull(files, file(), w -> { }) : null;
    // Unreadable but still the highest number: no other run writes this run's number (they
    // create the next one), so it is this run's file, caught mid-rewrite.
    if (highest == number && (now == null || runId.equals(now.runId()))) {
      return null;
    }
    Holder other = highest == number ? now
        : highest >= 0 ? readOrNull(files, file(dir, highest), w -> { }) : null;
    return other == null || other.runId().equals(runId) ? ""
        : " (" + other.describe(System.currentTimeMillis()) + ")";
  }

  /** Synchronized with {@link #verify}: this JVM never reads its lease half rewritten. */
  private synchronized void heartbeat() {
    try {
      verify();
      files.rewrite(file(), content());
    } catch (LeaseLostException e) {
      // verify logged it; the run stops at its next round or write.
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not renew the run directory lease {}: {}", file(), e.toString());
    }
  }

  private Path file() {
    return file(dir, number);
  }

  private static Path file(Path dir, long number) {
    return new Path(dir, number == 0 ? FILE : "_LEASE." + number + ".json");
  }

  /** The highest lease number in {@code dir}, or -1 when there is no lease. */
  private static long highest(LeaseFiles files, Path dir) throws IOException {
    long highest = -1;
    for (String name : files.names(dir)) {
      Matcher m = NUMBERED.matcher(name);
      long n = name.equals(FILE) ? 0 : m.matches() ? Long.parseLong(m.group(1)) : -1;
      highest = Math.max(highest, n);
    }
    return highest;
  }

  /** The leases this one replaced: their runs learn from the number that they lost. */
  private void removeOlder() {
    for (long n = 0; n < number; n++) {
      try {
        files.delete(file(dir, n));
      } catch (IOException e) {
        LOG.warn("could not remove the replaced lease {}: {}", file(dir, n), e.toString());
      }
    }
  }

  private byte[] content() {
    Map<String, Object> lease = new LinkedHashMap<>();
    lease.put("runId", runId);
    lease.put("host", thisHost());
    lease.put("pid", ProcessHandle.current().pid());
    lease.put("heartbeatMillis", System.currentTimeMillis());
    return Json.pretty(lease).getBytes(StandardCharsets.UTF_8);
  }

  /** The lease a file holds; null when it is gone or unreadable (said to {@code warn}). */
  private static Holder readOrNull(LeaseFiles files, Path file, Consumer<String> warn)
      throws IOException {
    byte[] bytes = files.read(file, MAX_LEASE_BYTES);
    if (bytes == null) {
      return null;
    }
    try {
      return parse(bytes);
    } catch (JsonProcessingException e) {
      warn.accept("the lease " + file + " is unreadable (" + e.getOriginalMessage() + ")");
      return null;
    }
  }

  static Holder parse(byte[] bytes) throws IOException {
    JsonNode json = bytes.length == 0 ? null : Json.MAPPER.readTree(bytes);
    if (json == null || !json.path("runId").isTextual() || !json.path("heartbeatMillis")
        .canConvertToLong()) {
      throw new JsonParseException(null, "not a lease: no runId or "
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
    if (lostBecause == null) {
      removeIfStillMine();
    }
  }

  /** Deletes this run's lease file unless another run has written it (S3A's racy create). */
  private void removeIfStillMine() {
    try {
      Holder now = readOrNull(files, file(), w -> { });
      if (now != null && runId.equals(now.runId())) {
        files.delete(file());
      }
    } catch (IOException e) {
      LOG.warn("could not release the run directory lease {}: {}", file(), e.toString());
    }
  }
}
