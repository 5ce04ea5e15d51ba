package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.output.LeaseLostException;
import org.sparktrain.driver.output.RunDirectoryException;
import org.sparktrain.driver.output.RunLease;
import org.sparktrain.it.fixtures.S3Server;
import org.sparktrain.it.fixtures.SharedHdfs;

/**
 * Runs racing for one run directory on HDFS (atomic create-if-absent: exactly one wins every
 * race) and on S3 (Hadoop 3.3.4's create is check-then-PUT: once the race settles, exactly one
 * still holds the lease). Each runner has its own FileSystem client, as separate drivers do.
 */
class LeaseOnStoresTest {
  private static final int RUNNERS = 4;

  /** The leases the runners got, each runner with its own client. */
  private static List<RunLease> race(List<FileSystem> clients, Path run, ExecutorService pool)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(clients.size());
    List<Future<RunLease>> tries = new ArrayList<>();
    for (FileSystem fs : clients) {
      tries.add(pool.submit(() -> {
        start.await();
        try {
          return RunLease.acquire(fs, run, w -> { });
        } catch (RunDirectoryException refused) {
          return null;
        }
      }));
    }
    List<RunLease> won = new ArrayList<>();
    for (Future<RunLease> t : tries) {
      if (t.get() != null) {
        won.add(t.get());
      }
    }
    return won;
  }

  private static List<FileSystem> clients(URI uri, Configuration conf) throws Exception {
    List<FileSystem> clients = new ArrayList<>();
    for (int i = 0; i < RUNNERS; i++) {
      clients.add(FileSystem.newInstance(uri, conf));
    }
    return clients;
  }

  @Test
  void onHdfsExactlyOneOfTheRacingRunsWinsEveryTime() throws Exception {
    SharedHdfs hdfs = SharedHdfs.shared();
    List<FileSystem> clients = clients(hdfs.uri(), hdfs.configuration());
    ExecutorService pool = Executors.newFixedThreadPool(RUNNERS);
    try {
      for (int i = 0; i < 50; i++) {
        Path run = new Path(hdfs.uri() + "/it/lease-" + System.nanoTime());
        List<RunLease> won = race(clients, run, pool);
        assertThat(won).as("race %d", i).hasSize(1);
        won.get(0).close();
      }
    } finally {
      pool.shutdownNow();
      for (FileSystem fs : clients) {
        fs.close();
      }
    }
  }

  @Test
  void onS3OnceTheRaceSettlesExactlyOneHoldsTheLease() throws Exception {
    S3Server s3 = S3Server.shared();
    Configuration conf = s3.hadoopConf(new Configuration());
    List<FileSystem> clients = clients(URI.create(s3.s3aRoot()), conf);
    ExecutorService pool = Executors.newFixedThreadPool(RUNNERS);
    int racesWithSeveralWinners = 0;
    try {
      for (int i = 0; i < 20; i++) {
        Path run = new Path(s3.s3aRoot() + "/it/lease-" + System.nanoTime());
        List<RunLease> won = race(clients, run, pool);
        racesWithSeveralWinners += won.size() > 1 ? 1 : 0;
        List<RunLease> holding = new ArrayList<>();
        for (RunLease lease : won) {
          try {
            lease.verify();
            holding.add(lease);
          } catch (LeaseLostException lost) {
            lease.close();
          }
        }
        assertThat(holding).as("race %d", i).hasSize(1);
        holding.get(0).close();
      }
    } finally {
      System.out.println("S3: races with more than one winner at acquisition: "
          + racesWithSeveralWinners + " of 20");
      pool.shutdownNow();
      for (FileSystem fs : clients) {
        fs.close();
      }
    }
  }
}
