package resnet.weights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1000 class names of ImageNet-1k in class-index order, so that a prediction of weights trained
 * on ImageNet reads "golden retriever" rather than "class 207". They ship as a resource
 * ({@code resnet/weights/imagenet-classes.txt}) generated once from torchvision 0.14's weights
 * metadata ({@code ResNet50_Weights.IMAGENET1K_V2.meta["categories"]}); every torchvision ImageNet
 * weight uses this order.
 */
public final class ImageNetClasses {

    /** The number of ImageNet-1k classes. */
    public static final int COUNT = 1000;

    private static final String RESOURCE = "/resnet/weights/imagenet-classes.txt";
    private static List<String> names;

    private ImageNetClasses() {}

    /** The 1000 names; name {@code k} is class {@code k}. */
    public static synchronized List<String> names() {
        if (names == null) {
            names = read();
        }
        return names;
    }

    private static List<String> read() {
        List<String> list = new ArrayList<>(COUNT);
        try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    list.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
        if (list.size() != COUNT) {
            throw new IllegalStateException(RESOURCE + " has " + list.size() + " class names, expected " + COUNT);
        }
        return List.copyOf(list);
    }
}
