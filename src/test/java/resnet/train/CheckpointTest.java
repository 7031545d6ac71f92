package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** The checksum: no single changed byte anywhere in a checkpoint gets past {@link Checkpoint#read}. */
class CheckpointTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static Path write(Path file) throws IOException {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            model.getBlock().initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(1, 1, 8, 8));
            Checkpoint.Info info = new Checkpoint.Info("tiny", new long[] {1, 8, 8}, 2, new float[] {0.5f},
                    new float[] {0.25f}, 1, java.util.Map.of("seed", "1"), new EarlyStopping.State(1, 0.9, 0),
                    java.util.Map.of(), List.of());
            Checkpoint.write(file, info, model.getBlock(), new NDList());
        }
        return file;
    }

    @Test
    void everyFlippedByteIsRefusedAndNamesTheFile(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(write(dir.resolve("good.ckpt")));
        assertEquals("tiny", Checkpoint.read(dir.resolve("good.ckpt")).info().modelName());
        Path bad = dir.resolve("bad.ckpt");
        int step = Math.max(1, good.length / 400);
        int refusedAsDamaged = 0;
        for (int i = 0; i < good.length; i += i < 80 ? 1 : step) {
            byte[] bytes = good.clone();
            bytes[i] ^= 0x10;
            Files.write(bad, bytes);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.read(bad), "byte " + i + " changed");
            assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
            refusedAsDamaged += e.getMessage().contains("is damaged") ? 1 : 0;
        }
        assertTrue(refusedAsDamaged > 300, "the body's bytes are refused as damaged: " + refusedAsDamaged);
        byte[] bytes = good.clone();
        bytes[good.length / 2] ^= 0x01;
        Files.write(bad, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(bad));
        assertTrue(e.getMessage().equals(bad + " is damaged: its content does not match the SHA-256 checksum written with"
                + " it; the checkpoint cannot be trusted (use the other checkpoint of the run, or train again)"), e.getMessage());
    }

    @Test
    void aByteAddedOrRemovedIsRefused(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(write(dir.resolve("good.ckpt")));
        Path longer = dir.resolve("longer.ckpt");
        Files.write(longer, java.util.Arrays.copyOf(good, good.length + 1));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(longer)).getMessage().contains("is damaged"));
        Path shorter = dir.resolve("shorter.ckpt");
        Files.write(shorter, java.util.Arrays.copyOf(good, good.length - 1));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(shorter)).getMessage().contains("is truncated"));
    }
}
