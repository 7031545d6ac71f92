package resnet.models;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import resnet.blocks.BlockKind;
import resnet.blocks.Bottleneck;
import resnet.blocks.StridePlacement;
import resnet.inspect.CostTable;
import resnet.inspect.Summary;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Networks side by side, as the papers tabulate them: what they are made of (block, blocks per
 * stage, depth, widths) next to what they cost (learnable parameters, multiply-accumulates per
 * image, both from {@link Summary}).
 *
 * <pre>{@code
 * Table family = ModelTable.of(new Shape(3, 224, 224), "resnet18", "resnet34", "resnet50");
 * Table stages = ModelTable.stages(new Shape(3, 224, 224), Map.of("resnet50", ResNet.spec("resnet50")));
 * }</pre>
 *
 * <p>The cost columns are {@link CostTable#PARAMETERS} and {@link CostTable#MACS}, printed with
 * thousands separators, as every table of costs in this series.
 */
public final class ModelTable {

    private ModelTable() {}

    /** One row per named model (names as {@link ResNet#spec(String)} knows them). */
    public static Table of(Shape input, String... names) {
        Map<String, ResNetSpec> specs = new LinkedHashMap<>();
        for (String name : names) {
            specs.put(name, ResNet.spec(name));
        }
        return of(input, specs);
    }

    /**
     * One row per spec, under the label given to it, e.g. {@code "resnet50 (stride on 1x1)"} for a
     * changed spec.
     *
     * @param input one image's shape (channels, height, width), the same for every row
     */
    public static Table of(Shape input, Map<String, ResNetSpec> specs) {
        StringColumn model = StringColumn.create("model");
        StringColumn block = StringColumn.create("block");
        StringColumn layers = StringColumn.create("layers");
        IntColumn depth = IntColumn.create("depth");
        StringColumn widths = StringColumn.create("3x3 widths");
        LongColumn parameters = CostTable.countColumn(CostTable.PARAMETERS);
        LongColumn macs = CostTable.countColumn(CostTable.MACS);
        specs.forEach((label, spec) -> {
            Summary summary = Summary.of(ResNet.build(spec), input);
            model.append(label);
            block.append(describeBlock(spec));
            layers.append(spec.layers().toString());
            depth.append(spec.depth());
            widths.append(innerWidths(spec).toString());
            parameters.append(summary.parameters());
            macs.append(summary.macs());
        });
        return Table.create("models at " + CostTable.shape(input), model, block, layers, depth, widths, parameters, macs);
    }

    /**
     * One row per stage of each spec, labelled {@code label.layerN}: blocks, planes, the width and
     * groups of its 3x3s, output shape, and the stage's own parameters and multiply-accumulates.
     */
    public static Table stages(Shape input, Map<String, ResNetSpec> specs) {
        StringColumn stage = StringColumn.create("stage");
        IntColumn blocks = IntColumn.create("blocks");
        IntColumn planes = IntColumn.create("planes");
        IntColumn width = IntColumn.create("3x3 width");
        IntColumn groups = IntColumn.create("groups");
        StringColumn output = StringColumn.create("output");
        LongColumn parameters = CostTable.countColumn(CostTable.PARAMETERS);
        LongColumn macs = CostTable.countColumn(CostTable.MACS);
        specs.forEach((label, spec) -> {
            List<Summary.Row> rows = Summary.of(ResNet.build(spec), input).rows();
            List<Integer> inner = innerWidths(spec);
            for (int i = 0; i < spec.stages(); i++) {
                String name = "layer" + (i + 1);
                Summary.Row row = rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
                stage.append(label + "." + name);
                blocks.append(spec.layers().get(i));
                planes.append(spec.widths().get(i));
                width.append(inner.get(i));
                groups.append(spec.block() == BlockKind.BOTTLENECK ? spec.options().groups() : 1);
                output.append(CostTable.shape(row.output()));
                parameters.append(row.parameters());
                macs.append(row.macs());
            }
        });
        return Table.create("stages at " + CostTable.shape(input), stage, blocks, planes, width, groups, output,
                parameters, macs);
    }

    /**
     * The channels of each stage's 3x3 convolutions: the planes for basic blocks, {@code planes ·
     * (widthPerGroup / 64) · groups} for bottlenecks.
     */
    public static List<Integer> innerWidths(ResNetSpec spec) {
        return spec.widths().stream()
                .map(p -> spec.block() == BlockKind.BOTTLENECK ? Bottleneck.width(p, spec.options()) : p)
                .collect(Collectors.toList());
    }

    /** E.g. {@code basic}, {@code pre-activation basic}, {@code bottleneck}, {@code bottleneck 32x4d}, {@code bottleneck, stride on 1x1}. */
    static String describeBlock(ResNetSpec spec) {
        if (spec.block() == BlockKind.BASIC) {
            return "basic";
        }
        if (spec.block() == BlockKind.PREACT_BASIC) {
            return "pre-activation basic";
        }
        var options = spec.options();
        String text = "bottleneck";
        if (options.groups() != 1 || options.widthPerGroup() != 64) {
            text += " " + options.groups() + "x" + options.widthPerGroup() + "d";
        }
        if (options.stridePlacement() == StridePlacement.ON_FIRST_1X1) {
            text += ", stride on 1x1";
        }
        return text;
    }
}
