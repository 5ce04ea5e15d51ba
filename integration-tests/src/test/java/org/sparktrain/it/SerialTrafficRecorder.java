package org.sparktrain.it;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;

/**
 * A JVM-wide deserialization filter factory ({@code -Djdk.serialFilterFactory=} this class) that
 * records the largest depth, reference count, stream bytes and array length any Java
 * deserialization in this JVM reached, then lets the configured filter ({@code jdk.serialFilter})
 * decide as usual. It is how the limits in conf/java-serial-filter were measured: Spark's own
 * traffic (RPC, task closures, task results) must stay inside them.
 *
 * <p>The maxima go to {@code <dir>/serial-<pid>.properties} ({@code -Dserialtraffic.dir=dir}:
 * not {@code -Dspark...}, which Spark refuses in extraJavaOptions) once a second while they
 * change and when the JVM exits, so executor JVMs that are killed rather than stopped still
 * leave their numbers.
 */
public final class SerialTrafficRecorder implements BinaryOperator<ObjectInputFilter> {
  public static final String DIR_PROPERTY = "serialtraffic.dir";

  private static final AtomicLong DEPTH = new AtomicLong();
  private static final AtomicLong REFS = new AtomicLong();
  private static final AtomicLong BYTES = new AtomicLong();
  private static final AtomicLong ARRAY = new AtomicLong();
  private static volatile String bytesAt = "";
  private static volatile boolean changed;

  static {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir != null) {
      Path file = Path.of(dir, "serial-" + ProcessHandle.current().pid() + ".properties");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> write(file)));
      Thread flusher = new Thread(() -> {
        while (true) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
          if (changed) {
            changed = false;
            write(file);
          }
        }
      }, "serial-traffic-recorder");
      flusher.setDaemon(true);
      flusher.start();
    }
  }

  @Override
  public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter requested) {
    return info -> {
      raise(DEPTH, info.depth());
      raise(REFS, info.references());
      if (raise(BYTES, info.streamBytes())) {
        bytesAt = info.serialClass() == null ? "" : info.serialClass().getName();
      }
      raise(ARRAY, info.arrayLength());
      return requested == null ? ObjectInputFilter.Status.UNDECIDED : requested.checkInput(info);
    };
  }

  private static boolean raise(AtomicLong max, long value) {
    long seen = max.get();
    while (value > seen) {
      if (max.compareAndSet(seen, value)) {
        changed = true;
        return true;
      }
      seen = max.get();
    }
    return false;
  }

  private static synchronized void write(Path file) {
    String text = "maxdepth=" + DEPTH.get() + "\nmaxrefs=" + REFS.get() + "\nmaxbytes="
        + BYTES.get() + "\nmaxarray=" + ARRAY.get() + "\nmaxbytesClass=" + bytesAt + "\n";
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
