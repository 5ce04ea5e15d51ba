package org.sparktrain.driver.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Finds the round folders under a run's {@code checkpoints/}, newest first, in the way that costs
 * the store fewest calls.
 *
 * <ul>
 *   <li>A file system with real folders ({@code file://}, HDFS): one listing of
 *       {@code checkpoints/}; each manifest is then opened by name.
 *   <li>An object store (S3A): one flat listing of every object under {@code checkpoints/}
 *       (one LIST request per 1,000 objects) finds the manifests themselves. A round whose
 *       manifest is not among them is known to have none without asking, and a manifest is opened
 *       with its listed status, which spares the HEAD request S3A otherwise makes first. On HDFS
 *       a recursive listing would list every round folder instead: more calls, not fewer.
 * </ul>
 */
final class CheckpointFolders {
  private static final Pattern ROUND_DIR = Pattern.compile("round-(\\d{6,})");
  /** Schemes whose recursive listing is one flat request rather than a walk of folders. */
  private static final Set<String> FLAT_LISTING_SCHEMES = Set.of("s3a");
  /** Stands for "no manifest seen yet" in a map that holds no nulls. */
  private static final FileStatus NO_MANIFEST = new FileStatus();

  /**
   * One round's folder, as the listing saw it.
   *
   * @param manifest the manifest's status when the listing saw it; null when it did not, or
   *     when the listing does not look inside folders ({@code manifestListed} false)
   * @param manifestListed whether the listing looked for the manifest, so that a null
   *     {@code manifest} means there is none
   */
  record Folder(long round, FileStatus manifest, boolean manifestListed) {
    /** A round looked up by number, with nothing known of its manifest. */
    static Folder unlisted(long round) {
      return new Folder(round, null, false);
    }

    boolean knownWithoutManifest() {
      return manifestListed && manifest == null;
    }
  }

  private final FileSystem fs;
  private final Path root;
  private final boolean flat;

  CheckpointFolders(FileSystem fs, Path root, boolean flat) {
    this.fs = fs;
    this.root = root;
    this.flat = flat;
  }

  /** Whether the store behind {@code fs} lists by manifests (see the class comment). */
  static boolean listsFlat(FileSystem fs) {
    return FLAT_LISTING_SCHEMES.contains(fs.getUri().getScheme());
  }

  static String name(long round) {
    return String.format("round-%06d", round);
  }

  List<Folder> newestFirst() throws IOException {
    return flat ? byManifests() : byFolders();
  }

  private List<Folder> byFolders() throws IOException {
    List<Folder> folders = new ArrayList<>();
    if (!fs.exists(root)) {
      return folders;
    }
    for (FileStatus status : fs.listStatus(root)) {
      Matcher m = ROUND_DIR.matcher(status.getPath().getName());
      if (status.isDirectory() && m.matches()) {
        folders.add(Folder.unlisted(Long.parseLong(m.group(1))));
      }
    }
    folders.sort(Comparator.comparingLong(Folder::round).reversed());
    return folders;
  }

  private List<Folder> byManifests() throws IOException {
    // Every round with a file in it, each with its manifest's status or null.
    Map<Long, FileStatus> rounds = new TreeMap<>(Comparator.reverseOrder());
    String rootPath = fs.makeQualified(root).toUri().getPath();
    try {
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      while (files.hasNext()) {
        FileStatus file = files.next();
        Path folder = file.getPath().getParent();
        Matcher m = ROUND_DIR.matcher(folder.getName());
        if (!m.matches() || folder.getParent() == null
            || !folder.getParent().toUri().getPath().equals(rootPath)) {
          continue;
        }
        long round = Long.parseLong(m.group(1));
        boolean manifest = file.getPath().getName().equals(CheckpointFiles.MANIFEST);
        rounds.merge(round, manifest ? file : NO_MANIFEST, (a, b) -> a == NO_MANIFEST ? b : a);
      }
    } catch (FileNotFoundException e) {
      return List.of(); // no checkpoints folder yet
    }
    List<Folder> folders = new ArrayList<>();
    rounds.forEach((round, manifest) -> folders.add(
        new Folder(round, manifest == NO_MANIFEST ? null : manifest, true)));
    return folders;
  }
}
