/**
 * A small fluent API for jshell and Java notebook kernels: start Spark in local mode, build a
 * job spec in code (or load a YAML one), train, look at metrics, predict.
 *
 * <pre>{@code
 * try (Session spark = Sparktrain.local(2)) {
 *   TrainingResult r = spark.train(Sparktrain.spec()
 *       .csv("examples/digits.csv.gz").numClasses(10).mlp(64, 32).epochs(5)
 *       .output("runs/notebook"));
 *   r.testAccuracy();
 *   r.predict(new double[][] {row}).classes();
 * }
 * }</pre>
 *
 * <p>Everything goes through the same code as the command line: a spec built in code is checked
 * by {@link org.sparktrain.driver.spec.JobSpecParser}, training is
 * {@link org.sparktrain.driver.run.TrainJob} (writing the same run directory, resuming from its
 * checkpoints), and prediction is {@link org.sparktrain.driver.run.PredictJob}'s.
 */
package org.sparktrain.driver.api;
