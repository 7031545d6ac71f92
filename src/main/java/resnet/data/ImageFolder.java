package resnet.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Your own images as a data set: {@code root/CLASS/*.jpg|png|...}, one folder per class, the class
 * names being the folder names in sorted order (as torchvision's {@code ImageFolder} has them).
 *
 * <pre>{@code
 * ImageFolder folder = ImageFolder.builder(Path.of("flowers/train")).optImageSize(224).build();
 * ImageSet images = folder.images();            // every image resized and centre-cropped to 3x224x224
 * TrainingData data = TrainingData.split(images, 0.2, 42, Augmentation.randomResizedCrop(), Normalization.IMAGENET);
 * }</pre>
 *
 * <p>Each image is decoded once and kept in memory as its evaluation view ({@link Images}: shorter
 * side resized to {@code size · 256 / 224}, the central {@code size x size} square kept), so the
 * background {@link BatchLoader}, the seeded {@link Split} and the training loop work on it as on any
 * other {@link ImageSet}; training batches are augmented from that view
 * ({@link Augmentation#randomResizedCrop()}), which differs from torchvision, whose random crop
 * starts from the whole original image. Memory: {@code 3 · size²} bytes an image (150 KB at 224).
 *
 * <p>A file that is not an image (by its name) is left out and counted. A file with an image's name
 * that does not decode is an error naming it, unless {@link Builder#optSkipBadImages(boolean)} asks
 * for it to be skipped and counted instead.
 */
public final class ImageFolder {

    /** The file endings read as images (those javax.imageio decodes). */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

    /** The share of a single folder held out as its test part by {@link #trainOrTest}. */
    public static final double TEST_FRACTION = 0.2;

    private final Path root;
    private final ImageSet images;
    private final List<Path> skipped;
    private final int ignored;

    private ImageFolder(Path root, ImageSet images, List<Path> skipped, int ignored) {
        this.root = root;
        this.images = images;
        this.skipped = List.copyOf(skipped);
        this.ignored = ignored;
    }

    /** A builder for the images under {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Options of an image folder; {@link #build()} reads the images. */
    public static final class Builder {
        private final Path root;
        private int size = 224;
        private int resize = Images.resizeFor(224);
        private boolean resizeSet;
        private boolean skipBadImages;
        private double part = 1;
        private boolean partIsRest;

        private Builder(Path root) {
            this.root = root;
        }

        /** The side of the square images (default 224); the resize follows at 256/224 unless set. */
        public Builder optImageSize(int size) {
            if (size < 8) {
                throw new IllegalArgumentException("the image size must be at least 8 pixels, got " + size);
            }
            this.size = size;
            if (!resizeSet) {
                resize = Images.resizeFor(size);
            }
            return this;
        }

        /** The shorter side before the centre crop (default size · 256 / 224; torchvision's V2 ResNet-50 weights use 232). */
        public Builder optResize(int resize) {
            if (resize < size) {
                throw new IllegalArgumentException("the resize (" + resize + ") cannot be smaller than the crop (" + size + ")");
            }
            this.resize = resize;
            this.resizeSet = true;
            return this;
        }

        /** Skip (and count) files that do not decode, instead of stopping with an error naming the first. */
        public Builder optSkipBadImages(boolean skip) {
            this.skipBadImages = skip;
            return this;
        }

        /**
         * Keep only a part of the files, drawn with a fixed seed: {@code fraction} of them, or with
         * {@code rest} all the others. Lets one folder give a training set and a disjoint test set
         * without decoding images twice ({@link ImageFolder#trainOrTest}).
         */
        public Builder optPart(double fraction, boolean rest) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("the part must be in (0, 1], got " + fraction);
            }
            this.part = fraction;
            this.partIsRest = rest;
            return this;
        }

        /**
         * Lists and decodes the images.
         *
         * @throws DatasetException naming the folder when it is missing, has no class folders or a
         *     class without images, or naming a file that does not decode (unless skipped)
         */
        public ImageFolder build() {
            return load(this);
        }
    }

    private static ImageFolder load(Builder b) {
        Path root = b.root;
        if (!Files.isDirectory(root)) {
            throw new DatasetException("no image folder at " + root.toAbsolutePath() + ": expected one folder per class,"
                    + " root/CLASS/*.jpg (or .png, .jpeg, .bmp, .gif, .tif)");
        }
        List<Path> classDirs;
        try (Stream<Path> children = Files.list(root)) {
            classDirs = children.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) {
            throw new DatasetException(root.toAbsolutePath() + " has no class folders: expected root/CLASS/*.jpg, one"
                    + " folder per class (the folder names become the class names)");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int ignored = 0;
        for (Path dir : classDirs) {
            List<Path> inClass;
            try (Stream<Path> found = Files.walk(dir)) {
                inClass = found.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted().toList();
            } catch (IOException e) {
                throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
            }
            List<Path> imageFiles = inClass.stream().filter(ImageFolder::isImageName).toList();
            ignored += inClass.size() - imageFiles.size();
            if (imageFiles.isEmpty()) {
                throw new DatasetException("class folder " + dir.toAbsolutePath() + " holds no images (files ending in "
                        + String.join(", ", new java.util.TreeSet<>(EXTENSIONS)) + ")");
            }
            for (Path file : imageFiles) {
                files.add(file);
                labels.add(classes.size());
            }
            classes.add(dir.getFileName().toString());
        }
        int[] chosen = part(files.size(), b.part, b.partIsRest);
        byte[][] decoded = new byte[chosen.length][];
        AtomicReference<DatasetException> failure = new AtomicReference<>();
        IntStream.range(0, chosen.length).parallel().forEach(k -> {
            Path file = files.get(chosen[k]);
            try {
                decoded[k] = Images.load(file, b.size, b.resize);
            } catch (IOException | RuntimeException e) {
                if (!b.skipBadImages) {
                    failure.compareAndSet(null, new DatasetException("bad image " + file.toAbsolutePath() + ": "
                            + e.getMessage() + " (fix or remove it, or skip bad images: --skip-bad-images,"
                            + " ImageFolder.Builder.optSkipBadImages(true))", e));
                }
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        List<Path> skipped = new ArrayList<>();
        int good = 0;
        for (int k = 0; k < chosen.length; k++) {
            if (decoded[k] == null) {
                skipped.add(files.get(chosen[k]));
            } else {
                good++;
            }
        }
        if (good == 0) {
            throw new DatasetException("no image under " + root.toAbsolutePath() + " could be decoded (" + skipped.size()
                    + " bad files, the first " + (skipped.isEmpty() ? "none" : skipped.get(0)) + ")");
        }
        int bytes = 3 * b.size * b.size;
        byte[] pixels = new byte[good * bytes];
        int[] imageLabels = new int[good];
        int i = 0;
        for (int k = 0; k < chosen.length; k++) {
            if (decoded[k] != null) {
                System.arraycopy(decoded[k], 0, pixels, i * bytes, bytes);
                imageLabels[i++] = labels.get(chosen[k]);
            }
        }
        String name = "folder " + root.getFileName() + (b.part < 1 ? (b.partIsRest ? " (rest)" : " (part)") : "");
        ImageSet set = new ImageSet(name, pixels, imageLabels, 3, b.size, b.size, classes);
        return new ImageFolder(root, set, skipped, ignored);
    }

    /** Indices of the chosen part: the first round(n · fraction) of a fixed permutation, or the rest; in order. */
    private static int[] part(int n, double fraction, boolean rest) {
        if (fraction >= 1) {
            return IntStream.range(0, n).toArray();
        }
        int[] order = Seeds.permutation(n, Seeds.mix(0, Seeds.TEST));
        int cut = (int) Math.round(n * fraction);
        int[] chosen = rest ? Arrays.copyOfRange(order, cut, n) : Arrays.copyOfRange(order, 0, cut);
        Arrays.sort(chosen);
        return chosen;
    }

    static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The training or the test images of a data folder. With {@code dir/train} (and {@code dir/test}
     * or {@code dir/val}) the parts are those folders; a folder of class folders alone is split
     * once, with a fixed seed, into a test part ({@value #TEST_FRACTION} of the files) and a training
     * part (the rest), the same split whatever the run's seed, so that runs are tested on the same images.
     */
    public static ImageFolder trainOrTest(Path dir, boolean train, int size, boolean skipBadImages) {
        if (dir == null) {
            throw new DatasetException("the folder data set needs a folder: --data-dir DIR with DIR/CLASS/*.jpg,"
                    + " or DIR/train/CLASS/*.jpg and DIR/test/CLASS/*.jpg");
        }
        Builder builder = builder(dir).optImageSize(size).optSkipBadImages(skipBadImages);
        if (Files.isDirectory(dir.resolve("train"))) {
            if (train) {
                return builder(dir.resolve("train")).optImageSize(size).optSkipBadImages(skipBadImages).build();
            }
            Path test = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
            if (!Files.isDirectory(test)) {
                throw new DatasetException(dir.toAbsolutePath() + " has a train folder but neither test nor val next"
                        + " to it: put the test images in " + dir.resolve("test") + "/CLASS/");
            }
            return builder(test).optImageSize(size).optSkipBadImages(skipBadImages).build();
        }
        return builder.optPart(TEST_FRACTION, train).build();
    }

    /** The folder the images came from. */
    public Path root() {
        return root;
    }

    /** The decoded images, labels from the class folders. */
    public ImageSet images() {
        return images;
    }

    /** Files with an image's name that did not decode and were skipped (only with optSkipBadImages). */
    public List<Path> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** Files left out because their names are not images' (notes, .DS_Store-like leftovers). */
    public int ignored() {
        return ignored;
    }

    @Override
    public String toString() {
        return images + " from " + root + (skipped.isEmpty() ? "" : "; " + skipped.size() + " bad images skipped")
                + (ignored == 0 ? "" : "; " + ignored + " files that are not images left out");
    }
}
