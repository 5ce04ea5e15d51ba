package org.sparktrain.driver.api;

import java.net.URL;

/**
 * Spark without a log4j2 configuration logs some forty INFO lines while it starts, which would
 * bury a notebook cell's output. Unless the user configured logging, use bin/sparktrain's
 * settings (conf/log4j2.properties): sparktrain at INFO, Spark and Hadoop at WARN.
 */
final class NotebookLogging {
  static final String CONFIG_PROPERTY = "log4j2.configurationFile";
  private static final String RESOURCE = "log4j2-notebook.properties";

  private NotebookLogging() {}

  /** Takes effect only when log4j has not started yet, which is the case before Spark runs. */
  static void useQuietDefaults() {
    if (System.getProperty(CONFIG_PROPERTY) == null) {
      URL config = NotebookLogging.class.getResource(RESOURCE);
      if (config != null) {
        System.setProperty(CONFIG_PROPERTY, config.toString());
      }
    }
  }
}
