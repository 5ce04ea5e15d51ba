package org.sparktrain.worker.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the build of ND4J's CPU kernels this JVM loads, once, before ND4J loads.
 *
 * <p>The builds differ in speed (the MNIST MLP single-threaded: generic 6,491 ex/s, avx2 8,738,
 * avx512 8,904 on an AVX-512 EPYC) and round differently, so results are bitwise reproducible
 * per build, not across builds. {@code auto} takes the fastest build present that the CPU can
 * run ({@link #AUTO_ORDER}); {@code spark.sparktrain.native} names one instead. JavaCPP reads its
 * {@code platform.extension} property when it loads ND4J's library, and a JVM loads it once, so
 * the choice must come first: on the driver from the command line's main, the notebook entry
 * point and the Spark ML estimators, on executors from sparktrain's executor plugin and, should
 * a session lack it, from the first sparktrain code in a task.
 */
public final class NativeKernels {
  /** The Spark setting (also read as a JVM system property, which spark-submit sets). */
  public static final String SETTING = "spark.sparktrain.native";
  public static final String AUTO = "auto";
  /** JavaCPP's property naming the platform folder's suffix it loads libraries from. */
  static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
  /** ND4J's JNI library: loaded means the choice is made, whatever this class says. */
  private static final String ND4J_LIBRARY = "jnind4jcpu";
  /**
   * Fastest first, as measured on the MNIST MLP (single thread, same machine): avx512 8,904 ex/s,
   * onednn-avx2 9,021, avx2 8,738, generic 6,491. oneDNN is within noise of avx512 there and only
   * ships with the {@code natives-onednn} profile, which a user builds to get it: so when present
   * it wins.
   */
  static final List<NativeBuild> AUTO_ORDER = List.of(NativeBuild.ONEDNN_AVX2,
      NativeBuild.AVX512, NativeBuild.AVX2, NativeBuild.GENERIC);

  private static final Logger LOG = LoggerFactory.getLogger(NativeKernels.class);
  private static boolean decided;
  private static NativeChoice chosen;

  private NativeKernels() {}

  /**
   * Makes this JVM's choice from {@code requested} (null or blank: the system property
   * {@value #SETTING}, else auto) unless it was made already, and returns it; empty in a build
   * without ND4J's CPU kernels (the CUDA one) under auto. Call before anything touches ND4J;
   * later calls return the first choice whatever they ask.
   *
   * @throws BackendException when the build asked for is unknown, not shipped, or not
   *     runnable on this CPU
   */
  public static synchronized Optional<NativeChoice> chooseBeforeNd4j(String requested) {
    if (decided) {
      return Optional.ofNullable(chosen);
    }
    String asked = requested == null || requested.isBlank()
        ? System.getProperty(SETTING, AUTO) : requested;
    List<NativeBuild> present = NativeBuild.present();
    if (present.isEmpty() && asked.trim().equalsIgnoreCase(AUTO)) {
      decided = true;
      return Optional.empty();
    }
    NativeChoice choice = select(asked, System.getProperty(EXTENSION_PROPERTY),
        CpuFlags.read(), present);
    // Set before anything touches JavaCPP's Loader: once that class has initialized, a new value
    // is ignored (measured: avx512 loaded though -avx2 was set after). Empty, not unset, for the
    // generic build: unset, ND4J's preset tries -avx512 and -avx2 first, whatever the CPU.
    System.setProperty(EXTENSION_PROPERTY, choice.build().extension());
    Optional<NativeBuild> loaded = loadedBuild();
    if (loaded.isPresent() && loaded.get() != choice.build()) {
      LOG.warn("ND4J native kernels: wanted {} but ND4J was loaded before sparktrain could "
          + "choose and runs {}; start the JVM with -D{}={} to fix it", choice,
          loaded.get().key(), EXTENSION_PROPERTY, choice.build().extension());
      choice = new NativeChoice(loaded.get(), choice.requested(),
          "ND4J was loaded before the choice (wanted " + choice.build().key() + ")");
    } else {
      LOG.info("ND4J native kernels: {}", choice);
    }
    chosen = choice;
    decided = true;
    return Optional.of(choice);
  }

  /** This JVM's choice, made with the defaults if nothing chose yet. */
  public static Optional<NativeChoice> current() {
    return chooseBeforeNd4j(null);
  }

  /** The build whose ND4J library JavaCPP loaded in this JVM, if it has loaded one. */
  public static Optional<NativeBuild> loadedBuild() {
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      if (e.getKey().contains(ND4J_LIBRARY) && e.getValue() != null) {
        return NativeBuild.ofLibraryPath(e.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * The choice for a request, with JavaCPP's own property (a user's
   * {@code -Dorg.bytedeco.javacpp.platform.extension}) honoured under auto.
   */
  static NativeChoice select(String requested, String extensionProperty, Set<String> cpuFlags,
      List<NativeBuild> present) {
    String asked = requested.trim().toLowerCase(Locale.ROOT);
    if (asked.equals(AUTO)) {
      if (extensionProperty != null) {
        NativeBuild set = NativeBuild.ofExtension(extensionProperty).orElseThrow(() ->
            new BackendException("-D" + EXTENSION_PROPERTY + "=" + extensionProperty
                + " names no build sparktrain knows; allowed: " + allowedExtensions()));
        return new NativeChoice(set, AUTO, "set by -D" + EXTENSION_PROPERTY);
      }
      return automatic(cpuFlags, present);
    }
    NativeBuild build = NativeBuild.ofKey(asked).orElseThrow(() -> new BackendException(
        SETTING + "=" + requested + " is not allowed; allowed: " + AUTO + ", "
            + NativeBuild.keys(List.of(NativeBuild.values()))));
    if (!present.contains(build)) {
      throw new BackendException(SETTING + "=" + build.key() + ": this build of "
          + "sparktrain does not carry ND4J's " + build.key() + " kernels (it carries "
          + NativeBuild.keys(present) + "); build the application jar with -Pnatives-onednn "
          + "for onednn-avx2, or choose another");
    }
    if (!cpuFlags.isEmpty() && !build.runsOn(cpuFlags)) {
      throw new BackendException(SETTING + "=" + build.key() + ": this CPU lacks "
          + missing(build, cpuFlags) + ", which the " + build.key() + " kernels use (they would "
          + "crash the JVM); choose " + automatic(cpuFlags, present).build().key() + " or auto");
    }
    return new NativeChoice(build, build.key(), "set by " + SETTING);
  }

  private static NativeChoice automatic(Set<String> cpuFlags, List<NativeBuild> present) {
    for (NativeBuild b : AUTO_ORDER) {
      if (present.contains(b) && b.runsOn(cpuFlags)) {
        return new NativeChoice(b, AUTO, "auto: the fastest of " + NativeBuild.keys(present)
            + " this CPU runs" + (cpuFlags.isEmpty() ? " (CPU flags unknown)" : ""));
      }
    }
    throw new BackendException("no ND4J CPU kernels on the classpath (the application "
        + "jar should carry nd4j-native for linux-x86_64)");
  }

  private static String missing(NativeBuild build, Set<String> cpuFlags) {
    List<String> missing = new ArrayList<>(build.cpuFlags());
    missing.removeAll(cpuFlags);
    missing.sort(null);
    return String.join(", ", missing);
  }

  private static String allowedExtensions() {
    List<String> all = new ArrayList<>();
    for (NativeBuild b : NativeBuild.values()) {
      all.add(b.extension().isEmpty() ? "(empty)" : b.extension());
    }
    return String.join(", ", all);
  }
}
