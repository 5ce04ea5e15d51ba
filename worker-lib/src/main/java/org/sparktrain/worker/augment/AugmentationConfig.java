package org.sparktrain.worker.augment;

import java.io.Serializable;

/**
 * Which random image augmentations to apply and how often. Each one is drawn independently per
 * example with its own probability; pixels outside the source image read as zero (the only
 * padding mode: digits and clothes lie on a black background, so zero is the background).
 *
 * @param shiftPixels largest shift in pixels, each axis drawn uniformly from [-s, s]; equal to
 *     padding by s and cropping a random window, the classic CIFAR/MNIST "random crop"
 * @param pShift probability that an example is shifted
 * @param rotationDegrees largest rotation, drawn uniformly from [-r, r], positive counterclockwise
 * @param pRotate probability that an example is rotated
 * @param scaleMin smallest zoom factor (below 1 shrinks the content)
 * @param scaleMax largest zoom factor (above 1 enlarges it)
 * @param pScale probability that an example is zoomed, by a factor uniform in [min, max]
 * @param pFlipHorizontal probability of a left-right mirror image; 0 for digits and letters, whose
 *     mirror images are not the same class
 */
public record AugmentationConfig(int shiftPixels, double pShift, double rotationDegrees,
    double pRotate, double scaleMin, double scaleMax, double pScale, double pFlipHorizontal)
    implements Serializable {

  public AugmentationConfig {
    if (shiftPixels < 0) {
      throw new IllegalArgumentException("shiftPixels must be >= 0, got " + shiftPixels);
    }
    if (!(rotationDegrees >= 0 && rotationDegrees <= 180)) {
      throw new IllegalArgumentException("rotationDegrees must be in [0, 180], got "
          + rotationDegrees);
    }
    if (!(scaleMin > 0 && scaleMin <= scaleMax && Double.isFinite(scaleMax))) {
      throw new IllegalArgumentException("scale range must satisfy 0 < scaleMin <= scaleMax, got ["
          + scaleMin + ", " + scaleMax + "]");
    }
    checkProbability("pShift", pShift);
    checkProbability("pRotate", pRotate);
    checkProbability("pScale", pScale);
    checkProbability("pFlipHorizontal", pFlipHorizontal);
  }

  /** No augmentation: every image is returned unchanged. */
  public static AugmentationConfig none() {
    return new AugmentationConfig(0, 0, 0, 0, 1, 1, 0, 0);
  }

  /**
   * For handwritten digits: shifts of up to 2 px and rotations of up to 10 degrees stay within
   * how people write (Simard et al. 2003 used small affine distortions), no mirror images.
   */
  public static AugmentationConfig digits() {
    return new AugmentationConfig(2, 0.5, 10, 0.5, 0.9, 1.1, 0.5, 0);
  }

  /**
   * For Fashion-MNIST: as {@link #digits()} plus mirror images, since a mirrored shirt or bag
   * is still a shirt or bag.
   */
  public static AugmentationConfig fashion() {
    return new AugmentationConfig(2, 0.5, 10, 0.5, 0.9, 1.1, 0.5, 0.5);
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
    }
  }
}
