package org.sparktrain.worker.data;

import java.util.Locale;

/** How features are rescaled, fitted on the training split only. */
public enum NormalizationMethod {
  /** Features pass through unchanged. */
  NONE,
  /** Zero mean, unit variance per feature; constant features are only centred. */
  STANDARDIZE,
  /** Each feature mapped to [0, 1] by its training min and max; constant features become 0. */
  MINMAX,
  /**
   * Every feature divided by one factor, the largest absolute value in the training split: keeps
   * the relative scale between features (images become [0, 1] whatever their bit depth).
   */
  SCALE;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
