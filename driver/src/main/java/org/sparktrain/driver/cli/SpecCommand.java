package org.sparktrain.driver.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.spec.keys.KeyReference;
import org.sparktrain.driver.spec.keys.SpecKey;
import org.sparktrain.driver.spec.keys.SpecKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sparktrain spec ...}: what a job spec may hold. */
@Command(name = "spec", mixinStandardHelpOptions = true, description = "About job specs: "
    + "their keys.", subcommands = SpecCommand.Keys.class)
final class SpecCommand implements Runnable {
  @Override
  public void run() {
    throw new SpecException("spec needs a subcommand: keys [PREFIX]");
  }

  /** {@code sparktrain spec keys [PREFIX]}: every key with its type, default and doc. */
  @Command(name = "keys", mixinStandardHelpOptions = true, description = "Print every spec "
      + "key (or those under PREFIX, e.g. train.optimizer) with its type, default and what it "
      + "does.")
  static final class Keys implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "a section "
        + "or key path, e.g. train or train.optimizer.learningRate")
    String prefix;

    @Override
    public Integer call() {
      String wanted = prefix == null ? "" : prefix.strip();
      List<SpecKey> keys = SpecKeys.under(wanted);
      if (keys.isEmpty()) {
        throw new SpecException("spec keys: no key is " + wanted + " or under it (sections: "
            + SpecKeys.children("").stream().map(SpecKey::path)
                .collect(Collectors.joining(", ")) + ")");
      }
      System.out.print(KeyReference.text(keys));
      return 0;
    }
  }
}
