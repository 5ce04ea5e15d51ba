package org.sparktrain.worker.backend;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The builds of ND4J's CPU kernels ({@code nd4j-native} 1.0.0-M2.1 classifiers) sparktrain knows.
 * Each lives in its own JavaCPP platform folder ({@code linux-x86_64}, {@code linux-x86_64-avx2},
 * ...), so several can ship in one jar; JavaCPP loads the one named by the system property
 * {@code org.bytedeco.javacpp.platform.extension}. A build compiled for instructions the CPU
 * lacks would die with SIGILL on the first kernel, so each lists the CPU flags it needs
 * (as /proc/cpuinfo spells them; libnd4j's own minimal-requirements check asks for the same).
 */
public enum NativeBuild {
  GENERIC("generic", "", Set.of()),
  AVX2("avx2", "-avx2", Set.of("avx2", "fma", "f16c")),
  AVX512("avx512", "-avx512",
      Set.of("avx2", "fma", "f16c", "avx512f", "avx512cd", "avx512vl", "avx512bw", "avx512dq")),
  /** Intel's oneDNN kernels for convolutions, pooling and batch normalization, on AVX2. */
  ONEDNN_AVX2("onednn-avx2", "-onednn-avx2", Set.of("avx2", "fma", "f16c"));

  /** Where the nd4j-native jars keep their libraries; {@link #platform()} and the extension follow. */
  private static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";
  private static final String LIBRARY = "libjnind4jcpu.so";

  private final String key;
  private final String extension;
  private final Set<String> cpuFlags;

  NativeBuild(String key, String extension, Set<String> cpuFlags) {
    this.key = key;
    this.extension = extension;
    this.cpuFlags = cpuFlags;
  }

  /** What {@code spark.sparktrain.native} calls it. */
  public String key() {
    return key;
  }

  /** JavaCPP's {@code platform.extension} for this build ("" for the generic one). */
  public String extension() {
    return extension;
  }

  /** The CPU flags this build's code uses; the CPU must have every one. */
  public Set<String> cpuFlags() {
    return cpuFlags;
  }

  /** Whether a CPU with {@code flags} can run this build. */
  public boolean runsOn(Set<String> flags) {
    return flags.containsAll(cpuFlags);
  }

  /** Whether this build's libraries are on the classpath (the application jar carries it). */
  public boolean isPresent() {
    ClassLoader loader = NativeBuild.class.getClassLoader();
    return loader.getResource(BINDINGS + platform() + extension + "/" + LIBRARY) != null;
  }

  /** The builds whose libraries are on the classpath, in declaration order. */
  public static List<NativeBuild> present() {
    return Arrays.stream(values()).filter(NativeBuild::isPresent).toList();
  }

  public static Optional<NativeBuild> ofKey(String key) {
    String k = key.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(b -> b.key.equals(k)).findFirst();
  }

  /** The build a JavaCPP extension names ("" or null: generic); empty for one we do not know. */
  public static Optional<NativeBuild> ofExtension(String extension) {
    String e = extension == null ? "" : extension.trim();
    return Arrays.stream(values()).filter(b -> b.extension.equals(e)).findFirst();
  }

  /**
   * The build a loaded library's path comes from: the folder after {@code bindings/}, e.g.
   * {@code .../bindings/linux-x86_64-avx2/libnd4jcpu.so}.
   */
  public static Optional<NativeBuild> ofLibraryPath(String path) {
    String p = path.replace('\\', '/');
    int at = p.lastIndexOf("/" + platform());
    if (at < 0) {
      return Optional.empty();
    }
    String folder = p.substring(at + 1, p.indexOf('/', at + 1) < 0 ? p.length()
        : p.indexOf('/', at + 1));
    return ofExtension(folder.substring(platform().length()));
  }

  /** "generic, avx2, avx512". */
  public static String keys(List<NativeBuild> builds) {
    return builds.stream().map(NativeBuild::key).collect(Collectors.joining(", "));
  }

  /**
   * JavaCPP's platform name for this JVM, spelled as JavaCPP does, without touching JavaCPP
   * (whose first properties lookup would fix the extension before it is chosen).
   */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macosx"
        : os.startsWith("windows") ? "windows" : os;
    String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") ? "arm64" : arch;
    return osPart + "-" + archPart;
  }
}
