package org.sparktrain.driver.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds and opens input files through the Hadoop FileSystem API, so file://, hdfs:// and s3a://
 * all work by URI. A URI may name a file, a folder (all visible files in it) or a glob.
 */
public final class InputFiles {
  private InputFiles() {}

  /** The matching files in a stable (sorted) order; fails naming the URI if there are none. */
  public static List<String> list(String uri, Configuration conf) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(conf);
    FileStatus[] matches = fs.globStatus(path);
    if (matches == null || matches.length == 0) {
      throw new IOException("no input found at " + uri + " (check data.uri: a file, a folder or "
          + "a glob such as hdfs://nn/data/part-*.csv)");
    }
    List<String> files = new ArrayList<>();
    for (FileStatus match : matches) {
      if (match.isDirectory()) {
        FileStatus[] children = fs.listStatus(match.getPath(),
            p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
        Arrays.sort(children, Comparator.comparing(s -> s.getPath().toString()));
        for (FileStatus child : children) {
          if (child.isFile()) {
            files.add(child.getPath().toString());
          }
        }
      } else {
        files.add(match.getPath().toString());
      }
    }
    files.sort(Comparator.naturalOrder());
    if (files.isEmpty()) {
      throw new IOException("folder " + uri + " holds no input files");
    }
    return files;
  }

  /** Opens a file, decompressing it when its name ends in .gz. */
  public static InputStream open(String file, Configuration conf) throws IOException {
    Path path = new Path(file);
    InputStream raw = path.getFileSystem(conf).open(path);
    return file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  public static BufferedReader openText(String file, Configuration conf) throws IOException {
    return new BufferedReader(new InputStreamReader(open(file, conf), StandardCharsets.UTF_8),
        1 << 16);
  }

  /** A file's lines, each at most {@link LineReader#MAX_LINE_CHARS} long. */
  public static LineReader openLines(String file, Configuration conf) throws IOException {
    return new LineReader(new InputStreamReader(open(file, conf), StandardCharsets.UTF_8), file,
        LineReader.MAX_LINE_CHARS);
  }

  /** A line of a file and its number (1 for the first). */
  public record NumberedLine(String text, long number) {}

  /** The first non-blank line after an optional header, or null for an empty file. */
  public static NumberedLine firstRecordLine(String file, boolean header, Configuration conf)
      throws IOException {
    try (LineReader reader = openLines(file, conf)) {
      if (header) {
        reader.readLine();
      }
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          return new NumberedLine(line, reader.lineNumber());
        }
      }
      return null;
    }
  }
}
