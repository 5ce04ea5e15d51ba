package org.sparktrain.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.sparktrain.worker.sync.Handshake;
import org.sparktrain.worker.sync.LinkSecurity;

/**
 * A hostile user on the same machine, as a black box: it watches for TCP ports that the test's
 * own processes (this JVM and its child executor JVMs) start listening on after it starts, which
 * during training are sparktrain's data-plane ports (rendezvous, round feed, mesh), and attacks
 * each new port at once: a connection that says nothing, a megabyte of noise, a well-formed
 * handshake with a key of its own claiming rank 0, and the registration a worker sent before the
 * data plane was secured (a rank and an address in the clear). It only ever connects to
 * loopback ports of the test's own processes.
 */
final class PortIntruder implements AutoCloseable {
  private static final long POLL_MS = 2;

  /** Ports seen so far: the ones there before the start are never attacked. */
  private final Set<Integer> known;
  /** Listening ports of other processes: never attacked, looked up once. */
  private final Set<Integer> foreign = new HashSet<>();
  private final Map<Integer, List<String>> outcomes = new ConcurrentHashMap<>();
  private final List<Socket> silent = new ArrayList<>();
  private final ExecutorService attacks = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "port-intruder");
    t.setDaemon(true);
    return t;
  });
  private final Thread watcher;
  private volatile boolean stopped;

  private PortIntruder() throws IOException {
    known = ConcurrentHashMap.newKeySet();
    known.addAll(listeningPorts());
    watcher = new Thread(this::watch, "port-intruder-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Starts watching; every port already listening is left alone. */
  static PortIntruder start() throws IOException {
    return new PortIntruder();
  }

  private void watch() {
    while (!stopped) {
      try {
        for (int port : listeningPorts()) {
          if (known.add(port)) {
            attack(port);
          }
        }
        Thread.sleep(POLL_MS);
      } catch (IOException e) {
        // a process ended while its sockets were read: look again
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void attack(int port) {
    outcomes.put(port, Collections.synchronizedList(new ArrayList<>()));
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      synchronized (silent) {
        silent.add(s);
      }
    } catch (IOException e) {
      // the port closed already
    }
    attacks.submit(() -> record(port, "noise", noise(port)));
    attacks.submit(() -> record(port, "foreign key", foreignHandshake(port)));
    attacks.submit(() -> record(port, "plain registration", plainRegistration(port)));
  }

  private void record(int port, String attack, String outcome) {
    outcomes.get(port).add(attack + ": " + outcome);
  }

  /** What each attacked port gave each attack: "refused..." or "ADMITTED". */
  Map<Integer, List<String>> outcomes() {
    return outcomes;
  }

  private static String noise(int port) {
    try (Socket s = connect(port)) {
      byte[] noise = new byte[1 << 20];
      new Random(port).nextBytes(noise);
      try {
        s.getOutputStream().write(noise);
        s.getOutputStream().flush();
      } catch (IOException e) {
        return "refused while sending";
      }
      return answer(s.getInputStream());
    } catch (IOException e) {
      return "refused: " + e.getMessage();
    }
  }

  private static String foreignHandshake(int port) {
    byte[] secret = new byte[32];
    new Random(port).nextBytes(secret);
    LinkSecurity mine = LinkSecurity.derive(secret, new byte[16], false);
    for (String channel : List.of("rendezvous", "feed", "mesh")) {
      try (Socket s = connect(port)) {
        Handshake.connect(s, mine, channel, 0, channel.equals("mesh") ? 1 : -1, 1024, 5000);
        return "ADMITTED on channel " + channel;
      } catch (IOException e) {
        // refused on this channel: try the next
      }
    }
    return "refused on every channel";
  }

  /** rank 0 and an address, as the rendezvous took them before it was secured. */
  private static String plainRegistration(int port) {
    try (Socket s = connect(port)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(0);
      out.writeUTF("127.0.0.1:1@00000000-0000-0000-0000-000000000000");
      out.flush();
      return answer(s.getInputStream());
    } catch (IOException e) {
      return "refused: " + e.getMessage();
    }
  }

  /**
   * What came back beyond a listener's challenge: a data-plane listener sends its challenge and
   * then, to a stranger, nothing before closing.
   */
  private static String answer(InputStream in) {
    try {
      DataInputStream data = new DataInputStream(in);
      data.readFully(new byte[4 + 32]);
      return data.read() < 0 ? "refused (closed)" : "ADMITTED (it answered)";
    } catch (IOException e) {
      return "refused: " + e.getMessage();
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(20_000);
    return s;
  }

  /**
   * TCP ports on 127.0.0.1 in LISTEN state whose sockets belong to this JVM or its children.
   * The socket tables are read every poll; whose a new port is, only once (it is the costly
   * part), so the poll can be fast enough to catch a mesh port in the moments it is open.
   */
  private Set<Integer> listeningPorts() throws IOException {
    Map<Integer, String> listening = new HashMap<>();
    // Java's sockets are IPv6 ones where the kernel has IPv6: 127.0.0.1 is then listed in tcp6
    // as the IPv4-mapped address.
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      if (!Files.exists(Path.of(table))) {
        continue;
      }
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN.
        if (f.length > 9 && f[3].equals("0A")) {
          int colon = f[1].indexOf(':');
          String ip = f[1].substring(0, colon);
          if (ip.equals("0100007F") || ip.equals("0000000000000000FFFF00000100007F")) {
            listening.put(Integer.parseInt(f[1].substring(colon + 1), 16), f[9]);
          }
        }
      }
    }
    Set<Integer> ours = new HashSet<>();
    Set<String> inodes = null;
    for (Map.Entry<Integer, String> e : listening.entrySet()) {
      if (foreign.contains(e.getKey())) {
        continue;
      }
      if (known == null || !known.contains(e.getKey())) {
        if (inodes == null) {
          inodes = socketInodesOfOurProcesses();
        }
        if (inodes.contains(e.getValue())) {
          ours.add(e.getKey());
        } else {
          foreign.add(e.getKey());
        }
      } else {
        ours.add(e.getKey());
      }
    }
    return ours;
  }

  private static Set<String> socketInodesOfOurProcesses() {
    Set<String> inodes = new HashSet<>();
    List<ProcessHandle> ours = new ArrayList<>();
    ours.add(ProcessHandle.current());
    ProcessHandle.current().descendants().forEach(ours::add);
    for (ProcessHandle p : ours) {
      Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
      try (Stream<Path> links = Files.list(fds)) {
        links.forEach(l -> {
          try {
            String target = Files.readSymbolicLink(l).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (IOException e) {
            // closed meanwhile
          }
        });
      } catch (IOException e) {
        // the process ended
      }
    }
    return inodes;
  }

  /** Ports attacked. */
  int portsAttacked() {
    return outcomes.size();
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    watcher.join(2000);
    attacks.shutdown();
    attacks.awaitTermination(60, TimeUnit.SECONDS);
    synchronized (silent) {
      for (Socket s : silent) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
  }
}
