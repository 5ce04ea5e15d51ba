package org.sparktrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
}
