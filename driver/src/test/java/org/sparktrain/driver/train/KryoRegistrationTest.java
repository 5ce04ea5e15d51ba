package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.serde.SparktrainKryoRegistrator;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.sync.StretchResult;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.FeatureStats;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.eval.ClassificationMetrics;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.eval.RegressionMetrics;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.WorkerResult;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Everything that crosses the wire round-trips through Kryo with registration required. (Every
 * other Spark test runs with the same settings, so an unregistered class shipped anywhere in the
 * pipeline fails those too.)
 */
class KryoRegistrationTest {
  private final SerializerInstance kryo =
      new KryoSerializer(SparkSetup.strictKryo(SparkSetup.conf("local[1]", "kryo-test")))
          .newInstance();

  @SuppressWarnings("unchecked")
  private <T> T roundTrip(T value) {
    ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(Object.class));
    return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
  }

  @Test
  void sparkIsToldTheRegistratorsRealName() {
    assertThat(SparkSetup.KRYO_REGISTRATOR).isEqualTo(
        SparktrainKryoRegistrator.class.getName());
  }

  /** What the DL4J Spark classes ship: arrays, MultiDataSets, merged results. */
  @Test
  void dl4jShimTypesRoundTrip() {
    INDArray array = Nd4j.create(new float[] {1f, 2f, 3f, 4f}, new long[] {2, 2}, 'c');
    assertThat((INDArray) roundTrip(array)).isEqualTo(array);
    INDArray[] arrays = roundTrip(new INDArray[] {array, array.add(1)});
    assertThat(arrays[1].getFloat(0)).isEqualTo(2f);
    MultiDataSet mds = roundTrip(new MultiDataSet(new INDArray[] {array, array},
        new INDArray[] {array}));
    assertThat(mds.numFeatureArrays()).isEqualTo(2);
    assertThat((Double[]) roundTrip(new Double[] {1.5})).containsExactly(1.5);
    assertThat((byte[]) roundTrip(new byte[] {7})).containsExactly((byte) 7);
    Tuple2<String, INDArray> keyed = roundTrip(new Tuple2<>("k", array));
    assertThat(keyed._2()).isEqualTo(array);
  }

  @Test
  void wireTypesRoundTrip() {
    ParsedRecord ok = roundTrip(ParsedRecord.ok(2, 17, new float[] {1f, 2f}, 3));
    assertThat(ok.features()).containsExactly(1f, 2f);
    assertThat(ok.line()).isEqualTo(17);
    ParsedRecord bad = roundTrip(ParsedRecord.bad(1, 5, DropReason.NON_FINITE, "NaN"));
    assertThat(bad.dropReason()).isEqualTo(DropReason.NON_FINITE);
    assertThat(bad.detail()).isEqualTo("NaN");

    ExampleBlock block = roundTrip(new ExampleBlock(1, 2, 1, new float[] {3f, 4f},
        new float[] {0f, 1f}));
    assertThat(block.features()).containsExactly(3f, 4f);

    ModelSnapshot snapshot = roundTrip(new ModelSnapshot(new float[] {1f},
        new float[][] {{2f, 3f}, {4f, 5f}}, 99, 3, new float[] {6f}));
    assertThat(snapshot.stateFor(1)).containsExactly(4f, 5f);
    assertThat(snapshot.iteration()).isEqualTo(99);
    assertThat(snapshot.outerMomentum()).containsExactly(6f);

    WorkerResult result = roundTrip(new WorkerResult(1, new float[] {1f}, new float[0], 32,
        1.5, 5, 1000));
    assertThat(result.examples()).isEqualTo(32);
    assertThat(result.lossSum()).isEqualTo(1.5);

    FeatureStats stats = roundTrip(new FeatureStats().add(new float[] {1f, 2f}));
    assertThat(stats.mean()).containsExactly(1.0, 2.0);
    assertThat(roundTrip(new FeatureStats()).count()).isZero();

    EvalResult classes = roundTrip(new EvalResult(new ClassificationMetrics(2).add(1, 0), null));
    assertThat(classes.classification().confusion()[1]).containsExactly(1L, 0L);
    EvalResult values = roundTrip(new EvalResult(null, new RegressionMetrics().add(1, 2)));
    assertThat(values.regression().mse()).isEqualTo(1.0);

    assertThat((Object[]) roundTrip(new WorkerResult[] {result})).hasSize(1);

    StretchResult.RoundFigures figures = new StretchResult.RoundFigures(7, 64, 0.25, 11, 22,
        3, 4096);
    StretchResult stretch = roundTrip(new StretchResult(0, new float[] {1f, 2f},
        new float[] {3f}, new float[] {4f, 5f}, List.of(figures, figures),
        List.of(new SliceWriter.WrittenFile("params.part-00000.bin", 12, "ab"))));
    assertThat(stretch.checkpointFiles()).containsExactly(
        new SliceWriter.WrittenFile("params.part-00000.bin", 12, "ab"));
    assertThat(stretch.params()).containsExactly(1f, 2f);
    assertThat(stretch.state()).containsExactly(3f);
    assertThat(stretch.outerMomentum()).containsExactly(4f, 5f);
    assertThat(stretch.rounds()).containsExactly(figures, figures);
  }

  record NotRegistered(int x) {}

  @Test
  void unregisteredClassesAreRefused() {
    assertThatThrownBy(() -> roundTrip(new NotRegistered(1)))
        .hasMessageContaining("Class is not registered");
  }
}
