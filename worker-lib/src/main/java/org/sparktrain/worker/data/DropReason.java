package org.sparktrain.worker.data;

/** Why a record was rejected. The key is what summary.json and error messages use. */
public enum DropReason {
  WRONG_COLUMN_COUNT("wrongColumnCount"),
  UNPARSABLE_NUMBER("unparsableNumber"),
  NON_FINITE("nonFinite"),
  LABEL_OUT_OF_RANGE("labelOutOfRange"),
  FEATURE_INDEX_OUT_OF_RANGE("featureIndexOutOfRange"),
  /** A table's value is null, empty, NA or NaN and preprocess.missing is drop. */
  MISSING_VALUE("missingValue"),
  /** A table's text label that the training split does not have. */
  UNKNOWN_LABEL("unknownLabel");

  private final String key;

  DropReason(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }
}
