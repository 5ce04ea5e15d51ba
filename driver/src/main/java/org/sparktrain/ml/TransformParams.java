package org.sparktrain.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * {@code handleInvalid} (see {@link InvalidFeatures}) on the models, where transform reads it,
 * and on the estimators, from which {@code fit} copies it to the model it makes (Spark ML copies
 * params by name). Saved with the model's or the estimator's params; a model saved before it
 * existed loads with the default, {@code error}.
 *
 * @param <T> the estimator or model
 */
public interface TransformParams<T extends TransformParams<T>> extends Params {
  /**
   * This instance's param objects. (A holder, not the Param itself: Spark ML takes every public
   * argument-free method returning a Param for a param of its own.)
   */
  TransformParamSet transformParams();

  default Param<String> handleInvalid() {
    return transformParams().handleInvalid;
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  @SuppressWarnings("unchecked")
  default T setHandleInvalid(String value) {
    return (T) set(handleInvalid(), value);
  }
}
