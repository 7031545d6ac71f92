package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.blocks.BasicBlock;
import resnet.blocks.Bottleneck;
import tech.tablesaw.api.Table;

class CostTableTest {

    @Test
    void rowsCarryTheSummarysNumbers() {
        Shape wide = new Shape(256, 56, 56);
        Table table = CostTable.titled("one block at 56x56", "block")
                .add("basic", new BasicBlock(256, 256, 1), wide)
                .add("bottleneck", new Bottleneck(256, 64, 1), wide)
                .table();
        assertEquals(List.of("block", "input", "output", "parameters", "MACs"), table.columnNames());
        assertEquals("one block at 56x56", table.name());
        assertEquals(Summary.of(new BasicBlock(256, 256, 1), wide).parameters(), table.longColumn("parameters").get(0));
        // 1x1 256->64, 3x3 64->64, 1x1 64->256 at 56x56
        assertEquals(56L * 56 * (16_384 + 36_864 + 16_384), table.longColumn("MACs").get(1));
        assertEquals("256x56x56", table.stringColumn("output").get(1));
    }

    @Test
    void countsPrintWithThousandsSeparatorsUnderTheTitle() {
        String printed = CostTable.titled("t", "block").add("b", new Bottleneck(256, 64, 1), new Shape(256, 56, 56))
                .table().print();
        assertTrue(printed.lines().findFirst().orElseThrow().strip().equals("t"), printed);
        // 69,632 convolution weights and 2 · (64 + 64 + 256) BatchNorm parameters; 56 · 56 · 69,632 MACs
        assertTrue(printed.contains("70,400"), printed);
        assertTrue(printed.contains("218,365,952"), printed);
    }

    @Test
    void aTableNeedsATitleAndALabelHeader() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CostTable.titled(" ", "block"));
        assertEquals("a cost table needs a title and a label header, got ' ' and 'block'", e.getMessage());
    }
}
