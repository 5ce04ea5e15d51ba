package org.sparktrain.worker.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.sparktrain.worker.data.ExampleBlock;

class ImageAugmenterTest {
  private static final AugmentationConfig ALL = new AugmentationConfig(2, 1, 15, 1, 0.9, 1.1, 1,
      0.5);

  /** A 28x28 grey image: a Gaussian blob left of centre plus a short bar, like a thick digit. */
  private static float[] blob() {
    float[] image = new float[28 * 28];
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        double d2 = (x - 12.5) * (x - 12.5) + (y - 13.0) * (y - 13.0);
        image[y * 28 + x] = (float) Math.exp(-d2 / 18);
      }
    }
    for (int y = 8; y < 18; y++) {
      image[y * 28 + 17] = 1f;
    }
    return image;
  }

  private static float[] randomImage(int length, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] image = new float[length];
    for (int i = 0; i < length; i++) {
      image[i] = (float) r.nextDouble();
    }
    return image;
  }

  private static double sum(float[] values) {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }

  @Test
  void sameCoordinatesGiveIdenticalOutputAndAnotherRoundDoesNot() {
    float[] image = blob();
    ImageAugmenter a = new ImageAugmenter(ALL, 1, 28, 28, 42);
    ImageAugmenter b = new ImageAugmenter(ALL, 1, 28, 28, 42);
    float[] first = a.augment(image, 3, 1, 17);
    assertThat(b.augment(image, 3, 1, 17)).containsExactly(first);
    assertThat(a.augment(image, 4, 1, 17)).isNotEqualTo(first);
    assertThat(a.augment(image, 3, 0, 17)).isNotEqualTo(first);
    assertThat(a.augment(image, 3, 1, 18)).isNotEqualTo(first);
    assertThat(new ImageAugmenter(ALL, 1, 28, 28, 43).augment(image, 3, 1, 17))
        .isNotEqualTo(first);
    assertThat(image).containsExactly(blob());
  }

  @Test
  void identityConfigLeavesImagesUnchangedBitForBit() {
    float[] image = randomImage(3 * 8 * 5, 1);
    image[7] = Float.NaN;
    image[8] = -0.0f;
    ImageAugmenter none = new ImageAugmenter(AugmentationConfig.none(), 3, 8, 5, 42);
    for (int i = 0; i < 100; i++) {
      assertThat(none.draw(i, 0, i).isIdentity()).isTrue();
      float[] out = none.augment(image, i, 0, i);
      for (int p = 0; p < image.length; p++) {
        assertThat(Float.floatToRawIntBits(out[p])).isEqualTo(Float.floatToRawIntBits(image[p]));
      }
    }
  }

  @Test
  void shiftMovesAPatternByWholePixelsWithZerosEntering() {
    float[] image = randomImage(2 * 6 * 7, 2);
    ImageAugmenter aug = new ImageAugmenter(AugmentationConfig.none(), 2, 6, 7, 1);
    float[] right = aug.apply(new ImageTransform(false, 0, 1, 2, 0), image);
    float[] up = aug.apply(new ImageTransform(false, 0, 1, 0, -1), image);
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 6; y++) {
        for (int x = 0; x < 7; x++) {
          int at = c * 42 + y * 7 + x;
          assertThat(right[at]).isEqualTo(x < 2 ? 0f : image[at - 2]);
          assertThat(up[at]).isEqualTo(y == 5 ? 0f : image[at + 7]);
        }
      }
    }
  }

  @Test
  void mirroringTwiceIsTheIdentity() {
    float[] image = randomImage(3 * 4 * 5, 3);
    ImageAugmenter aug = new ImageAugmenter(AugmentationConfig.none(), 3, 4, 5, 1);
    ImageTransform flip = new ImageTransform(true, 0, 1, 0, 0);
    float[] once = aug.apply(flip, image);
    assertThat(once[0]).isEqualTo(image[4]);
    assertThat(once[20 + 5 + 1]).isEqualTo(image[20 + 5 + 3]);
    assertThat(aug.apply(flip, once)).containsExactly(image);
  }

  @Test
  void ninetyDegreesMatchesTheHandRotatedImage() {
    for (int n : new int[] {5, 4}) {
      float[] image = randomImage(2 * n * n, n);
      ImageAugmenter aug = new ImageAugmenter(AugmentationConfig.none(), 2, n, n, 1);
      float[] ccw = aug.apply(new ImageTransform(false, 90, 1, 0, 0), image);
      float[] cw = aug.apply(new ImageTransform(false, -90, 1, 0, 0), image);
      for (int c = 0; c < 2; c++) {
        for (int r = 0; r < n; r++) {
          for (int col = 0; col < n; col++) {
            // Counterclockwise: the top-right pixel goes to the top left.
            float expectedCcw = image[c * n * n + col * n + (n - 1 - r)];
            float expectedCw = image[c * n * n + (n - 1 - col) * n + r];
            assertThat(ccw[c * n * n + r * n + col]).isCloseTo(expectedCcw, offset(1e-5f));
            assertThat(cw[c * n * n + r * n + col]).isCloseTo(expectedCw, offset(1e-5f));
          }
        }
      }
    }
  }

  @Test
  void forcedRotationStaysInItsRangeAndProbabilityZeroNeverRotates() {
    ImageAugmenter always = new ImageAugmenter(
        new AugmentationConfig(0, 0, 90, 1, 1, 1, 0, 0), 1, 28, 28, 5);
    ImageAugmenter never = new ImageAugmenter(
        new AugmentationConfig(0, 0, 90, 0, 1, 1, 0, 0), 1, 28, 28, 5);
    double largest = 0;
    for (int i = 0; i < 1000; i++) {
      double angle = always.draw(0, 0, i).angleDegrees();
      assertThat(angle).isBetween(-90.0, 90.0).isNotZero();
      largest = Math.max(largest, Math.abs(angle));
      assertThat(never.draw(0, 0, i).isIdentity()).isTrue();
    }
    assertThat(largest).isGreaterThan(85);
  }

  @Test
  void zoomAboutTheCentreKeepsTheCentrePixel() {
    float[] image = randomImage(5 * 5, 6);
    ImageAugmenter aug = new ImageAugmenter(AugmentationConfig.none(), 1, 5, 5, 1);
    float[] zoomed = aug.apply(new ImageTransform(false, 0, 2, 0, 0), image);
    assertThat(zoomed[12]).isEqualTo(image[12]);
    // Pixel (2, 4) samples source (2, 3): the centre row, halfway to the edge.
    assertThat(zoomed[2 * 5 + 4]).isCloseTo(image[2 * 5 + 3], offset(1e-6f));
  }

  @Test
  void blockAugmentationKeepsLabelsAndRoughlyThePixelMass() {
    int rows = 50;
    float[] features = new float[rows * 784];
    float[] labels = new float[rows];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(blob(), 0, features, r * 784, 784);
      labels[r] = r % 10;
    }
    ExampleBlock block = new ExampleBlock(1, rows, 784, features, labels);
    AugmentationConfig small = new AugmentationConfig(2, 1, 10, 1, 1, 1, 0, 0);
    ExampleBlock out = new ImageAugmenter(small, 1, 28, 28, 7).augment(block, 3);
    assertThat(out.labels()).containsExactly(labels);
    assertThat(out.partition()).isEqualTo(1);
    assertThat(block.features()).containsExactly(features);
    double mass = sum(blob());
    for (int r = 0; r < rows; r++) {
      float[] image = Arrays.copyOfRange(out.features(), r * 784, (r + 1) * 784);
      assertThat(sum(image)).isCloseTo(mass, offset(0.02 * mass));
    }
  }

  @Test
  void augmentingRowsInPlaceEqualsAugmentingEachImage() {
    ImageAugmenter aug = new ImageAugmenter(ALL, 1, 28, 28, 9);
    int[] exampleIndices = {5, 0, 11};
    float[] rows = new float[3 * 784];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(blob(), 0, rows, i * 784, 784);
    }
    aug.augmentRows(rows, exampleIndices, 2, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(Arrays.copyOfRange(rows, i * 784, (i + 1) * 784))
          .containsExactly(aug.augment(blob(), 2, 1, exampleIndices[i]));
    }
  }

  @Test
  void sixtyThousandMnistImagesTakeSeconds(TestReporter report) {
    ImageAugmenter aug = new ImageAugmenter(ALL, 1, 28, 28, 11);
    int batch = 1_000;
    float[] rows = new float[batch * 784];
    int[] indices = new int[batch];
    float[] image = blob();
    long start = System.nanoTime();
    for (int done = 0; done < 60_000; done += batch) {
      for (int i = 0; i < batch; i++) {
        System.arraycopy(image, 0, rows, i * 784, 784);
        indices[i] = done + i;
      }
      aug.augmentRows(rows, indices, 0, 0);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    report.publishEntry("augment", String.format("60,000 28x28 images, every transform on: "
        + "%.2f s", seconds));
    assertThat(seconds).isLessThan(10);
  }

  @Test
  void wrongShapesAndSettingsAreRefused() {
    ImageAugmenter aug = new ImageAugmenter(AugmentationConfig.none(), 1, 28, 28, 1);
    assertThatThrownBy(() -> aug.augment(new float[700], 0, 0, 0))
        .hasMessageContaining("expected 1 image(s) of 1x28x28 = 784 floats in CHW order, got 700");
    assertThatThrownBy(() -> new AugmentationConfig(2, 1.5, 0, 0, 1, 1, 0, 0))
        .hasMessageContaining("pShift must be a probability in [0, 1], got 1.5");
    assertThatThrownBy(() -> new AugmentationConfig(0, 0, 0, 0, 1.2, 1.1, 0, 0))
        .hasMessageContaining("0 < scaleMin <= scaleMax, got [1.2, 1.1]");
  }
}
