package resnet.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Labelled images in memory, as the files store them: one unsigned byte per pixel, channels first
 * (image i, channel c, row y, column x is at {@code ((i * C + c) * H + y) * W + x}).
 *
 * <p>Bytes, not floats: 60,000 Fashion-MNIST images take 47 MB this way and four times that as
 * floats. Normalisation and augmentation happen per batch ({@link BatchLoader}). A set is
 * immutable; {@link #subset(int[])} and {@link #limit(int)} copy.
 */
public final class ImageSet {

    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classes;

    /**
     * @param name what the set is, for messages (e.g. "fashion-mnist train")
     * @param pixels {@code labels.length * channels * height * width} bytes, channels first
     * @param labels one class index per image, each in {@code [0, classes.size())}
     * @param classes the class names, index = label
     */
    public ImageSet(String name, byte[] pixels, int[] labels, int channels, int height, int width, List<String> classes) {
        this.name = Objects.requireNonNull(name, "name");
        this.classes = List.copyOf(classes);
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(String.format(
                    "%s: image size must be positive, got %dx%dx%d (channels x height x width)", name, channels, height, width));
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(String.format(
                    "%s: %d labels of %dx%dx%d images need %d pixel bytes, got %d",
                    name, labels.length, channels, height, width, expected, pixels.length));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classes.size()) {
                throw new IllegalArgumentException(String.format(
                        "%s: label %d of image %d is outside 0..%d (%d classes)",
                        name, labels[i], i, this.classes.size() - 1, this.classes.size()));
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    public String name() {
        return name;
    }

    /** The number of images. */
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Bytes of one image: channels · height · width. */
    public int imageBytes() {
        return channels * height * width;
    }

    /** The class names; a label is an index into this list. */
    public List<String> classes() {
        return classes;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of every label. */
    public int[] labels() {
        return labels.clone();
    }

    /** Pixel (channel c, row y, column x) of image i, 0..255. */
    public int pixel(int i, int c, int y, int x) {
        return pixels[((i * channels + c) * height + y) * width + x] & 0xFF;
    }

    /** A copy of image i's bytes, channels first. */
    public byte[] image(int i) {
        return Arrays.copyOfRange(pixels, i * imageBytes(), (i + 1) * imageBytes());
    }

    /** The raw bytes, shared with this set: read only. */
    byte[] pixelArray() {
        return pixels;
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet subset(int[] indices) {
        return subset(indices, name);
    }

    /** The images at {@code indices}, in that order, under a new name. */
    public ImageSet subset(int[] indices, String newName) {
        int bytes = imageBytes();
        byte[] p = new byte[indices.length * bytes];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException(name + " has images 0.." + (size() - 1) + ", there is no image " + i);
            }
            System.arraycopy(pixels, i * bytes, p, k * bytes, bytes);
            l[k] = labels[i];
        }
        return new ImageSet(newName, p, l, channels, height, width, classes);
    }

    /**
     * The first {@code n} images (all of them when {@code n <= 0} or {@code n >= size()}): the limit
     * of a quick run. The files are not sorted by class, so the first n hold every class.
     */
    public ImageSet limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        int[] first = new int[n];
        Arrays.setAll(first, i -> i);
        return subset(first, name + " (first " + n + ")");
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive), in order: a part of a set kept apart
     * from another part (for example examples to learn from and images to test on).
     */
    public ImageSet range(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException(String.format(
                    "%s: range %d..%d is not a non-empty part of its images 0..%d", name, from, to, size()));
        }
        int[] indices = new int[to - from];
        Arrays.setAll(indices, i -> from + i);
        return subset(indices, name + " [" + from + ", " + to + ")");
    }

    /**
     * {@code perClass} images of every class, drawn at random with {@code seed} and kept in their
     * original order: a balanced few-shot training set.
     *
     * @throws IllegalArgumentException naming the class when one has fewer than {@code perClass} images
     */
    public ImageSet perClass(int perClass, long seed) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("perClass must be positive, got " + perClass);
        }
        int[] counts = classCounts();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < perClass) {
                throw new IllegalArgumentException(String.format("%s has %d images of class %d (%s), fewer than the %d asked for",
                        name, counts[c], c, classes.get(c), perClass));
            }
        }
        int[] order = Seeds.permutation(size(), Seeds.mix(seed, Seeds.SAMPLE));
        int[] taken = new int[classes.size()];
        int[] chosen = new int[perClass * classes.size()];
        int k = 0;
        for (int i : order) {
            if (taken[labels[i]] < perClass) {
                taken[labels[i]]++;
                chosen[k++] = i;
            }
        }
        Arrays.sort(chosen);
        return subset(chosen, name + " (" + perClass + " per class)");
    }

    /**
     * Every image turned by {@code quarterTurns} quarter turns clockwise (negative: anticlockwise);
     * height and width swap for an odd number of turns. Labels stay as they are.
     */
    public ImageSet rotated(int quarterTurns) {
        int turns = Math.floorMod(quarterTurns, 4);
        int outH = turns % 2 == 0 ? height : width;
        int outW = turns % 2 == 0 ? width : height;
        byte[] out = new byte[pixels.length];
        int plane = height * width;
        for (int p = 0; p < size() * channels; p++) {
            int base = p * plane;
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    // where output pixel (y, x) comes from in the source
                    int sy;
                    int sx;
                    switch (turns) {
                        case 1 -> { sy = height - 1 - x; sx = y; }
                        case 2 -> { sy = height - 1 - y; sx = width - 1 - x; }
                        case 3 -> { sy = x; sx = width - 1 - y; }
                        default -> { sy = y; sx = x; }
                    }
                    out[base + y * outW + x] = pixels[base + sy * width + sx];
                }
            }
        }
        return new ImageSet(name + " (turned " + 90 * turns + "° clockwise)", out, labels, channels, outH, outW, classes);
    }

    /** How many images each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return String.format("%s: %d images of %dx%dx%d, %d classes", name, size(), channels, height, width, classes.size());
    }
}
