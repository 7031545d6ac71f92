package resnet.cli;

/** Wrong command-line arguments: the message says what was wrong and what is expected. */
public class UsageException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
