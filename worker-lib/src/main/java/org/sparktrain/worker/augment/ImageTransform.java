package org.sparktrain.worker.augment;

/**
 * One drawn augmentation, applied in this order: mirror left-right, rotate and zoom about the
 * image centre, shift by whole pixels. {@link ImageAugmenter} draws one per example; a test or a
 * caller that wants a particular transform builds it directly.
 *
 * @param angleDegrees counterclockwise as the image is displayed (row 0 at the top)
 * @param scale zoom factor; 1 keeps the size
 * @param shiftX pixels to the right
 * @param shiftY pixels down
 */
public record ImageTransform(boolean flipHorizontal, double angleDegrees, double scale,
    int shiftX, int shiftY) {

  public static final ImageTransform IDENTITY = new ImageTransform(false, 0, 1, 0, 0);

  public ImageTransform {
    if (!(scale > 0) || !Double.isFinite(angleDegrees)) {
      throw new IllegalArgumentException("need scale > 0 and a finite angle, got scale " + scale
          + ", angle " + angleDegrees);
    }
  }

  public boolean isIdentity() {
    return !flipHorizontal && !needsInterpolation() && shiftX == 0 && shiftY == 0;
  }

  /** Rotation or zoom move pixels by fractions of a pixel; shifts and mirrors do not. */
  public boolean needsInterpolation() {
    return angleDegrees != 0 || scale != 1;
  }
}
