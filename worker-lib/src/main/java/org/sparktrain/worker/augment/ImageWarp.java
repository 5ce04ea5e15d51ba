package org.sparktrain.worker.augment;

/**
 * Applies an {@link ImageTransform} to one CHW image by inverse mapping: each output pixel
 * centre is mapped back into the source and sampled bilinearly, reading zero outside. Rotation
 * and zoom are one affine map around the centre ((width - 1) / 2, (height - 1) / 2), so an
 * image is resampled once, not once per operation. Shifts and mirrors alone move whole pixels
 * and take an exact path without interpolation.
 */
final class ImageWarp {
  private ImageWarp() {}

  static void apply(ImageTransform t, float[] src, int srcOffset, float[] dst, int dstOffset,
      int channels, int height, int width) {
    int plane = height * width;
    if (t.isIdentity()) {
      System.arraycopy(src, srcOffset, dst, dstOffset, channels * plane);
    } else if (!t.needsInterpolation()) {
      shiftAndFlip(t, src, srcOffset, dst, dstOffset, channels, height, width);
    } else {
      affine(t, src, srcOffset, dst, dstOffset, channels, height, width);
    }
  }

  private static void shiftAndFlip(ImageTransform t, float[] src, int srcOffset, float[] dst,
      int dstOffset, int channels, int height, int width) {
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        int sy = y - t.shiftY();
        int out = dstOffset + c * plane + y * width;
        int in = srcOffset + c * plane + sy * width;
        for (int x = 0; x < width; x++) {
          int sx = x - t.shiftX();
          if (t.flipHorizontal()) {
            sx = width - 1 - sx;
          }
          boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
          dst[out + x] = inside ? src[in + sx] : 0f;
        }
      }
    }
  }

  private static void affine(ImageTransform t, float[] src, int srcOffset, float[] dst,
      int dstOffset, int channels, int height, int width) {
    int plane = height * width;
    double cx = (width - 1) / 2.0;
    double cy = (height - 1) / 2.0;
    double radians = Math.toRadians(t.angleDegrees());
    // Inverse of "rotate counterclockwise by a, then zoom by s" in y-down image coordinates.
    double cos = Math.cos(radians) / t.scale();
    double sin = Math.sin(radians) / t.scale();
    for (int y = 0; y < height; y++) {
      double v = y - t.shiftY() - cy;
      for (int x = 0; x < width; x++) {
        double u = x - t.shiftX() - cx;
        double sx = cos * u - sin * v + cx;
        double sy = sin * u + cos * v + cy;
        if (t.flipHorizontal()) {
          sx = width - 1 - sx;
        }
        for (int c = 0; c < channels; c++) {
          dst[dstOffset + c * plane + y * width + x] =
              bilinear(src, srcOffset + c * plane, height, width, sx, sy);
        }
      }
    }
  }

  private static float bilinear(float[] src, int offset, int height, int width, double x,
      double y) {
    double fx0 = Math.floor(x);
    double fy0 = Math.floor(y);
    if (fx0 < -1 || fy0 < -1 || fx0 >= width || fy0 >= height) {
      return 0f;
    }
    int x0 = (int) fx0;
    int y0 = (int) fy0;
    double ax = x - x0;
    double ay = y - y0;
    if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
      int at = offset + y0 * width + x0;
      double upper = (1 - ax) * src[at] + ax * src[at + 1];
      double lower = (1 - ax) * src[at + width] + ax * src[at + width + 1];
      return (float) ((1 - ay) * upper + ay * lower);
    }
    double top = (1 - ax) * pixel(src, offset, height, width, x0, y0)
        + ax * pixel(src, offset, height, width, x0 + 1, y0);
    double bottom = (1 - ax) * pixel(src, offset, height, width, x0, y0 + 1)
        + ax * pixel(src, offset, height, width, x0 + 1, y0 + 1);
    return (float) ((1 - ay) * top + ay * bottom);
  }

  private static float pixel(float[] src, int offset, int height, int width, int x, int y) {
    return x >= 0 && x < width && y >= 0 && y < height ? src[offset + y * width + x] : 0f;
  }
}
