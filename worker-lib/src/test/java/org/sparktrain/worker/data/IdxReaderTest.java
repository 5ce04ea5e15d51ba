package org.sparktrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdxReaderTest {
  private static IdxReader reader(byte[] images, byte[] labels) throws IOException {
    return new IdxReader(new ByteArrayInputStream(images), "img.idx",
        new ByteArrayInputStream(labels), "lbl.idx", LabelRule.classes(10));
  }

  @Test
  void readsPixelsAndLabels() throws IOException {
    List<ParsedRecord> records = new ArrayList<>();
    try (IdxReader r = reader(IdxFiles.images(3, 2, 2, IdxReader.IMAGES_MAGIC),
        IdxFiles.labels(new int[] {7, 0, 9}))) {
      assertThat(r.pixels()).isEqualTo(4);
      r.forEachRemaining(records::add);
    }
    assertThat(records).hasSize(3);
    assertThat(records.get(1).features()).containsExactly(4f, 5f, 6f, 7f);
    assertThat(records.get(2).label()).isEqualTo(9.0);
    assertThat(records.get(2).line()).isEqualTo(3);
  }

  @Test
  void labelOutOfRangeIsDroppable() throws IOException {
    try (IdxReader r = reader(IdxFiles.images(1, 1, 1, IdxReader.IMAGES_MAGIC),
        IdxFiles.labels(new int[] {12}))) {
      assertThat(r.next().dropReason()).isEqualTo(DropReason.LABEL_OUT_OF_RANGE);
    }
  }

  @Test
  void wrongMagicNamesTheFile() {
    assertThatThrownBy(() -> reader(IdxFiles.images(1, 1, 1, 2049), IdxFiles.labels(new int[1])))
        .hasMessageContaining("img.idx: not an IDX unsigned-byte image file (magic 2049");
  }

  @Test
  void countMismatchNamesBothFiles() {
    assertThatThrownBy(() -> reader(IdxFiles.images(2, 1, 1, IdxReader.IMAGES_MAGIC),
        IdxFiles.labels(new int[1])))
        .hasMessageContaining("img.idx holds 2 images but lbl.idx holds 1 labels");
  }

  @Test
  void truncatedFileNamesRecord() throws IOException {
    byte[] images = IdxFiles.images(3, 2, 2, IdxReader.IMAGES_MAGIC);
    byte[] cut = Arrays.copyOf(images, images.length - 2);
    IdxReader r = reader(cut, IdxFiles.labels(new int[] {1, 2, 3}));
    r.next();
    r.next();
    assertThatThrownBy(r::next).hasMessageContaining("img.idx: cannot read image 3 of 3");
  }

  /** A header alone: what a crafted file needs to make a reader allocate. */
  private static byte[] header(int count, int rows, int cols) {
    return ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(count)
        .putInt(rows).putInt(cols).array();
  }

  @Test
  void craftedHeadersAreRefusedBeforeAnythingIsAllocated() throws IOException {
    byte[] noLabels = IdxFiles.labels(new int[0]);
    // 65536 x 65536 overflows an int to 0; unchecked it gave a 0-pixel reader.
    assertThatThrownBy(() -> reader(header(0, 65536, 65536), noLabels))
        .hasMessageContaining("img.idx: IDX header says 65536 x 65536 = 4294967296 pixels per "
            + "image; at most 16777216 are supported");
    assertThatThrownBy(() -> reader(header(-5, 2, 2), IdxFiles.labels(new int[0])))
        .hasMessageContaining("img.idx: invalid IDX header (-5 images of 2 x 2 pixels");
    assertThatThrownBy(() -> reader(header(0, -2, 3), noLabels))
        .hasMessageContaining("invalid IDX header");
  }

  @Test
  void anImageFileLongerOrShorterThanItsHeaderSays_isRefusedNamingIt() throws IOException {
    byte[] images = IdxFiles.images(3, 2, 2, IdxReader.IMAGES_MAGIC);
    try (IdxReader r = reader(images, IdxFiles.labels(new int[] {1, 2, 3}))) {
      r.checkImagesLength(images.length);
      assertThatThrownBy(() -> r.checkImagesLength(images.length - 1))
          .hasMessage("img.idx is 27 bytes but its IDX header (3 images of 4 pixels) needs 28 "
              + "(truncated?)");
      assertThatThrownBy(() -> r.checkImagesLength(images.length + 100))
          .hasMessageContaining("(trailing data?)");
    }
  }
}
