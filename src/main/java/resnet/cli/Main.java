package resnet.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one command-line entry point: {@code bin/resnet COMMAND [ARGS]}.
 *
 * <p>Each subcommand is a {@link Command}; add a new one to {@link #COMMANDS}.
 */
public final class Main {

    /** Every subcommand, in the order {@code --help} lists them. */
    static final List<Command> COMMANDS =
            List.of(new SummaryCommand(), new TrainCommand(), new EvaluateCommand(), new BenchCommand(),
                    new PredictCommand(), new ExportCommand(), new ChartCommand());

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns the exit status (what {@link #main} exits with). */
    public static int run(String[] args) {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command command : COMMANDS) {
            byName.put(command.name(), command);
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(overview(byName));
            return args.length == 0 ? 2 : 0;
        }
        Command command = byName.get(args[0]);
        if (command == null) {
            System.err.println("unknown command '" + args[0] + "'; known commands: " + String.join(", ", byName.keySet()));
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        for (String arg : rest) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(command.usage());
                return 0;
            }
        }
        try {
            return command.run(rest);
        } catch (UsageException e) {
            System.err.println(command.name() + ": " + e.getMessage());
            System.err.println();
            System.err.println(command.usage());
            return 2;
        } catch (MemoryCheck.TooLargeException e) {
            System.err.println(command.name() + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println(command.name() + " failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("resnet.debug")) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    private static String overview(Map<String, Command> byName) {
        StringBuilder text = new StringBuilder("usage: resnet COMMAND [ARGS]   (resnet COMMAND --help for its options)\n\ncommands:\n");
        for (Command command : byName.values()) {
            text.append(String.format("  %-10s %s%n", command.name(), command.description()));
        }
        return text.toString();
    }
}
