package resnet.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import resnet.blocks.StridePlacement;
import resnet.inspect.Summary;
import tech.tablesaw.api.Table;

class ModelTableTest {

    private static final Shape IMAGENET = new Shape(3, 224, 224);

    @Test
    void familyRowsDescribeEachModelAndCarryItsSummary() {
        Table table = ModelTable.of(IMAGENET, "resnet34", "resnext50_32x4d");
        assertEquals(List.of("model", "block", "layers", "depth", "3x3 widths", "parameters", "MACs"), table.columnNames());
        assertEquals(List.of("resnet34", "resnext50_32x4d"), table.stringColumn("model").asList());
        assertEquals(List.of("basic", "bottleneck 32x4d"), table.stringColumn("block").asList());
        assertEquals("[3, 4, 6, 3]", table.stringColumn("layers").get(1));
        assertEquals(List.of(34, 50), table.intColumn("depth").asList());
        assertEquals("[128, 256, 512, 1024]", table.stringColumn("3x3 widths").get(1));
        // torchvision's num_params for resnext50_32x4d (IMAGENET1K_V1 weights)
        assertEquals(25_028_904L, table.longColumn("parameters").get(1));
        assertEquals(Summary.of(ResNet.resnet34(1000), IMAGENET).macs(), table.longColumn("MACs").get(0));
    }

    @Test
    void labelledSpecsKeepTheirLabelsAndSayWhereTheStrideIs() {
        Map<String, ResNetSpec> specs = new LinkedHashMap<>();
        specs.put("v1", ResNet.spec("resnet50").withStridePlacement(StridePlacement.ON_FIRST_1X1));
        Table table = ModelTable.of(IMAGENET, specs);
        assertEquals("v1", table.stringColumn("model").get(0));
        assertEquals("bottleneck, stride on 1x1", table.stringColumn("block").get(0));
        assertEquals(25_557_032L, table.longColumn("parameters").get(0));
    }

    @Test
    void stageRowsAddUpToTheNetworkWithoutStemAndHead() {
        Map<String, ResNetSpec> specs = new LinkedHashMap<>();
        specs.put("resnet50", ResNet.spec("resnet50"));
        specs.put("resnext50_32x4d", ResNet.spec("resnext50_32x4d"));
        Table table = ModelTable.stages(IMAGENET, specs);
        assertEquals(8, table.rowCount());
        assertEquals("resnext50_32x4d.layer4", table.stringColumn("stage").get(7));
        assertEquals(List.of(64, 128, 256, 512, 128, 256, 512, 1024), table.intColumn("3x3 width").asList());
        assertEquals(List.of(1, 1, 1, 1, 32, 32, 32, 32), table.intColumn("groups").asList());
        assertEquals("2048x7x7", table.stringColumn("output").get(3));
        Summary whole = Summary.of(ResNet.resnet50(1000), IMAGENET);
        long stemAndHead = whole.rows().stream().filter(r -> !r.name().startsWith("layer"))
                .mapToLong(Summary.Row::parameters).sum();
        long stages = table.longColumn("parameters").asList().subList(0, 4).stream().mapToLong(Long::longValue).sum();
        assertEquals(whole.parameters() - stemAndHead, stages);
    }

    @Test
    void innerWidthsFollowTheWidthFormula() {
        assertEquals(List.of(64, 128, 256, 512), ModelTable.innerWidths(ResNet.spec("resnet18")));
        assertEquals(List.of(256, 512, 1024, 2048), ModelTable.innerWidths(ResNet.spec("resnext101_32x8d")));
        assertEquals(List.of(128, 256, 512, 1024), ModelTable.innerWidths(ResNet.spec("wide_resnet50_2")));
    }
}
