package org.sparktrain.driver.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointException;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.Tokenizer;
import org.sparktrain.driver.data.TableEncoding;
import org.sparktrain.worker.train.PartitionTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparktrain checkpoints RUN_DIR} and {@code sparktrain export}. */
final class CheckpointCommands {
  private CheckpointCommands() {}

  @Command(name = "checkpoints", mixinStandardHelpOptions = true, description = "List a run's checkpoints and whether each is "
      + "valid.")
  static final class List implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run's output.dir URI")
    String runDir;

    @Override
    public Integer call() throws IOException {
      CheckpointStore store = new CheckpointStore(runDir, new Configuration());
      java.util.List<CheckpointInfo> infos = store.list();
      if (infos.isEmpty()) {
        System.out.println("no checkpoints in " + store.uri());
        return 0;
      }
      System.out.printf("%-8s %-24s %12s  %-7s %s%n", "round", "written", "bytes", "valid",
          "metrics / problem");
      for (CheckpointInfo i : infos) {
        System.out.printf("%-8d %-24s %,12d  %-7s %s%n", i.round(),
            i.valid() ? Instant.ofEpochMilli(i.createdAtMillis()).toString() : "-", i.bytes(),
            i.valid() ? "yes" : "NO", i.valid() ? (i.metrics() == null ? "" : i.metrics())
                : i.problem());
      }
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true, description = "Turn a checkpoint into a model (for predict and "
      + "evaluate).")
  static final class Export implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true,
        description = "a checkpoint folder, e.g. RUN/checkpoints/round-000120")
    String checkpoint;

    @Option(names = "--output", required = true,
        description = "model.zip (preprocessing.json is written beside it) or a folder")
    String output;

    @Override
    public Integer call() throws IOException {
      Path dir = new Path(checkpoint);
      Matcher m = Pattern.compile("round-(\\d+)")
          .matcher(dir.getName());
      if (!m.matches()) {
        throw new CheckpointException("--checkpoint must name a round-NNNNNN folder, got "
            + checkpoint);
      }
      Configuration conf = new Configuration();
      Path run = dir.getParent().getParent();
      OutputGuard.refuseInside("export", "--output", output, Arrays.asList(
          new OutputGuard.Kept("the checkpoints", dir.getParent().toString()),
          new OutputGuard.Kept("the run's model", new Path(run,
              RunDirectory.MODEL).toString())), conf);
      CheckpointStore store = new CheckpointStore(run.toString(), conf);
      CheckpointContent c = store.load(Long.parseLong(m.group(1)));
      JobSpec spec = JobSpecParser.parse(c.specYaml(), (java.nio.file.Path) null);
      String tokenizer = c.tokenizerJson();
      if (spec.model() instanceof TransformerConfig && tokenizer == null) {
        throw new IllegalArgumentException("export of this " + spec.model().name()
            + " checkpoint is not possible: it was written before checkpoints kept their "
            + "tokenizer (use the run's model/ folder, or a newer checkpoint)");
      }
      // A language model's classes are its tokens; the tokenizer travels in the checkpoint.
      int numClasses = spec.model().kind().languageModel()
          ? Tokenizer.fromJson(tokenizer).vocabSize() : exportedClasses(spec, c);
      // The checkpoint's configuration is a file like a model's: checked before it is built.
      Network net = Network.build(c.modelConfigJson(), "checkpoint " + store.roundUri(c.round()));
      PartitionTrainer.load(net, c.snapshot().withStatesMerged());
      new ModelBundle(net, c.normalizer(), spec.model().name(),
          spec.model().kind().classification(), numClasses, tokenizer, c.tableEncodingJson())
          .save(output, conf);
      System.out.println("exported round " + c.round() + " to " + output);
      return 0;
    }

    /** The spec's classes, or those a table's text label had (the spec may leave them out). */
    private static int exportedClasses(JobSpec spec, CheckpointContent c) {
      if (spec.data().numClasses() > 0 || c.tableEncodingJson() == null) {
        return spec.data().numClasses();
      }
      java.util.List<String> classes = TableEncoding.fromJson(c.tableEncodingJson())
          .labelClasses();
      return classes == null ? 0 : classes.size();
    }
  }
}
