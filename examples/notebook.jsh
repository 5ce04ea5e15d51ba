// sparktrain from jshell: train an MLP on the UCI digits in local mode, look at the result,
// predict a few rows. The same code as examples/notebook.ipynb. From the repository root:
//
//   bin/sparktrain-jshell examples/notebook.jsh
//
// which builds the driver on first use and runs, in effect:
//
//   mvn -B -q -DskipTests -pl driver -am package      # builds the jar and its classpath file
//   OPENS=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' pom.xml)
//   SPARK_LOCAL_IP=127.0.0.1 jshell \
//     --class-path "driver/target/sparktrain-driver-0.1.0-SNAPSHOT.jar:$(cat driver/target/launcher-classpath.txt)" \
//     $(printf -- '-R%s ' $OPENS) examples/notebook.jsh
//
// jshell runs the code in a second JVM: -R hands it Spark's Java 17 flags. Under a minute on
// 2 cores. The run directory is runs/notebook (-R-Dsparktrain.notebook.output=DIR moves it);
// run the script again and it resumes from that run's last checkpoint, reporting the same result.

import java.io.*;
import java.util.*;
import java.util.zip.GZIPInputStream;
import org.sparktrain.driver.api.*;

var spark = Sparktrain.local(2);

// Every key is the YAML spec's (README, "Job spec"); unset keys take the same defaults.
// jshell runs a line as soon as it is complete: continued lines end with a dot.
var spec = Sparktrain.spec().
    csv("examples/digits.csv.gz").labelColumn(-1).numClasses(10).
    mlp(64, 32).epochs(5).workers(2).batchSize(16).adam(0.003).
    output(System.getProperty("sparktrain.notebook.output", "runs/notebook"));

// Or start from a YAML spec (its paths resolve against its own folder) and change a few keys.
var fromYaml = SpecBuilder.from(spark.load("examples/digits.yaml")).epochs(5);
System.out.println("examples/digits.yaml's model: " + fromYaml.toMap().get("model"));

var result = spark.train(spec);
System.out.println(result);
System.out.printf("test accuracy: %.4f%n", result.testAccuracy());
for (var m : result.metrics()) {
  if (m.validation() != null) {
    System.out.printf("epoch %d: loss %.4f, validation accuracy %.4f%n", m.epoch() + 1,
        m.loss(), m.validation().get("accuracy"));
  }
}

// Predict the first rows of the data set: 64 raw pixel values each, the label dropped.
List<String> lines;
try (var in = new BufferedReader(new InputStreamReader(
    new GZIPInputStream(new FileInputStream("examples/digits.csv.gz"))))) {
  lines = in.lines().limit(8).toList();
}
double[][] rows = lines.stream().
    map(l -> Arrays.stream(l.split(",")).limit(64).mapToDouble(Double::parseDouble).toArray()).
    toArray(double[][]::new);
int[] labels = lines.stream().
    mapToInt(l -> Integer.parseInt(l.substring(l.lastIndexOf(',') + 1))).toArray();
var predictions = result.predict(rows);
System.out.println(predictions);
System.out.println("predicted " + Arrays.toString(predictions.classes()));
System.out.println("labels    " + Arrays.toString(labels));

// From a Spark table: read it with Spark SQL (any format, a catalog table, a query), name it,
// train on it by name. Columns are named; a text label's classes are counted from the data.
spark.spark().read().option("inferSchema", "true").csv("examples/digits.csv.gz").
    createOrReplaceTempView("digits");
var fromTable = spark.train(Sparktrain.spec().
    query("SELECT * FROM digits WHERE _c64 < 5").labelColumn("_c64").numClasses(5).
    mlp(32).epochs(3).workers(2).adam(0.003).
    output(System.getProperty("sparktrain.notebook.output", "runs/notebook") + "-table"));
System.out.printf("from a table: test accuracy %.4f%n", fromTable.testAccuracy());

spark.close();
/exit
