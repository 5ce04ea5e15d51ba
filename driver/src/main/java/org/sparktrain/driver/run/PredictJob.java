package org.sparktrain.driver.run;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.data.BadRecordException;
import org.sparktrain.driver.data.InputFiles;
import org.sparktrain.driver.data.LineReader;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.worker.data.CsvLineParser;
import org.sparktrain.worker.train.NativeArrays;

/**
 * Writes one prediction per input row, in input order: CSV feature rows in, a CSV with the
 * predicted class (and class probabilities) or value out. A row that cannot be read fails the job
 * naming file and line: predictions must line up with their inputs, so nothing is skipped.
 */
public final class PredictJob {
  private static final int BATCH_ROWS = 1024;

  private PredictJob() {}

  /**
   * @param labelColumn column to ignore when the input still has its labels, or null
   * @param overwrite replace an existing output (refused otherwise)
   * @return rows predicted
   */
  public static long run(String modelUri, String inputUri, String outputUri, Integer labelColumn,
      boolean header, boolean overwrite, Configuration conf) throws IOException {
    ModelBundle bundle = ModelBundle.load(modelUri, conf).requireNumericInput("predict");
    if (bundle.tableEncodingJson() != null) {
      throw new IllegalArgumentException("predict: the model at " + modelUri + " was trained "
          + "on a table; read its input with Spark: --format parquet|orc|json|..., or csv with "
          + "reader options (--option header=true), or --table / --query");
    }
    int width = bundle.numFeatures();
    Path out = new Path(outputUri);
    FileSystem fs = out.getFileSystem(conf);
    List<String> files = InputFiles.list(inputUri, conf);
    refuseUnsafeOutput(fs.makeQualified(out), inputUri, files, modelUri, overwrite, fs, conf);
    long[] rows = new long[1];
    // Written whole or not at all: a failure on line 900,000 leaves no half file of
    // predictions that looks complete.
    AtomicFiles.write(fs, out, stream -> {
      PrintWriter writer = new PrintWriter(new OutputStreamWriter(stream,
          StandardCharsets.UTF_8));
      writer.println(headerLine(bundle));
      for (String file : files) {
        List<float[]> batch = new ArrayList<>();
        try (LineReader reader = InputFiles.openLines(file, conf)) {
          if (header) {
            reader.readLine();
          }
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            batch.add(parse(line, width, labelColumn, file, reader.lineNumber()));
            if (batch.size() == BATCH_ROWS) {
              rows[0] += writeBatch(bundle, batch, writer);
            }
          }
        }
        rows[0] += writeBatch(bundle, batch, writer);
      }
      writer.flush();
      if (writer.checkError()) {
        throw new IOException("writing " + out + " failed");
      }
    });
    return rows[0];
  }

  /**
   * Refuses to write predictions over what they are computed from (the input files or folder,
   * the model), or over an existing file unless asked to.
   */
  private static void refuseUnsafeOutput(Path out, String inputUri, List<String> inputFiles,
      String modelUri, boolean overwrite, FileSystem fs, Configuration conf) throws IOException {
    List<OutputGuard.Kept> kept = new ArrayList<>();
    Path input = new Path(inputUri);
    FileStatus[] roots = input.getFileSystem(conf).globStatus(input);
    if (roots != null) {
      for (FileStatus root : roots) {
        kept.add(new OutputGuard.Kept("an input", root.getPath().toString()));
      }
    }
    inputFiles.forEach(f -> kept.add(new OutputGuard.Kept("an input", f)));
    kept.add(new OutputGuard.Kept("the model", modelUri));
    // Refused also when the output holds them: a folder there is refused below anyway.
    OutputGuard.refuseOverlap("predict", "--output", out.toString(), kept, conf);
    if (fs.exists(out)) {
      if (fs.getFileStatus(out).isDirectory()) {
        throw new IllegalArgumentException("predict: --output " + out + " is a folder; give a file "
            + "name");
      }
      if (!overwrite) {
        throw new IllegalArgumentException("predict: --output " + out + " exists; pass --overwrite "
            + "to replace it");
      }
    }
  }

  private static String headerLine(ModelBundle bundle) {
    if (!bundle.classification()) {
      return "prediction";
    }
    StringBuilder sb = new StringBuilder("prediction");
    int outputs = (int) bundle.network().outputWidth();
    if (outputs > 1) {
      for (int k = 0; k < outputs; k++) {
        sb.append(",p").append(k);
      }
    } else {
      sb.append(",p1");
    }
    return sb.toString();
  }

  static float[] parse(String line, int width, Integer labelColumn, String file, long lineNumber) {
    int expected = labelColumn == null ? width : width + 1;
    // Counted before splitting: a line of a million empty columns allocates nothing.
    int columns = CsvLineParser.countColumns(line);
    if (columns != expected) {
      throw new BadRecordException(file + " line " + lineNumber + ": expected " + expected
          + " columns (" + width + " features" + (labelColumn == null ? "" : " and a label")
          + "), found " + columns);
    }
    String[] fields = line.split(",", -1);
    int skip = labelColumn == null ? -1 : (labelColumn < 0 ? expected + labelColumn : labelColumn);
    float[] x = new float[width];
    int f = 0;
    for (int c = 0; c < fields.length; c++) {
      if (c == skip) {
        continue;
      }
      try {
        x[f] = Float.parseFloat(fields[c].trim());
      } catch (NumberFormatException e) {
        throw new BadRecordException(file + " line " + lineNumber + ": column " + (c + 1)
            + " is not a number: '" + fields[c].trim() + "'");
      }
      if (!Float.isFinite(x[f])) {
        throw new BadRecordException(file + " line " + lineNumber + ": column " + (c + 1)
            + " is " + fields[c].trim() + " (only finite numbers are allowed)");
      }
      f++;
    }
    return x;
  }

  /**
   * The network's outputs for raw feature rows, after the model's own normalization (applied in
   * place to the given rows); one output row per input row. The CLI and the notebook API
   * (org.sparktrain.driver.api) both predict through here, so they normalize alike.
   */
  public static float[][] outputs(ModelBundle bundle, List<float[]> rawRows) {
    int n = rawRows.size();
    if (n == 0) {
      return new float[0][];
    }
    int width = bundle.numFeatures();
    float[] packed = new float[n * width];
    for (int i = 0; i < n; i++) {
      System.arraycopy(bundle.normalizer().apply(rawRows.get(i)), 0, packed, i * width, width);
    }
    INDArray out = bundle.network().output(Nd4j.create(packed, new long[] {n, width}, 'c'));
    float[] all = NativeArrays.toFloats(out);
    int outWidth = all.length / n;
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = Arrays.copyOfRange(all, i * outWidth, (i + 1) * outWidth);
    }
    return rows;
  }

  /**
   * The class an output row predicts: the most probable one, or for a single sigmoid unit 1 when
   * its probability is at least 0.5.
   */
  public static int predictedClass(float[] output) {
    if (output.length == 1) {
      return output[0] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < output.length; k++) {
      if (output[k] > output[best]) {
        best = k;
      }
    }
    return best;
  }

  private static int writeBatch(ModelBundle bundle, List<float[]> batch, PrintWriter writer) {
    int n = batch.size();
    for (float[] row : outputs(bundle, batch)) {
      StringBuilder sb = new StringBuilder();
      if (!bundle.classification()) {
        sb.append(row[0]);
      } else {
        sb.append(predictedClass(row));
        for (float p : row) {
          sb.append(',').append(p);
        }
      }
      writer.println(sb);
    }
    batch.clear();
    return n;
  }
}
