package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkConfig;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.ZeroMask;

/**
 * {@code train.init}: a run that starts from a saved model's parameters instead of a fresh
 * initialization, e.g. to fine-tune a pruned model ({@code keepZeros}: its zero weights stay
 * zero). The spec's model must be the saved model's architecture, and the run's training split
 * must normalize as the saved model's did: its first layer learned those inputs.
 */
final class InitialModel {
  private InitialModel() {}

  /**
   * Copies the saved parameters into {@code net}.
   *
   * @return the weights to hold at zero, or null unless {@code keepZeros}
   */
  static ZeroMask copyInto(Network net, JobSpec.Init init, Normalizer normalizer,
      Configuration conf) {
    ModelBundle saved;
    try {
      saved = ModelBundle.load(init.model(), conf);
    } catch (IOException e) {
      throw new UncheckedIOException("train.init.model: " + e.getMessage(), e);
    }
    List<Network.LayerParams> ours = net.layerParams();
    List<Network.LayerParams> theirs = saved.network().layerParams();
    if (!shapes(ours).equals(shapes(theirs))) {
      throw new SpecException("train.init.model: " + init.model() + " is another architecture "
          + "than this spec's model (its parameters " + shapes(theirs) + ", this model's "
          + shapes(ours) + "); use the spec the model was trained with");
    }
    if (!Arrays.equals(saved.normalizer().shift(), normalizer.shift())
        || !Arrays.equals(saved.normalizer().scale(), normalizer.scale())) {
      throw new SpecException("train.init.model: " + init.model() + " was trained on inputs "
          + "normalized with other statistics than this run's training split gives; train on "
          + "the data (and split) it was trained on");
    }
    net.params().assign(saved.network().params());
    if (!init.keepZeros()) {
      return null;
    }
    Network mask = NetworkConfig.fromJson(net.config().toJson()).newNetwork();
    mask.params().assign(1);
    for (int l = 0; l < ours.size(); l++) {
      Network.LayerParams layer = ours.get(l);
      Network.LayerParams target = mask.layerParams().get(l);
      for (String key : layer.params().keySet()) {
        if (layer.isWeight(key)) {
          INDArray nonZero = layer.params().get(key).neq(0).castTo(DataType.FLOAT);
          target.params().get(key).assign(nonZero);
        }
      }
    }
    return new ZeroMask(NativeArrays.toFloats(mask.params()));
  }

  private static List<String> shapes(List<Network.LayerParams> layers) {
    return layers.stream().flatMap(l -> l.params().entrySet().stream()
        .map(p -> l.layer() + "/" + p.getKey() + Arrays.toString(p.getValue().shape())))
        .toList();
  }
}
