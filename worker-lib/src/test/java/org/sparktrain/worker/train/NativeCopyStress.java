package org.sparktrain.worker.train;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The validation path's copies under garbage-collection pressure, for a child JVM
 * ({@link NativeArraysUnderGcTest}). Worker threads copy temporaries out of native memory, as
 * {@code MaskedTokenEval} and {@code LanguageModelLoss} do with a network's output, while
 * another thread allocates so that young collections run thousands of times a second; every
 * copy is compared with the expected values.
 *
 * <p>Before {@link NativeArrays} kept its source reachable, a collection that ran between the
 * moment a compiled {@code toFloats} took the buffer's address and the copy found the temporary
 * unreachable, and ND4J's deallocator thread freed its buffer while the copy ran: wrong numbers
 * when the block stayed mapped (here: 150 to 210 of about 25,000 copies in 10 s), a SIGSEGV in
 * memcpy when it was unmapped (the reported crash). Prints the counts; exits 0 when every copy
 * matched, 1 otherwise, and a crash ends the JVM with its own code.
 *
 * <p>Arguments: seconds, floats per array, worker threads.
 */
public final class NativeCopyStress {
  /** Calls before the timed part, so that toFloats runs compiled: interpreted code keeps every
   * local alive to the end of its method, and the bug never shows there. */
  private static final int WARM_UP_CALLS = 50_000;
  private static final int PRESSURE_CHUNK_BYTES = 64 * 1024;

  private NativeCopyStress() {}

  public static void main(String[] args) throws InterruptedException {
    long seconds = Long.parseLong(args[0]);
    int length = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    // A network's sequence output comes in 'f' order; validation copied it as
    // toFloats(output.dup('c')), and that temporary is what was freed.
    INDArray output = Nd4j.linspace(DataType.FLOAT, 1, length, 1).reshape('f', 32, length / 32);
    float[] expected = NativeArrays.toFloats(output.dup('c'));
    INDArray small = Nd4j.linspace(DataType.FLOAT, 1, 4096, 1).reshape('f', 64, 64);
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      NativeArrays.toFloats(small.dup('c'));
    }
    AtomicBoolean running = new AtomicBoolean(true);
    Thread pressure = new Thread(() -> {
      long allocated = 0;
      while (running.get()) {
        allocated += new byte[PRESSURE_CHUNK_BYTES].length;
      }
      System.out.println("pressure allocated " + (allocated >> 20) + " MiB");
    }, "allocation-pressure");
    pressure.start();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong copies = new AtomicLong();
    AtomicLong wrong = new AtomicLong();
    Thread[] workers = new Thread[threads];
    for (int w = 0; w < threads; w++) {
      workers[w] = new Thread(() -> {
        while (System.nanoTime() < end) {
          float[] copy = NativeArrays.toFloats(output.dup('c'));
          copies.incrementAndGet();
          if (!Arrays.equals(copy, expected)) {
            wrong.incrementAndGet();
          }
        }
      }, "copier-" + w);
      workers[w].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    running.set(false);
    pressure.join();
    System.out.println("copies=" + copies + " wrong=" + wrong + " collections="
        + collections());
    System.exit(wrong.get() == 0 ? 0 : 1);
  }

  private static long collections() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += gc.getCollectionCount();
    }
    return n;
  }
}
