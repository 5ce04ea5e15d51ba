package org.sparktrain.driver.train.sync;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.sparktrain.worker.sync.LinkSecurity;

/**
 * What the tasks of one collective attempt need to secure its data plane (the driver's
 * {@link Rendezvous} and {@link RoundFeed}, the workers' mesh), as Spark secures its own RPC:
 *
 * <ul>
 *   <li>With {@code spark.authenticate}, every side derives the attempt's key from Spark's own
 *       application secret (which Spark hands every executor) and a fresh nonce; only the nonce
 *       travels with the tasks, so the secret never leaves where Spark put it.
 *   <li>Without it, a random token travels with the tasks instead. That keeps out port scanners
 *       and stray connections, but the task descriptions then cross Spark's unauthenticated
 *       RPC, so anyone who can reach Spark's own ports can read the token (and run code
 *       anyway): {@link #warnIfUnauthenticated} says so once per run.
 *   <li>Frames are sealed with AES-GCM when {@code spark.network.crypto.enabled} or
 *       {@code spark.io.encryption.enabled} is on: no new setting to learn.
 * </ul>
 *
 * <p>{@link #toString} shows no byte of the nonce or token: this object sits in a task closure
 * and in stack traces.
 */
record DataPlaneCredentials(byte[] nonce, byte[] token, boolean encrypt)
    implements Serializable {
  static final String AUTHENTICATE_KEY = "spark.authenticate";
  static final String NETWORK_CRYPTO_KEY = "spark.network.crypto.enabled";
  static final String IO_ENCRYPTION_KEY = "spark.io.encryption.enabled";
  private static final int NONCE_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Fresh for one attempt of a stretch, on the driver. */
  static DataPlaneCredentials forAttempt(SparkConf conf) {
    boolean authenticated = conf.getBoolean(AUTHENTICATE_KEY, false);
    boolean encrypt = conf.getBoolean(NETWORK_CRYPTO_KEY, false)
        || conf.getBoolean(IO_ENCRYPTION_KEY, false);
    return new DataPlaneCredentials(random(), authenticated ? null : random(), encrypt);
  }

  /** The attempt's key, derived where it is used: on the driver or in a task. */
  LinkSecurity linkSecurity() {
    return LinkSecurity.derive(token != null ? token : sparkSecret(), nonce, encrypt);
  }

  boolean sparkAuthenticated() {
    return token == null;
  }

  /** Says once per run what an unauthenticated data plane exposes. */
  static void warnIfUnauthenticated(SparkConf conf, Logger log) {
    if (!conf.getBoolean(AUTHENTICATE_KEY, false)) {
      log.warn("{} is off: the collective data plane (the driver's rendezvous and round feed, the "
          + "workers' synchronization ports) admits only connections that prove a per-stretch "
          + "token, but that token travels in task descriptions over Spark's unauthenticated "
          + "RPC, so anyone who can reach this application's ports could read it and take part "
          + "in averaging. On a shared network turn on {} (and {} to encrypt the parameters).",
          AUTHENTICATE_KEY, AUTHENTICATE_KEY, NETWORK_CRYPTO_KEY);
    }
  }

  /**
   * Spark's application secret, as this JVM's Spark holds it (from the configuration, a file,
   * the environment Spark gave the executor, or YARN's credentials). SecurityManager is
   * package-private in Scala only, so Java sees it; it is the one place that knows all those
   * sources, and reimplementing its lookup would drift from it.
   */
  private static byte[] sparkSecret() {
    SparkEnv env = SparkEnv.get();
    String secret = env == null ? null : env.securityManager().getSecretKey();
    if (secret == null || secret.isEmpty()) {
      throw new IllegalStateException(AUTHENTICATE_KEY + " is on but this JVM's Spark holds "
          + "no application secret");
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] random() {
    byte[] b = new byte[NONCE_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }

  @Override
  public String toString() {
    return "DataPlaneCredentials[" + (token == null ? "spark.authenticate" : "per-stretch token")
        + (encrypt ? ", AES-GCM" : "") + "]";
  }
}
