package org.sparktrain.driver.spec;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Writes a resolved spec back as YAML that {@link JobSpecParser} reads again. */
public final class SpecYaml {
  private SpecYaml() {}

  public static String write(JobSpec spec) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setPrettyFlow(true);
    return new Yaml(options).dump(spec.toMap());
  }
}
