package resnet.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class TorchvisionTest {

    private static final Shape IMAGENET = new Shape(3, 224, 224);

    @Test
    void theLibrarysModelsMatchWhatTorchvisionPublishes() {
        Table compared = Torchvision.compare(ModelTable.of(IMAGENET, "resnet18", "resnet50", "resnext50_32x4d"));
        assertEquals(List.of("model", "parameters", "torchvision parameters", "GMACs", "torchvision GFLOPS", "same"),
                compared.columnNames());
        assertEquals(List.of(true, true, true), compared.booleanColumn("same").asList());
        assertEquals(4.089, compared.doubleColumn("GMACs").get(1));
    }

    @Test
    void aDifferentCountIsNotTheSame() {
        Table models = ModelTable.of(IMAGENET, "resnet34");
        models.longColumn("parameters").set(0, 21_797_673L);
        assertFalse(Torchvision.compare(models).booleanColumn("same").get(0));
    }

    @Test
    void aModelTorchvisionDoesNotPublishIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Torchvision.compare(ModelTable.of(IMAGENET, "resnet18_cifar")));
        assertTrue(e.getMessage().startsWith("torchvision publishes no numbers for 'resnet18_cifar'"), e.getMessage());
        assertTrue(Torchvision.published("wide_resnet101_2").isPresent());
    }
}
