package org.sparktrain.driver.api;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Runs API calls with this package's class loader as the thread's context class loader. Notebook
 * kernels (IJava) load the sparktrain jars in a class loader of their own that is not the context
 * loader of the thread running a cell, while Spark (Kryo's registrator, the executors' class
 * loader) and ND4J (its backend) look classes up through the context loader.
 */
final class ContextLoader {
  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private ContextLoader() {}

  static <T> T call(IoSupplier<T> body) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(ContextLoader.class.getClassLoader());
    try {
      return body.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
