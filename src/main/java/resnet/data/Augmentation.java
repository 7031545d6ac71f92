package resnet.data;

import java.util.Random;

/**
 * Random changes to a training image that keep its class: a crop at a random offset from the image
 * padded with {@code padding} zero pixels on every side (the result has the original size), and a
 * left-right flip with probability 1/2. torchvision writes it {@code RandomCrop(32, padding=4)} and
 * {@code RandomHorizontalFlip()}. Only the training part is augmented; validation and test images
 * are seen as they are.
 *
 * @param padding zero pixels added on each side before the crop; 0 turns cropping off
 * @param flip whether to flip half of the images left to right
 */
public record Augmentation(int padding, boolean flip) {

    /** No change: what validation and test images get. */
    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be 0 or more pixels, got " + padding);
        }
    }

    /** The notes' augmentation: 4-pixel padding with a random crop, and random flips. */
    public static Augmentation standard() {
        return new Augmentation(4, true);
    }

    /** Whether this changes anything. */
    public boolean isNone() {
        return padding == 0 && !flip;
    }

    /**
     * Writes an augmented copy of one image into {@code dst}. The draws per image are fixed (crop
     * offsets, then the flip), so the same {@code random} state gives the same image.
     *
     * @param src channels-first bytes, {@code c * h * w} from {@code srcOffset}
     * @param dst receives {@code c * h * w} bytes from 0
     */
    public void apply(byte[] src, int srcOffset, int c, int h, int w, byte[] dst, Random random) {
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
        String crop = padding > 0 ? "random crop with " + padding + "-pixel zero padding" : "";
        return crop + (padding > 0 && flip ? " + " : "") + (flip ? "horizontal flip" : "");
    }
}
