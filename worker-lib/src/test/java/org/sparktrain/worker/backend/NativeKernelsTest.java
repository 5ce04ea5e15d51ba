package org.sparktrain.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The choice of ND4J's CPU kernels from a request, the CPU's flags and the builds shipped. */
class NativeKernelsTest {
  private static final Set<String> AVX512_CPU = Set.of("sse4_2", "avx", "avx2", "fma", "f16c",
      "avx512f", "avx512cd", "avx512vl", "avx512bw", "avx512dq", "avx512_bf16");
  private static final Set<String> AVX2_CPU = Set.of("sse4_2", "avx", "avx2", "fma", "f16c");
  private static final Set<String> OLD_CPU = Set.of("sse4_2", "avx");
  private static final List<NativeBuild> SHIPPED =
      List.of(NativeBuild.GENERIC, NativeBuild.AVX2, NativeBuild.AVX512);

  @Test
  void autoTakesTheWidestBuildTheCpuRuns() {
    assertThat(NativeKernels.select("auto", null, AVX512_CPU, SHIPPED).build())
        .isEqualTo(NativeBuild.AVX512);
    assertThat(NativeKernels.select("auto", null, AVX2_CPU, SHIPPED).build())
        .isEqualTo(NativeBuild.AVX2);
    assertThat(NativeKernels.select("AUTO", null, OLD_CPU, SHIPPED).build())
        .isEqualTo(NativeBuild.GENERIC);
    // Unknown flags (not Linux): only the generic build is safe.
    assertThat(NativeKernels.select("auto", null, Set.of(), SHIPPED).build())
        .isEqualTo(NativeBuild.GENERIC);
    NativeChoice choice = NativeKernels.select("auto", null, AVX512_CPU, SHIPPED);
    assertThat(choice.requested()).isEqualTo("auto");
    assertThat(choice.reason()).contains("generic, avx2, avx512");
  }

  @Test
  void autoPrefersOneDnnWhereTheJarCarriesIt() {
    List<NativeBuild> all = List.of(NativeBuild.values());
    assertThat(NativeKernels.select("auto", null, AVX512_CPU, all).build())
        .isEqualTo(NativeBuild.ONEDNN_AVX2);
    assertThat(NativeKernels.select("auto", null, OLD_CPU, all).build())
        .isEqualTo(NativeBuild.GENERIC);
  }

  @Test
  void aNamedBuildIsTakenWhenShippedAndRunnable() {
    NativeChoice choice = NativeKernels.select("generic", null, AVX512_CPU, SHIPPED);
    assertThat(choice.build()).isEqualTo(NativeBuild.GENERIC);
    assertThat(choice.reason()).isEqualTo("set by spark.sparktrain.native");
    assertThat(NativeKernels.select(" avx2 ", null, AVX512_CPU, SHIPPED).build())
        .isEqualTo(NativeBuild.AVX2);
    // The setting wins over JavaCPP's own property.
    assertThat(NativeKernels.select("avx2", "-avx512", AVX512_CPU, SHIPPED).build())
        .isEqualTo(NativeBuild.AVX2);
  }

  @Test
  void javaCppsOwnPropertyIsHonouredUnderAuto() {
    NativeChoice choice = NativeKernels.select("auto", "-avx2", AVX512_CPU, SHIPPED);
    assertThat(choice.build()).isEqualTo(NativeBuild.AVX2);
    assertThat(choice.reason()).contains("org.bytedeco.javacpp.platform.extension");
    assertThatThrownBy(() -> NativeKernels.select("auto", "-sse9", AVX512_CPU, SHIPPED))
        .isInstanceOf(BackendException.class).hasMessageContaining("-sse9")
        .hasMessageContaining("-avx2, -avx512");
  }

  @Test
  void badRequestsSayWhatIsAllowed() {
    assertThatThrownBy(() -> NativeKernels.select("avx1024", null, AVX512_CPU, SHIPPED))
        .isInstanceOf(BackendException.class)
        .hasMessage("spark.sparktrain.native=avx1024 is not allowed; allowed: auto, generic, "
            + "avx2, avx512, onednn-avx2");
    assertThatThrownBy(() -> NativeKernels.select("onednn-avx2", null, AVX512_CPU, SHIPPED))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("does not carry ND4J's onednn-avx2 kernels (it carries generic, "
            + "avx2, avx512)").hasMessageContaining("-Pnatives-onednn");
    assertThatThrownBy(() -> NativeKernels.select("avx512", null, AVX2_CPU, SHIPPED))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("this CPU lacks avx512bw, avx512cd, avx512dq, avx512f, avx512vl")
        .hasMessageContaining("choose avx2 or auto");
  }

  @Test
  void theBuildIsReadFromTheLoadedLibrarysFolder() {
    String cache = "/root/.javacpp/cache/nd4j-native-1.0.0-M2.1-linux-x86_64-avx2.jar/org/nd4j/"
        + "linalg/cpu/nativecpu/bindings/";
    assertThat(NativeBuild.ofLibraryPath(cache + "linux-x86_64-avx2/libjnind4jcpu.so"))
        .contains(NativeBuild.AVX2);
    assertThat(NativeBuild.ofLibraryPath(cache + "linux-x86_64/libjnind4jcpu.so"))
        .contains(NativeBuild.GENERIC);
    assertThat(NativeBuild.ofLibraryPath(cache + "linux-x86_64-onednn-avx2/libjnind4jcpu.so"))
        .contains(NativeBuild.ONEDNN_AVX2);
    assertThat(NativeBuild.ofLibraryPath("/usr/lib/libfoo.so")).isEmpty();
  }

  @Test
  void theCpuFlagsComeFromTheFirstProcessor() {
    assertThat(CpuFlags.parse("processor\t: 0\nflags\t\t: fpu avx2  fma\nbugs\t: x\n"
        + "processor\t: 1\nflags\t\t: fpu\n")).containsExactlyInAnyOrder("fpu", "avx2", "fma");
    assertThat(CpuFlags.parse("processor : 0\n")).isEmpty();
  }

  @Test
  void thisBuildShipsGenericAvx2AndAvx512() {
    assertThat(NativeBuild.present()).contains(NativeBuild.GENERIC, NativeBuild.AVX2,
        NativeBuild.AVX512);
  }
}
