package org.sparktrain.driver.train.state;

/** The parameters after round {@code round}, the best validated so far. */
public record Best(long round, float[] params) {}
