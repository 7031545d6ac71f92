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
 * <p>Then a left-right flip with probability 1/2 ({@code RandomHorizontalFlip()}), and last, with
 * probability {@code erase}, random erasing (Zhong et al., 2017): one rectangle of 2% to 40% of the
 * image's area, of aspect ratio between 0.3 and 1/0.3, is filled with random pixel values, so the
 * network cannot rely on any one part of the object. Only the training part is augmented; validation
 * and test images are seen as they are.
 *
 * @param padding zero pixels added on each side before the crop; 0 turns cropping off
 * @param flip whether to flip half of the images left to right
 * @param resizedCrop whether to take a random resized crop (then {@code padding} must be 0)
 * @param erase the probability of erasing a random rectangle (0 never, the paper's 0.5)
 */
public record Augmentation(int padding, boolean flip, boolean resizedCrop, double erase) {

    /** Random erasing's rectangle: its share of the image's area and its aspect ratio, as in the paper. */
    public static final double ERASE_MIN_AREA = 0.02;
    public static final double ERASE_MAX_AREA = 0.4;
    public static final double ERASE_MIN_RATIO = 0.3;

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
        if (!(erase >= 0 && erase <= 1)) {
            throw new IllegalArgumentException("the erasing probability must be between 0 and 1, got " + erase);
        }
    }

    /** A padded random crop and/or a flip, no resized crop, no erasing. */
    public Augmentation(int padding, boolean flip) {
        this(padding, flip, false, 0);
    }

    /** Crops and flips without erasing. */
    public Augmentation(int padding, boolean flip, boolean resizedCrop) {
        this(padding, flip, resizedCrop, 0);
    }

    /** The same crops and flips, then random erasing with probability {@code probability}. */
    public Augmentation withErasing(double probability) {
        return new Augmentation(padding, flip, resizedCrop, probability);
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
        return padding == 0 && !flip && !resizedCrop && erase == 0;
    }

    /**
     * Writes an augmented copy of one image into {@code dst}. The draws per image are fixed (crop
     * offsets, then the flip, then the erasing), so the same {@code random} state gives the same image.
     *
     * @param src channels-first bytes, {@code c * h * w} from {@code srcOffset}
     * @param dst receives {@code c * h * w} bytes from 0
     */
    public void apply(byte[] src, int srcOffset, int c, int h, int w, byte[] dst, Random random) {
        if (resizedCrop) {
            applyResizedCrop(src, srcOffset, c, h, w, dst, random);
        } else {
            applyCropAndFlip(src, srcOffset, c, h, w, dst, random);
        }
        if (erase > 0 && random.nextDouble() < erase) {
            erase(dst, c, h, w, random);
        }
    }

    /**
     * Random erasing on {@code image} in place: up to 100 draws of an area share in [{@value
     * #ERASE_MIN_AREA}, {@value #ERASE_MAX_AREA}] and an aspect ratio (height / width) in [0.3, 1/0.3]
     * until the rectangle fits; its pixels (every channel) get uniform random values. When no draw
     * fits, the image stays as it is.
     */
    private static void erase(byte[] image, int c, int h, int w, Random random) {
        double area = (double) h * w;
        for (int attempt = 0; attempt < 100; attempt++) {
            double target = area * (ERASE_MIN_AREA + (ERASE_MAX_AREA - ERASE_MIN_AREA) * random.nextDouble());
            double ratio = ERASE_MIN_RATIO + (1 / ERASE_MIN_RATIO - ERASE_MIN_RATIO) * random.nextDouble();
            int eh = (int) Math.round(Math.sqrt(target * ratio));
            int ew = (int) Math.round(Math.sqrt(target / ratio));
            if (eh > 0 && ew > 0 && eh < h && ew < w) {
                int y0 = random.nextInt(h - eh + 1);
                int x0 = random.nextInt(w - ew + 1);
                for (int ch = 0; ch < c; ch++) {
                    for (int y = y0; y < y0 + eh; y++) {
                        int row = ch * h * w + y * w;
                        for (int x = x0; x < x0 + ew; x++) {
                            image[row + x] = (byte) random.nextInt(256);
                        }
                    }
                }
                return;
            }
        }
    }

    /** The padded crop and the flip into {@code dst}. */
    private void applyCropAndFlip(byte[] src, int srcOffset, int c, int h, int w, byte[] dst, Random random) {
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
        String text = crop + (!crop.isEmpty() && flip ? " + " : "") + (flip ? "horizontal flip" : "");
        return erase == 0 ? text : text + (text.isEmpty() ? "" : " + ") + "random erasing (p " + erase + ")";
    }
}
