package resnet.data;

/**
 * A data set that cannot be read: a missing folder or file, or a file that is not what its name
 * says. The message names the path and how to get the data; nothing ever falls back to random data.
 */
public class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
