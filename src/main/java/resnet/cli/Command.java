package resnet.cli;

/**
 * One subcommand of {@code resnet}: {@code summary}, {@code train}, {@code evaluate}, {@code bench},
 * {@code predict}, {@code export}.
 */
public interface Command {

    /** The word that selects this command on the command line. */
    String name();

    /** One line shown by {@code resnet --help}. */
    String description();

    /** The full usage text shown by {@code resnet NAME --help} and after a usage error. */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's name
     * @return the process exit status (0 on success)
     * @throws UsageException when the arguments are wrong; Main prints the message and the usage
     * @throws Exception any other failure; Main prints its message and exits with status 1
     */
    int run(String[] args) throws Exception;
}
