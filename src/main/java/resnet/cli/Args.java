package resnet.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small parser for {@code POSITIONAL... --option value --flag} command lines.
 *
 * <p>Every command declares the options it takes (with or without a value); anything else is a
 * {@link UsageException} that names the unknown option and lists the known ones, so a typo never
 * silently falls back to a default.
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
                options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                options.put(name, value);
            } else {
                Set<String> known = new TreeSet<>(valued);
                known.addAll(flags);
                throw new UsageException("unknown option --" + name + "; known options: "
                        + (known.isEmpty() ? "none" : "--" + String.join(", --", known)));
            }
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

    public String string(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects a whole number, got '" + value + "'");
        }
    }

    public long integer(String name, long fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects a whole number, got '" + value + "'");
        }
    }

    public double decimal(String name, double fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " expects a number, got '" + value + "'");
        }
    }
}
