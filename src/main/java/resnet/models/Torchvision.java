package resnet.models;

import java.util.Map;
import java.util.Optional;
import resnet.inspect.CostTable;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The numbers torchvision publishes for its ResNet, ResNeXt and Wide ResNet models, to check the
 * library's against.
 *
 * <p>Source: the metadata of each model's {@code IMAGENET1K_V1} weights in
 * {@code torchvision/models/resnet.py} ({@code num_params} and {@code _ops}), shown as
 * "num_params" and "GFLOPS" on the model pages of the torchvision documentation
 * (https://pytorch.org/vision/stable/models.html). Despite the name, the GFLOPS count
 * multiply-accumulates, in billions, for one 3x224x224 image: the quantity this library calls MACs.
 */
public final class Torchvision {

    /**
     * What torchvision publishes for one model.
     *
     * @param parameters {@code num_params}: learnable parameters at 1000 classes
     * @param gflops {@code _ops}: billions of multiply-accumulates per 3x224x224 image, 3 decimals
     */
    public record Published(long parameters, double gflops) {}

    private static final Map<String, Published> PUBLISHED = Map.of(
            "resnet18", new Published(11_689_512L, 1.814),
            "resnet34", new Published(21_797_672L, 3.664),
            "resnet50", new Published(25_557_032L, 4.089),
            "resnet101", new Published(44_549_160L, 7.801),
            "resnet152", new Published(60_192_808L, 11.514),
            "resnext50_32x4d", new Published(25_028_904L, 4.230),
            "resnext101_32x8d", new Published(88_791_336L, 16.414),
            "resnext101_64x4d", new Published(83_455_272L, 15.460),
            "wide_resnet50_2", new Published(68_883_240L, 11.398),
            "wide_resnet101_2", new Published(126_886_696L, 22.753));

    private Torchvision() {}

    /** What torchvision publishes for the model called {@code name}, if it publishes anything. */
    public static Optional<Published> published(String name) {
        return Optional.ofNullable(PUBLISHED.get(name));
    }

    /**
     * The library's parameters and MACs next to torchvision's, one row per model of a {@link
     * ModelTable#of} table (its rows must be named models at 3x224x224 with 1000 classes). The
     * column {@code same} is true where the parameters are equal and the MACs, in billions rounded
     * to 3 decimals, equal torchvision's GFLOPS.
     *
     * @throws IllegalArgumentException naming a model torchvision publishes nothing for
     */
    public static Table compare(Table models) {
        StringColumn model = StringColumn.create("model");
        LongColumn ours = CostTable.countColumn(CostTable.PARAMETERS);
        LongColumn theirs = CostTable.countColumn("torchvision parameters");
        DoubleColumn gmacs = DoubleColumn.create("GMACs");
        DoubleColumn gflops = DoubleColumn.create("torchvision GFLOPS");
        BooleanColumn same = BooleanColumn.create("same");
        for (int i = 0; i < models.rowCount(); i++) {
            String name = models.stringColumn("model").get(i);
            Published p = published(name).orElseThrow(() -> new IllegalArgumentException(
                    "torchvision publishes no numbers for '" + name + "'; it does for " + PUBLISHED.keySet()));
            long parameters = models.longColumn(CostTable.PARAMETERS).get(i);
            double billions = Math.round(models.longColumn(CostTable.MACS).get(i) / 1e6) / 1e3;
            model.append(name);
            ours.append(parameters);
            theirs.append(p.parameters());
            gmacs.append(billions);
            gflops.append(p.gflops());
            same.append(parameters == p.parameters() && billions == p.gflops());
        }
        return Table.create("library vs torchvision (published)", model, ours, theirs, gmacs, gflops, same);
    }
}
