package org.sparktrain.driver.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.run.ComparedRun;
import org.sparktrain.driver.run.RunComparison;
import org.sparktrain.driver.spec.JobSpecParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparktrain compare RUN_DIR...}: runs side by side, as a table and compare.html. */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Compare runs side by "
    + "side: the spec keys that differ, final and best metrics, throughput, time and sizes "
    + "(printed), and their curves overlaid (compare.html).")
final class CompareCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories (train "
      + "or crossval output.dir) on any store: a path, file://, hdfs://, s3a://")
  List<String> runDirs;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "compare.html",
      description = "where compare.html goes (default: compare.html here); any store")
  String output;

  @Override
  public Integer call() throws IOException {
    Configuration conf = new Configuration();
    List<ComparedRun> runs = new ArrayList<>();
    for (String dir : runDirs) {
      runs.add(ComparedRun.read(JobSpecParser.resolve(dir, null), conf));
    }
    List<OutputGuard.Kept> kept = new ArrayList<>();
    for (ComparedRun run : runs) {
      kept.add(new OutputGuard.Kept("a compared run", run.uri()));
    }
    OutputGuard.refuseInside("compare", "--output", JobSpecParser.resolve(output, null), kept,
        conf);
    RunComparison comparison = new RunComparison(runs);
    System.out.print(comparison.text());
    Path page = new Path(JobSpecParser.resolve(output, null));
    byte[] html = comparison.page().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(page.getFileSystem(conf), page, out -> out.write(html));
    System.out.println("\ncompare.html: " + page);
    return 0;
  }
}
