package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.optim.OptimizerConfig;

/** A model file from anyone: what DL4J would have done with it, and what sparktrain does. */
class ModelZipTest {
  /** Set when Java deserialization runs this class's code: what an attacker's gadget does. */
  static volatile boolean gadgetRan;

  /** Stands for a gadget class: its readObject runs during deserialization. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      gadgetRan = true;
    }
  }

  private static Network network(int in, int hidden) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3)
        .updater(new Adam(1e-3)).list()
        .layer(new DenseLayer.Builder().nIn(in).nOut(hidden).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build();
    return Network.of(conf);
  }

  private static Map<String, byte[]> entries(Network net) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    net.save(out);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    }
    return entries;
  }

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private static Network restore(byte[] zip) throws IOException {
    return Network.restore(new ByteArrayInputStream(zip), "model.zip");
  }

  @Test
  void aModelSparktrainWrote_loadsWithItsParametersAndOptimizerState() throws IOException {
    Network net = network(4, 8);
    Network back = restore(zip(entries(net)));
    assertThat(back.params().toFloatVector()).containsExactly(net.params().toFloatVector());
    assertThat(back.updaterState().length()).isEqualTo(net.updaterState().length());
  }

  @Test
  void aPreprocessorEntryIsRefusedWithoutDeserializingIt() throws IOException {
    Map<String, byte[]> entries = entries(network(4, 8));
    ByteArrayOutputStream gadget = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(gadget)) {
      out.writeObject(new Gadget());
    }
    entries.put("preprocessor.bin", gadget.toByteArray());
    gadgetRan = false;
    assertThatThrownBy(() -> restore(zip(entries)))
        .hasMessageContaining("model.zip: unexpected entry 'preprocessor.bin'")
        .hasMessageContaining("Java deserialization, which sparktrain never does");
    assertThat(gadgetRan).isFalse();
  }

  @Test
  void anEntryThatInflatesBeyondWhatItCanHold_isRefusedAsAZipBomb() throws IOException {
    Map<String, byte[]> entries = entries(network(4, 8));
    // 64 MB of zeros compress to about 64 KB; the model has 67 parameters.
    entries.put(ModelZip.UPDATER_STATE, new byte[64 << 20]);
    byte[] bomb = zip(entries);
    assertThat(bomb.length).isLessThan(1 << 20);
    assertThatThrownBy(() -> restore(bomb))
        .hasMessageContaining("entry 'updaterState.bin' inflates to more than")
        .hasMessageContaining("zip bomb");
  }

  @Test
  void aConfigurationNamingAForeignClass_isRefused() throws IOException {
    Map<String, byte[]> entries = entries(network(4, 8));
    String conf = new String(entries.get(ModelZip.CONFIGURATION), StandardCharsets.UTF_8)
        .replace("org.nd4j.linalg.activations.impl.ActivationReLU",
            "com.sun.rowset.JdbcRowSetImpl");
    entries.put(ModelZip.CONFIGURATION, conf.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> restore(zip(entries)))
        .hasMessageContaining("names the class 'com.sun.rowset.JdbcRowSetImpl'")
        .hasMessageContaining("org.deeplearning4j, org.nd4j, org.sparktrain");
  }

  @Test
  void aConfigurationOfBillionsOfParameters_isRefusedBeforeAllocatingThem() throws IOException {
    Map<String, byte[]> entries = entries(network(4, 8));
    String conf = new String(entries.get(ModelZip.CONFIGURATION), StandardCharsets.UTF_8)
        .replace("\"nin\" : 4,", "\"nin\" : 400000,").replace("\"nout\" : 8,",
            "\"nout\" : 100000,");
    entries.put(ModelZip.CONFIGURATION, conf.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> restore(zip(entries)))
        .hasMessageContaining("its configuration defines 40000100027 parameters; at most");
  }

  @Test
  void aSmallZipClaimingHalfABillionParameters_isRefusedBeforeAnyEntryIsInflated()
      throws IOException {
    // What the configuration claims sized the inflate caps: zeros up to 2 GB passed them.
    String claim = new MlpConfig(new int[] {23_170}, Activation.RELU, 0, false)
        .build(23_170, 3, new OptimizerConfig(
            OptimizerConfig.Kind.ADAM, 1e-3, 0.9, 0.9, 0.999,
            1e-8), 1).toJson();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(ModelZip.CONFIGURATION, claim.getBytes(StandardCharsets.UTF_8));
    entries.put(ModelZip.COEFFICIENTS, new byte[64 << 20]);
    byte[] forged = zip(entries);
    assertThat(forged.length).isLessThan(1 << 20);
    long start = System.nanoTime();
    assertThatThrownBy(() -> restore(forged))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("model.zip: its configuration defines 536,941,583 parameters")
        .hasMessageContaining("loading them needs about")
        .hasMessageContaining("run with more memory");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
  }

  @Test
  void anArrayHeaderThatClaimsMoreThanTheFileHolds_isRefused() throws IOException {
    Map<String, byte[]> entries = entries(network(4, 8));
    byte[] coefficients = entries.get(ModelZip.COEFFICIENTS).clone();
    // The data header's length, after the shape buffer: find the 8-byte 67 and make it huge.
    ByteBuffer b = ByteBuffer.wrap(coefficients);
    int at = -1;
    for (int i = coefficients.length - 67 * 4 - 8 - 2; i > 0; i--) {
      if (b.getLong(i) == 67) {
        at = i;
        break;
      }
    }
    assertThat(at).isPositive();
    b.putLong(at, 1L << 40);
    entries.put(ModelZip.COEFFICIENTS, coefficients);
    assertThatThrownBy(() -> restore(zip(entries)))
        .hasMessageContaining("entry 'coefficients.bin' is not a valid array: it holds "
            + (1L << 40) + " values where 67 fit the configuration");
  }
}
