package org.sparktrain.ml;

import java.io.Serializable;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The spec's settings as Spark ML params, made once per estimator with it as their parent (Spark
 * ML names a param by its parent's uid), with the spec's defaults. The classifier and the
 * regressor expose them through {@link SparktrainParams}.
 */
final class SparktrainParamSet implements Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> model;
  final IntArrayParam hidden;
  final Param<String> activation;
  final IntParam epochs;
  final IntParam batchSize;
  final IntParam workers;
  final IntParam averagingFrequency;
  final Param<String> optimizer;
  final DoubleParam learningRate;
  final LongParam seed;
  final Param<String> normalize;
  final Param<String> sync;
  final Param<String> runDir;

  /** @param defaultModel the model the estimator trains unless told otherwise */
  SparktrainParamSet(Params owner, String models, String defaultModel) {
    model = new Param<>(owner, "model", models + " (model.name)");
    hidden = new IntArrayParam(owner, "hidden", "mlp hidden layer sizes (model.hidden)");
    activation = new Param<>(owner, "activation", "relu, leakyrelu, tanh, sigmoid or gelu");
    epochs = new IntParam(owner, "epochs", "passes over the data (train.epochs)",
        ParamValidators.gtEq(1));
    batchSize = new IntParam(owner, "batchSize", "minibatch per worker (train.batchSize)",
        ParamValidators.gtEq(1));
    workers = new IntParam(owner, "workers", "data-parallel workers (train.workers)",
        ParamValidators.gtEq(1));
    averagingFrequency = new IntParam(owner, "averagingFrequency",
        "local steps between averagings (train.averagingFrequency)", ParamValidators.gtEq(1));
    optimizer = new Param<>(owner, "optimizer", "sgd, nesterov or adam (train.optimizer.name)");
    learningRate = new DoubleParam(owner, "learningRate", "train.optimizer.learningRate",
        ParamValidators.gt(0));
    seed = new LongParam(owner, "seed", "train.seed: splits, initialization, order");
    normalize = new Param<>(owner, "normalize", "none, standardize, minmax or scale");
    sync = new Param<>(owner, "sync", "auto, collective or driver (train.sync)");
    runDir = new Param<>(owner, "runDir", "the run directory (output.dir); empty = a temporary "
        + "one, removed after fitting");
    owner.setDefault(model, defaultModel);
    owner.setDefault(hidden, new int[] {64});
    owner.setDefault(activation, "relu");
    owner.setDefault(epochs, 10);
    owner.setDefault(batchSize, 32);
    owner.setDefault(workers, 2);
    owner.setDefault(averagingFrequency, 5);
    owner.setDefault(optimizer, "adam");
    owner.setDefault(learningRate, 0.003);
    owner.setDefault(seed, 42L);
    owner.setDefault(normalize, "standardize");
    owner.setDefault(sync, "auto");
    owner.setDefault(runDir, "");
  }
}
