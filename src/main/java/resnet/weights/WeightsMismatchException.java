package resnet.weights;

import java.util.List;

/**
 * Weights that do not fit a model: tensors the model needs that the file lacks, tensors the file
 * has that the model does not, and tensors of the wrong shape, all of them listed, as PyTorch's
 * strict {@code load_state_dict} lists them. Nothing is copied when this is thrown.
 */
public class WeightsMismatchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> wrongShape;

    /**
     * @param missing torchvision names the model has and the file lacks
     * @param unexpected names the file has and the model lacks
     * @param wrongShape one line per tensor present in both with different shapes
     */
    public WeightsMismatchException(String source, String model, List<String> missing, List<String> unexpected,
            List<String> wrongShape) {
        super(message(source, model, missing, unexpected, wrongShape));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.wrongShape = List.copyOf(wrongShape);
    }

    private static String message(String source, String model, List<String> missing, List<String> unexpected,
            List<String> wrongShape) {
        StringBuilder text = new StringBuilder(String.format("the weights in %s do not fit %s: %d missing, %d unexpected,"
                + " %d of the wrong shape (torchvision names)", source, model, missing.size(), unexpected.size(),
                wrongShape.size()));
        if (!missing.isEmpty()) {
            text.append("\n  missing from the file: ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            text.append("\n  in the file but not in the model: ").append(String.join(", ", unexpected));
        }
        if (!wrongShape.isEmpty()) {
            text.append("\n  wrong shape: ").append(String.join("; ", wrongShape));
        }
        return text.append("\n  build the model the weights were saved from (or load all but the head, for a new"
                + " number of classes)").toString();
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    /** {@code name: file (..), model (..)} for each tensor of the wrong shape. */
    public List<String> wrongShape() {
        return wrongShape;
    }
}
