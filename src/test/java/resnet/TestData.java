package resnet;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
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
}
