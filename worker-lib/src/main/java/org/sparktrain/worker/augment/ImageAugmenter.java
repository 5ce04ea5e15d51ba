package org.sparktrain.worker.augment;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.SeedMixer;

/**
 * Random augmentation of images stored as float arrays in CHW order: channel-major, then rows
 * top to bottom, then columns left to right, so pixel (c, y, x) is at
 * {@code c * height * width + y * width + x} (a grey 28x28 MNIST row of an {@link ExampleBlock}
 * is CHW with one channel).
 *
 * <p>The transform of an example is a pure function of (seed, round, partition, example index),
 * like every other random draw in a run, so a retried task or a resumed run augments identically,
 * and each round sees a fresh variant. Only pixels change; labels are never touched.
 */
public final class ImageAugmenter implements Serializable {
  /** Seed stream of augmentation (see DocumentSplit for the other streams). */
  private static final long STREAM = 13;

  private final AugmentationConfig config;
  private final int channels;
  private final int height;
  private final int width;
  private final long seed;

  public ImageAugmenter(AugmentationConfig config, int channels, int height, int width,
      long seed) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("image shape must be positive, got channels "
          + channels + ", height " + height + ", width " + width);
    }
    this.config = config;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.seed = seed;
  }

  public int imageLength() {
    return channels * height * width;
  }

  /** The transform example {@code exampleIndex} of {@code partition} gets in {@code round}. */
  public ImageTransform draw(long round, int partition, long exampleIndex) {
    SplittableRandom r = new SplittableRandom(SeedMixer.mix(seed, STREAM, round, partition,
        exampleIndex));
    boolean flip = r.nextDouble() < config.pFlipHorizontal();
    double angle = r.nextDouble() < config.pRotate()
        ? (2 * r.nextDouble() - 1) * config.rotationDegrees() : 0;
    double scale = r.nextDouble() < config.pScale()
        ? config.scaleMin() + r.nextDouble() * (config.scaleMax() - config.scaleMin()) : 1;
    int s = config.shiftPixels();
    boolean shift = r.nextDouble() < config.pShift();
    int dx = shift ? r.nextInt(2 * s + 1) - s : 0;
    int dy = shift ? r.nextInt(2 * s + 1) - s : 0;
    return new ImageTransform(flip, angle, scale, dx, dy);
  }

  /** A new, augmented copy of one image. */
  public float[] augment(float[] image, long round, int partition, long exampleIndex) {
    return apply(draw(round, partition, exampleIndex), image);
  }

  /** A new image: {@code transform} applied to {@code image}. */
  public float[] apply(ImageTransform transform, float[] image) {
    checkLength(image.length, 1);
    float[] out = new float[image.length];
    ImageWarp.apply(transform, image, 0, out, 0, channels, height, width);
    return out;
  }

  /**
   * Augments packed rows in place (a minibatch's feature matrix): row i is example
   * {@code exampleIndices[i]} of {@code partition}.
   */
  public void augmentRows(float[] rows, int[] exampleIndices, long round, int partition) {
    int length = imageLength();
    checkLength(rows.length, exampleIndices.length);
    float[] source = new float[length];
    for (int i = 0; i < exampleIndices.length; i++) {
      System.arraycopy(rows, i * length, source, 0, length);
      ImageWarp.apply(draw(round, partition, exampleIndices[i]), source, 0, rows, i * length,
          channels, height, width);
    }
  }

  /** An augmented copy of a block: row r is example r of the block's partition. */
  public ExampleBlock augment(ExampleBlock block, long round) {
    if (block.width() != imageLength()) {
      throw new IllegalArgumentException("block rows have " + block.width() + " values, but "
          + channels + "x" + height + "x" + width + " images have " + imageLength());
    }
    float[] out = new float[block.features().length];
    for (int r = 0; r < block.rows(); r++) {
      ImageWarp.apply(draw(round, block.partition(), r), block.features(), r * block.width(),
          out, r * block.width(), channels, height, width);
    }
    return new ExampleBlock(block.partition(), block.rows(), block.width(), out,
        block.labels().clone());
  }

  private void checkLength(int actual, int images) {
    if (actual != images * imageLength()) {
      throw new IllegalArgumentException("expected " + images + " image(s) of " + channels + "x"
          + height + "x" + width + " = " + images * imageLength() + " floats in CHW order, got "
          + actual);
    }
  }
}
