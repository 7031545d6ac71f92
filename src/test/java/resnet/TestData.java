package resnet;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import resnet.data.ImageSet;

/** Small data the tests make themselves: in-memory image sets and files in the real formats. */
public final class TestData {

    private TestData() {}

    /**
     * {@code n} learnable images: class 1 images are bright, class 0 dark, with noise (a global
     * average pool keeps brightness, where it would lose position); labels alternate so every prefix
     * holds both classes.
     */
    public static ImageSet brightness(int n, int channels, int side, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[n * channels * side * side];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        int v = (labels[i] == 1 ? 140 : 60) + random.nextInt(60);
                        pixels[((i * channels + c) * side + y) * side + x] = (byte) v;
                    }
                }
            }
        }
        return new ImageSet("brightness", pixels, labels, channels, side, side, List.of("dark", "bright"));
    }

    /** Random pixels and labels 0..9, for readers. */
    public static ImageSet random(int n, int channels, int side, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[n * channels * side * side];
        random.nextBytes(pixels);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(10);
        }
        return new ImageSet("random", pixels, labels, channels, side, side,
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    /** Writes {@code set} (one channel) as Fashion-MNIST's two gzipped IDX files with the given prefix. */
    public static void writeIdx(Path dir, String prefix, ImageSet set) throws IOException {
        Files.createDirectories(dir);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))))) {
            out.writeInt(0x0803);
            out.writeInt(set.size());
            out.writeInt(set.height());
            out.writeInt(set.width());
            for (int i = 0; i < set.size(); i++) {
                out.write(set.image(i));
            }
        }
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            out.writeInt(0x0801);
            out.writeInt(set.size());
            for (int i = 0; i < set.size(); i++) {
                out.writeByte(set.label(i));
            }
        }
    }

    /** A Fashion-MNIST folder: {@code train} as train-*, {@code test} as t10k-*. */
    public static Path fashionMnistFolder(Path dir, ImageSet train, ImageSet test) throws IOException {
        writeIdx(dir, "train", train);
        writeIdx(dir, "t10k", test);
        return dir;
    }

    /** Writes {@code set} (3 channels, 32x32) as one CIFAR-10 binary file. */
    public static void writeCifar(Path file, ImageSet set) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < set.size(); i++) {
                out.write(set.label(i));
                out.write(set.image(i));
            }
        }
    }

    /** The colour of class k in {@link #imageFolder}: red, green, blue, then yellow, cyan, magenta. */
    public static final int[] CLASS_COLOURS = {0xD02020, 0x20B020, 0x2040D0, 0xD0D020, 0x20D0D0, 0xD020D0};

    /**
     * Writes {@code perClass} photographs-to-be of each class into {@code dir/CLASS/}: noisy images
     * of the class's colour ({@link #CLASS_COLOURS}), of random sizes and aspect ratios between 40 and
     * 90 pixels, PNG and JPEG in turn, so that a network can tell the classes apart by colour.
     *
     * @return {@code dir}
     */
    public static Path imageFolder(Path dir, List<String> classes, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (int k = 0; k < classes.size(); k++) {
            Path classDir = Files.createDirectories(dir.resolve(classes.get(k)));
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = noisy(CLASS_COLOURS[k % CLASS_COLOURS.length], 40 + random.nextInt(51),
                        40 + random.nextInt(51), random);
                String format = i % 2 == 0 ? "png" : "jpg";
                ImageIO.write(image, format, classDir.resolve(String.format("img%03d.%s", i, format)).toFile());
            }
        }
        return dir;
    }

    /** An RGB image of {@code colour} with each channel moved by up to ±20. */
    public static BufferedImage noisy(int colour, int width, int height, Random random) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    int v = Math.max(0, Math.min(255, ((colour >> shift) & 0xFF) + random.nextInt(41) - 20));
                    rgb |= v << shift;
                }
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }
}
