package org.sparktrain.dl4j;

/** The one shape of "this DL4J method is not supported here": what, and what to do instead. */
final class Refusal {
  private Refusal() {}

  static UnsupportedOperationException of(String dl4jMethod, String alternative) {
    return new UnsupportedOperationException(dl4jMethod + " is not supported by sparktrain's "
        + "DL4J Spark classes: " + alternative);
  }
}
