package org.sparktrain.driver.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir
  Path dir;

  private FileSystem fs() throws IOException {
    return FileSystem.getLocal(new Configuration());
  }

  @Test
  void aWriteThatFailsHalfwayLeavesTheOldFileWholeAndNoTemporaryFile() throws IOException {
    Path summary = Files.writeString(dir.resolve("summary.json"), "{\"old\": true}");
    assertThatThrownBy(() -> AtomicFiles.write(fs(), new org.apache.hadoop.fs.Path(
        summary.toUri()), out -> {
          out.write("{\"new\": ".getBytes(StandardCharsets.UTF_8));
          throw new IOException("disk full (simulated)");
        })).hasMessageContaining("disk full");

    assertThat(Files.readString(summary)).isEqualTo("{\"old\": true}");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".crc"))).containsExactly("summary.json");
    }
  }

  @Test
  void aCompleteWriteReplacesTheFile() throws IOException {
    Path summary = Files.writeString(dir.resolve("summary.json"), "{\"old\": true}");
    AtomicFiles.write(fs(), new org.apache.hadoop.fs.Path(summary.toUri()),
        out -> out.write("{\"new\": true}".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(summary)).isEqualTo("{\"new\": true}");
  }

  @Test
  void aFolderInTheWayIsRefusedNotWrittenInto() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("model.zip"));
    assertThatThrownBy(() -> AtomicFiles.write(fs(), new org.apache.hadoop.fs.Path(
        folder.toUri()), out -> out.write(1)))
        .hasMessageContaining("a folder of that name is in the way");
    try (var files = Files.list(folder)) {
      assertThat(files).isEmpty();
    }
  }
}
