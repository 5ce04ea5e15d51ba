package org.sparktrain.ml;

import java.io.Serializable;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The transform-time params of {@link TransformParams}, made once per estimator or model with it
 * as their parent (Spark ML names a param by its parent's uid), with their defaults.
 */
final class TransformParamSet implements Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> handleInvalid;

  TransformParamSet(Params owner) {
    handleInvalid = new Param<>(owner, "handleInvalid", InvalidFeatures.DOC,
        ParamValidators.inArray(InvalidFeatures.NAMES));
    owner.setDefault(handleInvalid, "error");
  }
}
