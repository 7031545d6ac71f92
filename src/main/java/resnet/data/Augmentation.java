package resnet.data;

import java.util.Random;

/**
 * Random changes to a training image that keep its class. Two kinds of crop:
 *
 * <ul>
 *   <li>a crop at a random offset from the image padded with {@code padding} zero pixels on every
 *       side (the result has the original size): torchvision's {@code RandomCrop(32, padding=4)},
 *       the CIFAR recipe;
 *   <li>a random resized crop ({@code resizedCrop}): a patch of 8% to 100% of the image's area with
 *       an aspect ratio between 3/4 and 4/3, scaled back to the image's size (bilinear), the ImageNet
 *       recipe's {@code RandomResizedCrop}, for photographs ({@link ImageFolder}).
 * </ul>
 *
 * <p>Then a left-right flip with probability 1/2 ({@code RandomHorizontalFlip()}). Only the training
 * part is augmented; validation and test images are seen as they are.
 *
 * @param padding zero pixels added on each side before the crop; 0 turns cropping off
 * @param flip whether to flip half of the images left to right
 * @param resizedCrop whether to take a random resized crop (then {@code padding} must be 0)
 */
public record Augmentation(int padding, boolean flip, boolean resizedCrop) {

    /** The smallest share of the image's area a random resized crop keeps, as torchvision's default. */
    public static final double MIN_AREA = 0.08;

    /** No change: what validation and test images get. */
    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be 0 or more pixels, got " + padding);
        }
        if (padding > 0 && resizedCrop) {
            throw new IllegalArgumentException("choose one crop: padding " + padding + " or a random resized crop");
        }
    }

    /** A padded random crop and/or a flip, no resized crop. */
    public Augmentation(int padding, boolean flip) {
        this(padding, flip, false);
    }

    /** The ImageNet recipe: a random resized crop and random flips. */
    public static Augmentation randomResizedCrop() {
        return new Augmentation(0, true, true);
    }

    /** The notes' augmentation: 4-pixel padding with a random crop, and random flips. */
    public static Augmentation standard() {
        return new Augmentation(4, true);
    }

    /** Whether this changes anything. */
    public boolean isNone() {
        return padding == 0 && !flip && !resizedCrop;
    }

    /**
     * Writes an augmented copy of one image into {@code dst}. The draws per image are fixed (crop
     * offsets, then the flip), so the same {@code random} state gives the same image.
     *
     * @param src channels-first bytes, {@code c * h * w} from {@code srcOffset}
     * @param dst receives {@code c * h * w} bytes from 0
     */
    public void apply(byte[] src, int srcOffset, int c, int h, int w, byte[] dst, Random random) {
        if (resizedCrop) {
            applyResizedCrop(src, srcOffset, c, h, w, dst, random);
            return;
        }
        int dy = 0;
        int dx = 0;
        if (padding > 0) {
            dy = random.nextInt(2 * padding + 1) - padding;
            dx = random.nextInt(2 * padding + 1) - padding;
        }
        boolean mirror = flip && random.nextBoolean();
        for (int ch = 0; ch < c; ch++) {
            int plane = srcOffset + ch * h * w;
            int out = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (mirror ? w - 1 - x : x) + dx;
                    dst[out + y * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : src[plane + sy * w + sx];
                }
            }
        }
    }

    /**
     * torchvision's {@code RandomResizedCrop} on one image: up to 10 draws of an area share in
     * [{@value #MIN_AREA}, 1] and a log-uniform aspect ratio in [3/4, 4/3] until the patch fits, else
     * the largest central patch of an allowed ratio; then bilinear scaling (half-pixel centres) to h x w.
     */
    private void applyResizedCrop(byte[] src, int srcOffset, int c, int h, int w, byte[] dst, Random random) {
        double area = (double) h * w;
        int cropW = 0;
        int cropH = 0;
        int x0 = 0;
        int y0 = 0;
        boolean found = false;
        for (int attempt = 0; attempt < 10 && !found; attempt++) {
            double target = area * (MIN_AREA + (1 - MIN_AREA) * random.nextDouble());
            double ratio = Math.exp(Math.log(3.0 / 4) + (Math.log(4.0 / 3) - Math.log(3.0 / 4)) * random.nextDouble());
            cropW = (int) Math.round(Math.sqrt(target * ratio));
            cropH = (int) Math.round(Math.sqrt(target / ratio));
            if (cropW > 0 && cropH > 0 && cropW <= w && cropH <= h) {
                x0 = random.nextInt(w - cropW + 1);
                y0 = random.nextInt(h - cropH + 1);
                found = true;
            }
        }
        if (!found) {
            double ratio = (double) w / h;
            cropW = ratio < 3.0 / 4 ? w : ratio > 4.0 / 3 ? (int) Math.round(h * 4.0 / 3) : w;
            cropH = ratio < 3.0 / 4 ? (int) Math.round(w * 4.0 / 3) : h;
            x0 = (w - cropW) / 2;
            y0 = (h - cropH) / 2;
        }
        boolean mirror = flip && random.nextBoolean();
        double sy = (double) cropH / h;
        double sx = (double) cropW / w;
        for (int ch = 0; ch < c; ch++) {
            int plane = srcOffset + ch * h * w;
            int out = ch * h * w;
            for (int y = 0; y < h; y++) {
                double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), cropH - 1);
                int y1 = (int) fy;
                int y2 = Math.min(y1 + 1, cropH - 1);
                double wy = fy - y1;
                for (int x = 0; x < w; x++) {
                    int ox = mirror ? w - 1 - x : x;
                    double fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), cropW - 1);
                    int x1 = (int) fx;
                    int x2 = Math.min(x1 + 1, cropW - 1);
                    double wx = fx - x1;
                    int r1 = plane + (y0 + y1) * w + x0;
                    int r2 = plane + (y0 + y2) * w + x0;
                    double top = (src[r1 + x1] & 0xFF) * (1 - wx) + (src[r1 + x2] & 0xFF) * wx;
                    double bottom = (src[r2 + x1] & 0xFF) * (1 - wx) + (src[r2 + x2] & 0xFF) * wx;
                    dst[out + y * w + x] = (byte) Math.round(top * (1 - wy) + bottom * wy);
                }
            }
        }
    }

    /**
     * An augmented copy of every image of {@code set}, drawn with {@code seed}: to look at what the
     * network is trained on. Training itself augments batch by batch ({@link BatchLoader}).
     */
    public ImageSet applyTo(ImageSet set, long seed) {
        Random random = new Random(Seeds.mix(seed, Seeds.AUGMENT));
        int bytes = set.imageBytes();
        byte[] out = new byte[set.size() * bytes];
        byte[] one = new byte[bytes];
        for (int i = 0; i < set.size(); i++) {
            apply(set.pixelArray(), i * bytes, set.channels(), set.height(), set.width(), one, random);
            System.arraycopy(one, 0, out, i * bytes, bytes);
        }
        return new ImageSet(set.name() + " (" + this + ")", out, set.labels(), set.channels(), set.height(), set.width(),
                set.classes());
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        String crop = padding > 0 ? "random crop with " + padding + "-pixel zero padding"
                : resizedCrop ? "random resized crop (" + Math.round(MIN_AREA * 100) + "-100% of the area)" : "";
        return crop + (!crop.isEmpty() && flip ? " + " : "") + (flip ? "horizontal flip" : "");
    }
}
