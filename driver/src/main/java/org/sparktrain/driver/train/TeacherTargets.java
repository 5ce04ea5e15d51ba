package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkPool;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.ThreadLimits;

/**
 * A distilled run's shards with the teacher's softened class probabilities beside every row
 * ({@link ExampleBlock#softTargets()}): the teacher runs once, on the executors, before the first
 * round, never inside one. A resumed run computes the same targets again (the teacher and the
 * shards are the same), so resume stays exact.
 *
 * <p>The shards hold rows normalized for the student; the teacher reads its own normalization of
 * the same raw values (undone and redone per feature where the two differ).
 */
final class TeacherTargets {
  private static final int BATCH = 1024;

  private TeacherTargets() {}

  /** The shards with soft targets, cached; the caller unpersists them after the run. */
  static JavaRDD<ExampleBlock> attach(JavaSparkContext sc, PreparedData data,
      JobSpec.Distillation distillation, int threads) {
    ModelBundle teacher = load(sc, distillation.teacher());
    check(teacher, data, distillation.teacher());
    Teacher t = new Teacher(teacher.network().config().toJson(),
        NativeArrays.toFloats(teacher.network().params()), data.normalizer(),
        teacher.normalizer(), distillation.temperature(), data.numClasses(), threads);
    // The closure travels in the stage's task binary, which Spark broadcasts once per stage.
    JavaRDD<ExampleBlock> distilled = data.train().mapPartitions(blocks -> {
      List<ExampleBlock> out = new ArrayList<>();
      blocks.forEachRemaining(b -> out.add(b.withSoftTargets(t.softTargets(b))));
      return out.iterator();
    }, true);
    distilled.persist(StorageLevel.MEMORY_ONLY());
    distilled.count();
    return distilled;
  }

  private static ModelBundle load(JavaSparkContext sc, String uri) {
    try {
      return ModelBundle.load(uri, sc.hadoopConfiguration());
    } catch (IOException e) {
      throw new SpecException("model.teacher: " + uri + " cannot be read as a model folder: "
          + e.getMessage());
    }
  }

  private static void check(ModelBundle teacher, PreparedData data, String uri) {
    if (!teacher.classification() || teacher.tokenizerJson() != null) {
      throw new SpecException("model.teacher: " + uri + " is a " + teacher.modelName() + " "
          + (teacher.classification() ? "text" : "regression") + " model; a teacher must be a "
          + "classifier of rows or images (mlp, logistic, resnet, dl4j)");
    }
    if (teacher.numClasses() != data.numClasses()) {
      throw new SpecException("model.teacher: " + uri + " tells " + teacher.numClasses()
          + " classes apart, this run's data has " + data.numClasses());
    }
    if (teacher.numFeatures() != data.numFeatures()) {
      throw new SpecException("model.teacher: " + uri + " reads " + teacher.numFeatures()
          + " features, this run's data has " + data.numFeatures() + "; the teacher must have "
          + "been trained on the same kind of rows");
    }
    if (!Objects.equals(teacher.tableEncodingJson(), data.tableEncodingJson())) {
      throw new SpecException("model.teacher: " + uri + " encodes the table's columns "
          + "differently from this run (other columns, categories or missing-value fills); "
          + "train the teacher on the same table and preprocess settings");
    }
  }

  /** What every executor needs to run the teacher, shipped once per stage in its task binary. */
  private record Teacher(String configJson, float[] params, Normalizer students,
      Normalizer teachers, double temperature, int classes, int threads)
      implements Serializable {

    float[] softTargets(ExampleBlock block) {
      float[] out = new float[block.rows() * classes];
      Network net = NetworkPool.borrow(configJson);
      try {
        ThreadLimits.apply(threads);
        NativeArrays.copyInto(net.params(), params);
        int width = block.width();
        for (int from = 0; from < block.rows(); from += BATCH) {
          int n = Math.min(BATCH, block.rows() - from);
          float[] x = Arrays.copyOfRange(block.features(), from * width, (from + n) * width);
          renormalize(x, width);
          INDArray probabilities = net.output(NativeArrays.fromFloats(x, n, width));
          soften(NativeArrays.toFloats(probabilities), n, out, from * classes);
        }
      } finally {
        NetworkPool.giveBack(configJson, net);
      }
      return out;
    }

    /** Student-normalized rows to the teacher's normalization of the same raw values. */
    private void renormalize(float[] x, int width) {
      if (Arrays.equals(students.shift(), teachers.shift())
          && Arrays.equals(students.scale(), teachers.scale())
          && students.method() == teachers.method()) {
        return;
      }
      boolean undo = students.method() != NormalizationMethod.NONE;
      float[] row = new float[width];
      for (int start = 0; start < x.length; start += width) {
        for (int i = 0; i < width; i++) {
          float v = x[start + i];
          float scale = students.scale()[i];
          // A constant training feature normalizes to 0 whatever its value: it was the shift.
          row[i] = !undo ? v : scale == 0 ? students.shift()[i] : v / scale + students.shift()[i];
        }
        teachers.apply(row);
        System.arraycopy(row, 0, x, start, width);
      }
    }

    /**
     * The teacher's probabilities at temperature T: {@code softmax(log p / T)}, which is
     * {@code softmax(z / T)} of its logits. A single sigmoid unit is the pair (1 - p, p).
     */
    private void soften(float[] p, int n, float[] out, int offset) {
      int width = p.length / n;
      double[] logits = new double[classes];
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < classes; c++) {
          double pc = width == 1 ? (c == 1 ? p[r] : 1 - p[r]) : p[r * width + c];
          logits[c] = Math.log(Math.max(pc, Double.MIN_NORMAL)) / temperature;
        }
        double max = Arrays.stream(logits).max().orElse(0);
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          sum += Math.exp(logits[c] - max);
        }
        for (int c = 0; c < classes; c++) {
          out[offset + r * classes + c] = (float) (Math.exp(logits[c] - max) / sum);
        }
      }
    }
  }
}
