package org.sparktrain.driver.serde;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparktrain.driver.data.HadoopConfHolder;
import org.sparktrain.driver.data.RawRow;
import org.sparktrain.driver.data.TableEncodingFit;
import org.sparktrain.driver.output.ClusterPeak;
import org.sparktrain.worker.backend.BackendInfo;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.FeatureStats;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.WorkerResult;
import org.sparktrain.driver.train.sync.StretchResult;

/**
 * Registers every class that crosses the wire. Spark runs with
 * {@code spark.kryo.registrationRequired=true}, so anything unregistered fails loudly instead of
 * silently shipping class names with every record. No ND4J type travels: parameters and state
 * cross as float arrays and become INDArrays only inside a task.
 */
public final class SparktrainKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(ParsedRecord.class, new WireSerializers.ParsedRecordSerializer());
    kryo.register(ParsedRecord[].class);
    kryo.register(ExampleBlock.class, new WireSerializers.ExampleBlockSerializer());
    kryo.register(ExampleBlock[].class);
    kryo.register(ModelSnapshot.class, new WireSerializers.ModelSnapshotSerializer());
    kryo.register(WorkerResult.class, new WireSerializers.WorkerResultSerializer());
    kryo.register(WorkerResult[].class);
    kryo.register(StretchResult.class, new WireSerializers.StretchResultSerializer());
    kryo.register(StretchResult[].class);
    kryo.register(FeatureStats.class, new WireSerializers.FeatureStatsSerializer());
    kryo.register(EvalResult.class, new WireSerializers.EvalResultSerializer());
    // Once per run (the backend check): plain Java serialization is simplest and small.
    kryo.register(BackendInfo.class, new JavaSerializer());
    kryo.register(BackendInfo[].class);
    // Hadoop's Configuration is Writable, not a bean: keep its own Java serialization.
    kryo.register(HadoopConfHolder.class, new JavaSerializer());
    kryo.register(float[].class);
    kryo.register(float[][].class);
    kryo.register(double[].class);
    kryo.register(long[].class);
    kryo.register(int[].class);
    kryo.register(Object[].class);
    kryo.register(Integer[].class);
    kryo.register(Long[].class);
    kryo.register(scala.Tuple2.class);
    kryo.register(scala.Tuple2[].class);
    // Tables: rows as plain values while the encoding is fitted, and the fit's statistics.
    kryo.register(RawRow.class);
    kryo.register(RawRow[].class);
    kryo.register(TableEncodingFit.Stats.class, new JavaSerializer());
    kryo.register(TableEncodingFit.Stats[].class);
    // A DL4J program's JavaRDD<DataSet> (SparkDl4jMultiLayer.fit): Spark ships the DataSets
    // of a parallelized list inside its partitions. ND4J arrays serialize themselves.
    kryo.register(DataSet.class, new JavaSerializer());
    kryo.register(DataSet[].class);
    // Their evaluate's partial results, merged on the driver (Java-serializable, once per task).
    kryo.register(Evaluation.class, new JavaSerializer());
    kryo.register(Evaluation[].class);
    // The DL4J Spark classes: graphs' MultiDataSets, evaluations and byte[] results, and the
    // arrays of feedForwardWithKey (ND4J's arrays serialize themselves).
    kryo.register(MultiDataSet.class, new JavaSerializer());
    kryo.register(MultiDataSet[].class);
    kryo.register(byte[].class);
    kryo.register(Double[].class);
    kryo.register(INDArray[].class);
    kryo.register(ClusterPeak.Host.class, new JavaSerializer());
    kryo.register(ClusterPeak.Host[].class);
    registerNd4jArrays(kryo);
    registerSparkSql(kryo);
    registerSparkMlSummaries(kryo);
    registerIceberg(kryo);
  }

  /**
   * What Apache Iceberg's Spark source ships between driver and executors when a user adds its
   * runtime jar: Java-serializable objects (its table, its scan and write results) whose
   * object graphs go through Java serialization whole, rather than class by class through Kryo.
   */
  private static final List<String> ICEBERG = List.of(
      "org.apache.iceberg.spark.source.SerializableTableWithSize",
      "org.apache.iceberg.spark.source.SerializableTableWithSize$SerializableMetadataTableWithSize",
      "org.apache.iceberg.spark.source.SparkWrite$TaskCommit",
      "[Lorg.apache.iceberg.spark.source.SparkWrite$TaskCommit;",
      "[Lorg.apache.spark.sql.connector.write.WriterCommitMessage;",
      "org.apache.iceberg.spark.source.SparkInputPartition",
      "[Lorg.apache.iceberg.spark.source.SparkInputPartition;");

  private static void registerIceberg(Kryo kryo) {
    ClassLoader loader = SparktrainKryoRegistrator.class.getClassLoader();
    for (String name : ICEBERG) {
      try {
        kryo.register(Class.forName(name, false, loader), new JavaSerializer());
      } catch (ClassNotFoundException e) {
        // No Iceberg on the classpath: nothing of it can travel.
      }
    }
  }

  /** ND4J's array classes of the CPU and CUDA backends, whichever is on the classpath. */
  private static void registerNd4jArrays(Kryo kryo) {
    ClassLoader loader = SparktrainKryoRegistrator.class.getClassLoader();
    for (String name : List.of("org.nd4j.linalg.cpu.nativecpu.NDArray",
        "org.nd4j.linalg.jcublas.JCublasNDArray")) {
      try {
        kryo.register(Class.forName(name, false, loader), new JavaSerializer());
      } catch (ClassNotFoundException e) {
        // Not this backend.
      }
    }
  }

  /** The metric objects of Spark ML's summarizer (RegressionEvaluator's statistics). */
  private static final List<String> SUMMARY_OBJECTS = List.of("Sum", "Count", "Variance",
      "ComputeL1", "NormL1", "NumNonZeros", "ComputeMax", "ComputeNNZ", "ComputeMin", "Mean",
      "ComputeM2n", "Max", "Std", "ComputeM2", "ComputeWeightSum", "Min", "NormL2",
      "ComputeMean");

  /**
   * Spark ML's summarizer (behind {@code RegressionEvaluator} and {@code Summarizer}) ships its
   * buffer, which lists the requested metrics as Scala objects. Those are matched by identity,
   * so each travels as its name and is read back as the one instance of its JVM.
   */
  private static void registerSparkMlSummaries(Kryo kryo) {
    ClassLoader loader = SparktrainKryoRegistrator.class.getClassLoader();
    for (String name : SUMMARY_OBJECTS) {
      try {
        Class<?> c = Class.forName("org.apache.spark.ml.stat.SummaryBuilderImpl$" + name + "$",
            false, loader);
        kryo.register(c, new WireSerializers.ScalaObjectSerializer(c));
      } catch (ClassNotFoundException e) {
        // Not in this Spark version.
      }
    }
    for (String name : List.of("org.apache.spark.ml.stat.SummarizerBuffer",
        "[Lorg.apache.spark.ml.stat.SummaryBuilderImpl$Metric;",
        "[Lorg.apache.spark.ml.stat.SummaryBuilderImpl$ComputeMetric;")) {
      try {
        kryo.register(Class.forName(name, false, loader));
      } catch (ClassNotFoundException e) {
        // Not in this Spark version.
      }
    }
  }

  /**
   * Spark SQL's data types, which its schema inference (CSV and JSON without a schema) returns
   * from tasks. Spark 3.5 registers its row formats and write results itself, not these.
   */
  private static final String[] SPARK_SQL_TYPES = {"NullType$", "StringType$", "StringType",
      "BinaryType$", "BooleanType$", "DateType$", "TimestampType$", "TimestampNTZType$",
      "DecimalType", "DoubleType$", "FloatType$", "ByteType$", "IntegerType$", "LongType$",
      "ShortType$", "CalendarIntervalType$", "DayTimeIntervalType", "YearMonthIntervalType",
      "CharType", "VarcharType", "ArrayType", "MapType", "StructType", "StructField",
      "Metadata"};

  /**
   * What Spark ML's own stages return from tasks (StringIndexer's label counts, the evaluators'
   * metrics), for sparktrain inside a Pipeline.
   */
  private static final List<String> SPARK_ML_INTERNALS = List.of(
      "org.apache.spark.util.collection.OpenHashMap",
      "[Lorg.apache.spark.util.collection.OpenHashMap;",
      "org.apache.spark.util.collection.OpenHashMap$mcJ$sp",
      "org.apache.spark.util.collection.OpenHashMap$mcD$sp",
      "org.apache.spark.util.collection.OpenHashSet",
      "org.apache.spark.util.collection.OpenHashSet$Hasher",
      "org.apache.spark.util.collection.OpenHashSet$LongHasher",
      "org.apache.spark.util.collection.OpenHashSet$IntHasher",
      "org.apache.spark.util.collection.OpenHashSet$DoubleHasher",
      "org.apache.spark.util.collection.OpenHashSet$FloatHasher",
      "org.apache.spark.util.collection.BitSet",
      "scala.reflect.ClassTag$GenericClassTag",
      "scala.reflect.ManifestFactory$LongManifest",
      "scala.reflect.ManifestFactory$DoubleManifest",
      "scala.reflect.ManifestFactory$IntManifest",
      "scala.reflect.ManifestFactory$AnyManifest",
      "scala.reflect.ManifestFactory$ObjectManifest",
      "[Ljava.lang.String;",
      "[[J",
      "[[D",
      "org.apache.spark.mllib.evaluation.binary.BinaryLabelCounter",
      "[Lorg.apache.spark.mllib.evaluation.binary.BinaryLabelCounter;",
      "org.apache.spark.mllib.stat.MultivariateOnlineSummarizer",
      "org.apache.spark.ml.stat.SummarizerBuffer",
      "scala.collection.mutable.WrappedArray$ofRef",
      "scala.collection.immutable.Map$EmptyMap$",
      "scala.collection.immutable.Map$Map1",
      "scala.collection.immutable.Map$Map2",
      "scala.collection.immutable.Map$Map3",
      "scala.collection.immutable.Map$Map4",
      "scala.collection.immutable.HashMap$HashTrieMap",
      "scala.collection.mutable.HashMap",
      "scala.Tuple3",
      "[Lscala.Tuple3;");

  /**
   * What Delta Lake's write tasks return (the files they added, their statistics), for users who
   * add Delta's jar; absent classes are skipped.
   */
  private static final List<String> DELTA_LAKE = List.of(
      "org.apache.spark.sql.delta.actions.AddFile",
      "org.apache.spark.sql.delta.actions.RemoveFile",
      "org.apache.spark.sql.delta.actions.AddCDCFile",
      "org.apache.spark.sql.delta.actions.DeletionVectorDescriptor",
      "[Lorg.apache.spark.sql.delta.actions.AddFile;",
      "[Lorg.apache.spark.sql.delta.actions.FileAction;",
      "org.apache.spark.sql.delta.stats.DeltaFileStatistics",
      "org.apache.spark.sql.execution.datasources.WriteTaskResult",
      "org.apache.spark.internal.io.FileCommitProtocol$TaskCommitMessage",
      "scala.None$",
      "scala.Some",
      "scala.collection.immutable.$colon$colon",
      "scala.collection.immutable.Nil$",
      "scala.collection.mutable.ArrayBuffer",
      "scala.collection.immutable.Vector");

  private static void registerSparkSql(Kryo kryo) {
    List<String> names = new ArrayList<>(List.of("[Lorg.apache.spark.sql.types.DataType;",
        "[Lorg.apache.spark.sql.types.StructField;"));
    for (String name : SPARK_SQL_TYPES) {
      names.add("org.apache.spark.sql.types." + name);
    }
    names.addAll(SPARK_ML_INTERNALS);
    names.addAll(DELTA_LAKE);
    for (String name : names) {
      try {
        kryo.register(Class.forName(name, false,
            SparktrainKryoRegistrator.class.getClassLoader()));
      } catch (ClassNotFoundException e) {
        // Not in this Spark version (or no Spark SQL at all): nothing of that type can travel.
      }
    }
  }
}
