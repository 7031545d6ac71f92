package resnet.cli;

import ai.djl.ndarray.types.Shape;
import java.util.Set;
import resnet.inspect.Summary;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/**
 * {@code resnet summary MODEL}: the table of a model's stages with output shapes, parameters and
 * multiply-accumulates, then two lines a script can read: {@code parameters: N} and {@code macs: N}.
 */
public final class SummaryCommand implements Command {

    @Override
    public String name() {
        return "summary";
    }

    @Override
    public String description() {
        return "output shape, parameters and multiply-adds of a model, stage by stage";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet summary MODEL [--input CxHxW] [--classes N] [--per-block]",
                "",
                "  MODEL          " + String.join(", ", ResNet.names()) + ";",
                "                 a CIFAR-family name + _wK: K times the planes (resnet20_w1.5: 24, 48, 96)",
                "  --input CxHxW  one image, e.g. 1x28x28 (default 3x224x224 for ImageNet models, 3x32x32 for CIFAR ones)",
                "  --classes N    outputs of the head (default 1000 for ImageNet models, 10 for CIFAR ones)",
                "  --per-block    one row per residual block instead of per stage",
                "",
                "The last two lines are 'parameters: N' (learnable, BatchNorm running statistics excluded)",
                "and 'macs: N' (multiply-accumulates of convolutions and the head, for one image).");
    }

    @Override
    public int run(String[] args) {
        Args parsed = Args.parse(args, Set.of("input", "classes"), Set.of("per-block"));
        if (parsed.positional().size() != 1) {
            throw new UsageException("expected one model name, got " + parsed.positional());
        }
        String model = parsed.positional().get(0);
        Shape input;
        ResNetSpec spec;
        try {
            spec = ResNet.spec(model);
            input = parsed.has("input") ? parseShape(parsed.string("input", "")) : spec.defaultInputShape();
            int classes = parsed.integer("classes", spec.classes(), 1, Integer.MAX_VALUE);
            if (input.get(0) > Integer.MAX_VALUE) {
                throw new UsageException("--input has " + input.get(0) + " channels, more than a network takes");
            }
            spec = spec.withClasses(classes).withInputChannels((int) input.get(0));
        } catch (IllegalArgumentException e) {
            throw e instanceof UsageException ? e : new UsageException(e.getMessage());
        }
        MemoryCheck.requireWeights(model + " with " + spec.classes() + " classes", spec);
        Summary summary;
        try {
            summary = parsed.flag("per-block")
                    ? Summary.perBlock(ResNet.build(spec), input)
                    : Summary.of(ResNet.build(spec), input);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage()); // an input the model cannot take
        }
        System.out.printf("%s, %d classes, input %s%n%n", model, spec.classes(), parsed.string("input",
                input.get(0) + "x" + input.get(1) + "x" + input.get(2)));
        System.out.print(summary);
        System.out.println();
        System.out.println("parameters: " + summary.parameters());
        System.out.println("macs: " + summary.macs());
        return 0;
    }

    /** "3x224x224" (or with commas) to a shape (3, 224, 224). */
    static Shape parseShape(String text) {
        String[] parts = text.trim().split("[x,]");
        if (parts.length != 3) {
            throw new UsageException("--input expects CxHxW, e.g. 3x224x224, got '" + text + "'");
        }
        long[] dims = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                dims[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--input expects CxHxW, e.g. 3x224x224, got '" + text + "'");
            }
            if (dims[i] <= 0) {
                throw new UsageException("--input needs positive sizes, got '" + text + "'");
            }
        }
        return new Shape(dims);
    }
}
