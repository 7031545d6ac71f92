package resnet.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small parser for {@code POSITIONAL... --option value --flag} command lines.
 *
 * <p>Every command declares the options it takes (with or without a value); anything else is a
 * {@link UsageException} that names the unknown option and lists the known ones, so a typo never
 * silently falls back to a default. Every message names the option as the user typed it
 * ({@code --valid-ratio}), never a field of the library:
 * <ul>
 *   <li>an option that takes a value must get one: {@code --out --resume} (the next word is an
 *       option), {@code --out ""}, {@code --out=} and {@code --lr} at the end of the line are errors
 *       naming the option, so no value is ever taken from the next option;</li>
 *   <li>an option given twice is an error (which one was meant?);</li>
 *   <li>the typed getters check the value: {@link #integer(String, int, int, int)} takes whole numbers
 *       only ({@code 2.5} and {@code 1e3} are refused, not rounded), {@link #decimal(String, double,
 *       double, double)} finite numbers only ({@code NaN}, {@code Infinity}, {@code 1e999} refused), each
 *       within the range the option allows.</li>
 * </ul>
 *
 * <p>Why not picocli: it would give the same checks, but as a new dependency on the class path of
 * the notebook kernel too, and the commands' option handling would all have to be rewritten at once.
 */
public final class Args {

    private final List<String> positional;
    private final Map<String, String> options;

    private Args(List<String> positional, Map<String, String> options) {
        this.positional = positional;
        this.options = options;
    }

    /**
     * Parses {@code args}.
     *
     * @param valued options that take a value, without the leading dashes (e.g. {@code "epochs"})
     * @param flags options without a value (e.g. {@code "resume"})
     * @throws UsageException for an unknown option, a flag given a value, an option without a value
     *     (or whose value is empty or is the next option), an option given twice
     */
    public static Args parse(String[] args, Set<String> valued, Set<String> flags) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("option --" + name + " takes no value, got '" + value + "'");
                }
                value = "true";
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " needs a value, and the command line ends"
                                + " after it");
                    }
                    value = args[++i];
                    if (value.startsWith("--")) {
                        throw new UsageException("option --" + name + " needs a value, but the next argument is the"
                                + " option " + value + "; give --" + name + " its value first");
                    }
                }
                if (value.isBlank()) {
                    throw new UsageException("option --" + name + " needs a value, got an empty one");
                }
            } else {
                Set<String> known = new TreeSet<>(valued);
                known.addAll(flags);
                throw new UsageException("unknown option --" + name + "; known options: "
                        + (known.isEmpty() ? "none" : "--" + String.join(", --", known)));
            }
            if (options.containsKey(name)) {
                throw new UsageException("option --" + name + " is given twice; give it once");
            }
            options.put(name, value);
        }
        return new Args(Collections.unmodifiableList(positional), Collections.unmodifiableMap(options));
    }

    /** The arguments that are not options, in order. */
    public List<String> positional() {
        return positional;
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    public boolean flag(String name) {
        return "true".equals(options.get(name));
    }

    /** The option's value as typed (never empty), or {@code fallback} when it is not given. */
    public String string(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** The option's value as a path, or {@code fallback} when it is not given. */
    public Path path(String name, Path fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException("option --" + name + " expects a path, got '" + value + "': " + e.getReason());
        }
    }

    /** A whole number of any size that fits an int. */
    public int integer(String name, int fallback) {
        return integer(name, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * A whole number within {@code [min, max]}.
     *
     * @throws UsageException naming the option for a fraction, a word, or a number out of range
     */
    public int integer(String name, int fallback, int min, int max) {
        return (int) integer(name, (long) fallback, min, max);
    }

    /** A whole number of any size that fits a long. */
    public long integer(String name, long fallback) {
        return integer(name, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A whole number within {@code [min, max]}. */
    public long integer(String name, long fallback, long min, long max) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        String text = value.trim();
        long parsed;
        try {
            parsed = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects a whole number" + range(min, max) + ", got '" + value
                    + "'" + (text.matches("[+-]?\\d+") ? " (too large)" : isNumber(text) ? " (not a whole number)" : ""));
        }
        if (parsed < min || parsed > max) {
            String range = range(min, max);
            if (range.isEmpty() || (parsed > max && !range.contains(" to ") && !range.contains("at most"))) {
                range = parsed > max && range.isEmpty() ? " at most " + max : " from " + min + " to " + max;
            }
            throw new UsageException("option --" + name + " must be" + range + ", got " + parsed);
        }
        return parsed;
    }

    /** A finite number. */
    public double decimal(String name, double fallback) {
        return decimal(name, fallback, -Double.MAX_VALUE, Double.MAX_VALUE);
    }

    /**
     * A finite number within {@code [min, max]}.
     *
     * @throws UsageException naming the option for a word, NaN, an infinity, or a number out of range
     */
    public double decimal(String name, double fallback, double min, double max) {
        return decimal(name, fallback, min, true, max, true);
    }

    /**
     * A finite number between {@code min} and {@code max}, each bound included or not: {@code
     * decimal("lr", 0.1, 0, false, 100, true)} is a learning rate in (0, 100].
     */
    public double decimal(String name, double fallback, double min, boolean minIncluded, double max, boolean maxIncluded) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        String text = value.trim();
        String expected = "a number" + range(min, minIncluded, max, maxIncluded);
        double parsed;
        try {
            if (!isNumber(text)) {
                throw new NumberFormatException(text);
            }
            parsed = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects " + expected + ", got '" + value + "'");
        }
        if (!Double.isFinite(parsed)) {
            throw new UsageException("option --" + name + " expects " + expected + ", got '" + value
                    + "', which is not a finite number");
        }
        boolean below = minIncluded ? parsed < min : parsed <= min;
        boolean above = maxIncluded ? parsed > max : parsed >= max;
        if (below || above) {
            throw new UsageException("option --" + name + " must be" + range(min, minIncluded, max, maxIncluded)
                    + ", got " + value.trim());
        }
        return parsed;
    }

    /**
     * One of {@code choices} (case ignored), or {@code fallback} when the option is not given.
     *
     * @throws UsageException naming the option and the choices
     */
    public String choice(String name, String fallback, List<String> choices) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        String key = value.trim().toLowerCase(Locale.ROOT);
        for (String choice : choices) {
            if (choice.toLowerCase(Locale.ROOT).equals(key)) {
                return choice;
            }
        }
        throw new UsageException("option --" + name + " expects one of " + String.join(", ", choices) + ", got '"
                + value + "'");
    }

    /** A plain decimal number (no NaN, Infinity, hexadecimal or type suffix, which Java would accept). */
    private static boolean isNumber(String text) {
        return text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    }

    private static String range(long min, long max) {
        if (min == Long.MIN_VALUE || min == Integer.MIN_VALUE) {
            return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "" : " at most " + max;
        }
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return " at least " + min;
        }
        return " from " + min + " to " + max;
    }

    private static String range(double min, boolean minIncluded, double max, boolean maxIncluded) {
        boolean noMin = min == -Double.MAX_VALUE;
        boolean noMax = max == Double.MAX_VALUE;
        if (noMin && noMax) {
            return "";
        }
        if (noMin) {
            return maxIncluded ? " at most " + number(max) : " below " + number(max);
        }
        if (noMax) {
            return minIncluded ? " at least " + number(min) : " above " + number(min);
        }
        return " in " + (minIncluded ? "[" : "(") + number(min) + ", " + number(max) + (maxIncluded ? "]" : ")");
    }

    private static String number(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
    }
}
