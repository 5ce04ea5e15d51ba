package org.sparktrain.worker.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which ND4J backend this JVM loaded, and whether it is the one the spec asked for. ND4J picks
 * its backend from the classpath (nd4j-native or nd4j-cuda-11.6, chosen at build time by the
 * Maven profile), so a mismatch cannot be fixed at run time: it fails with what to change.
 */
public final class BackendProbe {
  private BackendProbe() {}

  /**
   * Prints the backend this classpath gives, checked against {@code args[0]} (auto, cpu, cuda);
   * exits 3 with the reason when it is not available. Used by scripts/check-cuda-build.sh.
   */
  public static void main(String[] args) {
    BackendChoice choice = BackendChoice.valueOf(
        (args.length > 0 ? args[0] : "auto").toUpperCase(Locale.ROOT));
    try {
      BackendInfo info = require(choice);
      System.out.println("backend: " + info.kind() + ": " + info.description());
      if (info.nativeKernels() != null) {
        System.out.println("native kernels: " + info.nativeKernels());
      }
    } catch (BackendException e) {
      System.out.println("backend unavailable: " + e.getMessage());
      System.exit(3);
    }
  }

  /**
   * Describes the backend of this JVM (loads ND4J if it is not loaded yet), as the driver's; an
   * executor renames it ({@link BackendInfo#inJvm}).
   */
  public static BackendInfo current() {
    Optional<NativeChoice> chosen = NativeKernels.current();
    Properties env;
    try {
      env = Nd4j.getExecutioner().getEnvironmentInformation();
    } catch (RuntimeException | LinkageError e) {
      throw new BackendException("ND4J could not start its backend: " + rootMessage(e)
          + ". A CUDA build needs an NVIDIA GPU with CUDA 11.6 libraries (cudart, cuBLAS, "
          + "cuSOLVER) on the library path; a CPU build needs linux-x86_64.");
    }
    boolean cpu = "CPU".equalsIgnoreCase(String.valueOf(env.get("backend")));
    String description = cpu ? describeCpu(env) : describeGpu(env);
    return new BackendInfo(cpu ? "cpu" : "cuda", description, Pointer.maxBytes(),
        Pointer.maxPhysicalBytes(), cpu ? loadedKernels(chosen) : null, "driver");
  }

  /**
   * The choice as JavaCPP carried it out: the build is read from the path of the library it
   * loaded, so a report cannot claim kernels this JVM does not run.
   */
  private static NativeChoice loadedKernels(Optional<NativeChoice> chosen) {
    NativeBuild loaded = NativeKernels.loadedBuild().orElse(null);
    NativeChoice choice = chosen.orElse(null);
    if (choice == null || loaded == null) {
      return choice != null ? choice : loaded == null ? null
          : new NativeChoice(loaded, NativeKernels.AUTO, "loaded without a choice");
    }
    return loaded == choice.build() ? choice : new NativeChoice(loaded, choice.requested(),
        "JavaCPP loaded " + loaded.key() + " although " + choice.build().key() + " was chosen");
  }

  /** Fails unless this JVM's backend satisfies {@code choice}; returns what it runs. */
  public static BackendInfo require(BackendChoice choice) {
    BackendInfo info = current();
    if (choice == BackendChoice.CUDA && !info.kind().equals("cuda")) {
      throw new BackendException("train.backend: cuda was asked for, but this JVM runs ND4J's "
          + "CPU backend (" + info.description() + "). Build the application with the Maven "
          + "profile -Pcuda (nd4j-cuda-11.6) and run it where an NVIDIA GPU and the CUDA 11.6 "
          + "libraries are, or set train.backend to auto or cpu.");
    }
    if (choice == BackendChoice.CPU && !info.kind().equals("cpu")) {
      throw new BackendException("train.backend: cpu was asked for, but this build carries "
          + "ND4J's CUDA backend (" + info.description() + "). Use the default (CPU) build, or "
          + "set train.backend to auto or cuda.");
    }
    return info;
  }

  private static String describeCpu(Properties env) {
    return "CPU, " + env.getOrDefault("blas.vendor", "unknown BLAS") + " BLAS, "
        + env.getOrDefault("cores", "?") + " cores, " + env.getOrDefault("omp.threads", "?")
        + " OpenMP threads, instruction set " + instructionSet();
  }

  private static String describeGpu(Properties env) {
    Object devices = env.get("cuda.devicesInformation");
    List<String> names = new ArrayList<>();
    if (devices instanceof List<?> list) {
      for (Object d : list) {
        if (d instanceof Map<?, ?> m) {
          Object total = m.get("cuda.totalMemory");
          names.add(m.get("cuda.deviceName") + (total instanceof Number n
              ? String.format(Locale.ROOT, " (%.1f GiB)", n.doubleValue() / (1L << 30)) : ""));
        }
      }
    }
    return "CUDA, " + (names.isEmpty() ? "GPU details unavailable" : String.join(", ", names));
  }

  /** The widest SIMD extension the CPU reports (from /proc/cpuinfo on Linux). */
  static String instructionSet() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split(" "));
          if (flags.contains("avx512f")) {
            return "AVX-512";
          }
          return flags.contains("avx2") ? "AVX2" : flags.contains("avx") ? "AVX" : "SSE";
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: say so rather than guess.
    }
    return System.getProperty("os.arch") + " (flags unknown)";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
