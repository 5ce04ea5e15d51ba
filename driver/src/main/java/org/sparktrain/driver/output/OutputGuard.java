package org.sparktrain.driver.output;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Refuses an output that would overwrite or delete what a command reads: an output that is, or
 * is inside, an input or a model, or that holds one (a folder that {@code --overwrite} would
 * replace). Paths are compared as they are on the store, not as they were typed: qualified
 * ({@code hdfs://nn:8020/...}, the working directory for a relative path) and, on a local disk,
 * with every symlink resolved, so {@code --output link} where {@code link -> model/} is the
 * model folder.
 */
public final class OutputGuard {
  /** Something an output must not overwrite: what it is (an input, the model) and where. */
  public record Kept(String what, String uri) {}

  /** As Linux's limit on links followed in one lookup. */
  private static final int MAX_LINKS = 40;

  private OutputGuard() {}

  /**
   * Refuses an output that is, or is inside, one of {@code kept}.
   *
   * @param command and {@code flag} name the output in the message ({@code predict},
   *     {@code --output})
   * @throws IllegalArgumentException naming the output, what it would destroy, and where
   */
  public static void refuseInside(String command, String flag, String outputUri,
      List<Kept> kept, Configuration conf) throws IOException {
    refuse(command, flag, outputUri, kept, false, conf);
  }

  /**
   * Refuses an output that is, is inside, or holds one of {@code kept}: for an output folder
   * that is replaced whole (Spark's overwrite deletes it first).
   */
  public static void refuseOverlap(String command, String flag, String outputUri,
      List<Kept> kept, Configuration conf) throws IOException {
    refuse(command, flag, outputUri, kept, true, conf);
  }

  private static void refuse(String command, String flag, String outputUri, List<Kept> kept,
      boolean replacesFolder, Configuration conf) throws IOException {
    Path out = canonical(outputUri, conf);
    Path typed = new Path(outputUri);
    String named = out + (typed.getFileSystem(conf).makeQualified(typed).equals(out) ? ""
        : " (given as " + outputUri + ", through a symbolic link)");
    for (Kept k : kept) {
      Path p = canonical(k.uri(), conf);
      if (isSameOrInside(out, p)) {
        throw new IllegalArgumentException(command + ": " + flag + " " + named
            + " is " + (out.equals(p) ? "" : "inside ") + k.what() + " (" + k.uri() + "); "
            + "writing there would destroy it. Choose an output outside the inputs and the "
            + "model.");
      }
      if (replacesFolder && isSameOrInside(p, out)) {
        throw new IllegalArgumentException(command + ": " + flag + " " + named + " holds " + k.what() + " (" + k.uri() + "); replacing the output would destroy "
            + "it. Choose an output outside the inputs and the model.");
      }
    }
  }

  /**
   * The path as the store sees it: qualified, and on {@code file:} with symlinks resolved (the
   * existing part through the file system, a part not created yet appended as typed).
   */
  public static Path canonical(String uri, Configuration conf) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(conf);
    Path qualified = fs.makeQualified(path);
    if (!"file".equals(qualified.toUri().getScheme())) {
      try {
        return fs.resolvePath(qualified);
      } catch (FileNotFoundException e) {
        return qualified; // HDFS has symlinks off by default, S3 none: as typed, qualified
      }
    }
    return new Path(realLocal(java.nio.file.Path.of(qualified.toUri()), 0).toUri());
  }

  /**
   * A local path with every symlink resolved, including a dangling one at the end of its
   * existing part ({@code out -> model/predictions.csv} would write inside the model).
   */
  private static java.nio.file.Path realLocal(java.nio.file.Path path, int links)
      throws IOException {
    if (links > MAX_LINKS) {
      throw new IOException(path + ": more than " + MAX_LINKS + " symbolic links");
    }
    java.nio.file.Path local = path.normalize();
    Deque<String> missing = new ArrayDeque<>();
    java.nio.file.Path existing = local;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      missing.push(existing.getFileName().toString());
      existing = existing.getParent();
    }
    java.nio.file.Path real;
    if (existing == null) {
      real = local.getRoot();
    } else if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
      java.nio.file.Path target = existing.resolveSibling(Files.readSymbolicLink(existing));
      real = realLocal(target, links + 1);
    } else {
      real = existing.toRealPath();
    }
    while (!missing.isEmpty()) {
      real = real.resolve(missing.pop());
    }
    return real;
  }

  private static boolean isSameOrInside(Path path, Path folder) {
    String p = trimSlash(path.toUri().normalize().toString());
    String f = trimSlash(folder.toUri().normalize().toString());
    return p.equals(f) || p.startsWith(f + "/");
  }

  private static String trimSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }
}
