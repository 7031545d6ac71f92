package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import resnet.TestData;
import resnet.data.ImageSet;
import resnet.models.ResNet;
import resnet.train.Checkpoint;

/**
 * Bad command lines and damaged inputs, one row each: the exit status (2 for a usage error, which
 * also prints the command's usage; 1 for a failure) and the words of the message that name what was
 * wrong. Every row fails before any training starts, so the table runs in seconds.
 *
 * <p>Paths in a row are placeholders ({@code {data}}, {@code {run}}, ...) for the files that
 * {@link #prepare()} makes once: a tiny Fashion-MNIST folder, one trained run, and damaged copies.
 */
class CommandLineErrorsTest {

    @TempDir
    static Path dir;

    static Path data;
    static Path run;

    /** Files made once for all rows; each row's {placeholder} is replaced by the path. */
    @BeforeAll
    static void prepare() throws Exception {
        data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1),
                TestData.brightness(16, 1, 28, 2));
        run = dir.resolve("run");
        CliRun train = CliRun.of("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "1",
                "--batch", "16", "--limit", "32", "--out", run.toString());
        assertEquals(0, train.status(), train.out() + train.err());

        // a Fashion-MNIST folder whose training images are 14x56 (a re-headered file), one whose test images are 32x32
        ImageSet wide = new ImageSet("wide", new byte[40 * 14 * 56], new int[40], 1, 14, 56, List.of("a"));
        TestData.fashionMnistFolder(dir.resolve("wide"), wide, TestData.brightness(16, 1, 28, 2));
        TestData.fashionMnistFolder(dir.resolve("test32"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 32, 2));
        Path cut = TestData.fashionMnistFolder(dir.resolve("cut"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path images = cut.resolve("train-images-idx3-ubyte.gz");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length / 2));

        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("a-file"), "not a folder\n");
        Files.writeString(dir.resolve("notes.ckpt"), "my notes, not a checkpoint\n");
        Path best = run.resolve(Checkpoint.BEST);
        flipByte(best, dir.resolve("flipped.ckpt"));
        Path damagedRun = Files.createDirectories(dir.resolve("damaged-run"));
        flipByte(run.resolve(Checkpoint.LAST), damagedRun.resolve(Checkpoint.LAST));
        byte[] whole = Files.readAllBytes(best);
        Files.write(dir.resolve("truncated.ckpt"), Arrays.copyOf(whole, whole.length - 100));
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve("v1.ckpt")))) {
            out.writeUTF("resnet-java checkpoint v1");
            out.writeInt(2);
            out.write(new byte[] {'{', '}'});
        }
        writeNaNWeights(best, dir.resolve("nan.ckpt"));
    }

    /** A copy of {@code from} with one byte in the middle changed. */
    static void flipByte(Path from, Path to) throws IOException {
        byte[] bytes = Files.readAllBytes(from);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(to, bytes);
    }

    /** A well-formed checkpoint (valid checksum) whose first weight holds a NaN: what a diverged run would leave. */
    private static void writeNaNWeights(Path from, Path to) throws IOException {
        Checkpoint checkpoint = Checkpoint.read(from);
        Checkpoint.Info info = checkpoint.info();
        try (Model model = Model.newInstance("nan"); NDManager temp = NDManager.newBaseManager()) {
            model.setBlock(ResNet.build(ResNet.spec(info.modelName()).withInputChannels(1).withClasses(info.classes())));
            checkpoint.loadInto(model.getBlock(), model.getNDManager());
            Parameter first = model.getBlock().getParameters().get(0).getValue();
            float[] values = first.getArray().toFloatArray();
            values[0] = Float.NaN;
            first.getArray().set(values);
            Checkpoint.write(to, info, model.getBlock(), checkpoint.optimizerState(temp));
        }
    }

    private static final String TRAIN_OK = "train --dataset fashion-mnist --data-dir {data} --limit 32 --epochs 1";
    private static final String EVAL_OK = "evaluate --dataset fashion-mnist --data-dir {data}";

    /** name, command line (split at spaces; '' is an empty argument), exit status, fragments of the message. */
    static Stream<Arguments> rows() {
        List<Arguments> rows = new ArrayList<>();
        // the entry point
        rows.add(row("no command", "", 2, "usage: resnet COMMAND"));
        rows.add(row("unknown command", "frobnicate", 2, "unknown command 'frobnicate'", "known commands: summary"));
        // summary
        rows.add(row("summary without a model", "summary", 2, "expected one model name"));
        rows.add(row("summary of an unknown model", "summary resnet51", 2, "unknown model 'resnet51'"));
        rows.add(row("--input without channels", "summary resnet18 --input 224x224", 2, "--input expects CxHxW", "'224x224'"));
        rows.add(row("--input too small", "summary resnet18 --input 3x16x16", 2, "the minimum is 32x32"));
        rows.add(row("--input zero", "summary resnet18 --input 0x224x224", 2, "--input needs positive sizes"));
        rows.add(row("--classes 0", "summary resnet18 --classes 0", 2, "option --classes must be at least 1, got 0"));
        rows.add(row("--classes a fraction", "summary resnet18 --classes 2.5", 2, "option --classes expects a whole number",
                "'2.5'", "not a whole number"));
        rows.add(row("--classes past int", "summary resnet18 --classes 99999999999", 2,
                "option --classes must be from 1 to 2147483647, got 99999999999"));
        rows.add(row("--classes too many for memory", "summary resnet18 --classes 2000000000", 1,
                "resnet18 with 2000000000 classes has at least", "512 features x 2000000000 classes", "of memory"));
        rows.add(row("--classes without a value", "summary resnet18 --classes", 2, "option --classes needs a value"));
        rows.add(row("a flag given a value", "summary resnet18 --per-block=yes", 2, "option --per-block takes no value"));
        rows.add(row("an option twice", "summary resnet18 --classes 5 --classes 6", 2, "option --classes is given twice"));
        // train: values
        rows.add(row("train without --dataset", "train", 2, "--dataset is required"));
        rows.add(row("unknown data set", "train --dataset mnist", 2, "option --dataset", "unknown data set 'mnist'"));
        rows.add(row("unknown model", TRAIN_OK + " --model resnet51", 2, "option --model", "unknown model 'resnet51'"));
        rows.add(row("--epochs 0", TRAIN_OK.replace("--epochs 1", "--epochs 0"), 2, "option --epochs must be from 1 to"));
        rows.add(row("--epochs a fraction", TRAIN_OK.replace("--epochs 1", "--epochs 2.5"), 2,
                "option --epochs expects a whole number", "'2.5'"));
        rows.add(row("--epochs a word", TRAIN_OK.replace("--epochs 1", "--epochs three"), 2, "option --epochs", "'three'"));
        rows.add(row("--epochs at the end", "train --dataset fashion-mnist --epochs", 2, "option --epochs needs a value"));
        rows.add(row("--batch 0", TRAIN_OK + " --batch 0", 2, "option --batch must be from 1 to"));
        rows.add(row("--lr 0", TRAIN_OK + " --lr 0", 2, "option --lr must be above 0, got 0"));
        rows.add(row("unknown recipe", TRAIN_OK + " --recipe fastest", 2, "option --recipe", "unknown recipe 'fastest'",
                "known: default, best"));
        rows.add(row("best recipe on cifar10", "train --dataset cifar10 --recipe best", 2, "--recipe best is made for",
                "fashion-mnist"));
        rows.add(row("--erase above 1", TRAIN_OK + " --erase 1.5", 2, "option --erase", "1.5"));
        rows.add(row("--erase negative", TRAIN_OK + " --erase -0.1", 2, "option --erase"));
        rows.add(row("--swa 1", TRAIN_OK + " --swa 1", 2, "option --swa", "1"));
        rows.add(row("--swa negative", TRAIN_OK + " --swa -0.25", 2, "option --swa"));
        rows.add(row("--swa-lr without --swa", TRAIN_OK + " --swa-lr 0.02", 2, "option --swa-lr", "--swa SHARE"));
        rows.add(row("--swa-lr above --lr", TRAIN_OK + " --swa 0.25 --lr 0.1 --swa-lr 0.2", 2, "option --swa-lr",
                "0.2"));
        rows.add(row("--swa with one epoch", TRAIN_OK + " --swa 0.5", 2, "option --swa",
                "at least one of the 1 epochs to average"));
        rows.add(row("--swa with a step schedule", TRAIN_OK + " --swa 0.25 --schedule step", 2, "option --swa",
                "--schedule step"));
        rows.add(row("--padding without a crop", TRAIN_OK + " --augment flip --padding 2", 2, "option --padding",
                "'flip'"));
        rows.add(row("--padding 0", TRAIN_OK + " --augment crop+flip --padding 0", 2, "option --padding", "0"));
        rows.add(row("--minutes too few", TRAIN_OK + " --minutes 0.5", 2, "option --minutes 0.5", "for the test"));
        rows.add(row("--minutes negative", TRAIN_OK + " --minutes -3", 2, "option --minutes", "-3"));
        rows.add(row("--minutes with cosine", TRAIN_OK + " --minutes 30 --schedule cosine", 2, "option --minutes",
                "onecycle or constant", "cosine"));
        rows.add(row("--minutes, warm-up too long", TRAIN_OK + " --minutes 30 --warmup 0.5", 2,
                "option --minutes", "--warmup 0.5", "--epochs"));
        rows.add(row("--minutes with --resume", TRAIN_OK + " --minutes 30 --resume", 2, "option --minutes",
                "--minutes 0 and --epochs N"));
        rows.add(row("--recipe best, one epoch", TRAIN_OK + " --recipe best", 2, "--recipe best has --minutes 58.0",
                "its warm-up of 0.2 epochs", "--minutes 0"));
        rows.add(row("--recipe best with --resume", TRAIN_OK + " --recipe best --resume", 2,
                "--recipe best has --minutes 58.0", "--minutes 0 and --epochs N"));
        rows.add(row("--label-smoothing 1", TRAIN_OK + " --label-smoothing 1", 2, "option --label-smoothing", "1"));
        rows.add(row("unknown --tta", TRAIN_OK + " --tta crop", 2, "option --tta", "'crop'"));
        rows.add(row("unknown evaluate --tta", EVAL_OK + " --checkpoint {run} --tta five", 2, "option --tta", "'five'"));
        rows.add(row("chart of nothing", "chart", 2, "give at least one run folder"));
        rows.add(row("chart of a folder without result.txt", "chart {dir}/empty", 2, "has no result.txt"));
        rows.add(row("chart into a JPEG", "chart {run} --out a.jpg", 2, "option --out", "ending in .png"));
        rows.add(row("--lr NaN", TRAIN_OK + " --lr NaN", 2, "option --lr expects a number above 0, got 'NaN'"));
        rows.add(row("--lr Infinity", TRAIN_OK + " --lr 1e999", 2, "option --lr", "not a finite number"));
        rows.add(row("--lr takes the next option", TRAIN_OK + " --lr --out X", 2, "option --lr needs a value",
                "the option --out"));
        rows.add(row("--out takes the next option", TRAIN_OK + " --out --resume", 2, "option --out needs a value",
                "the option --resume"));
        rows.add(row("--out empty", TRAIN_OK + " --out ''", 2, "option --out needs a value, got an empty one"));
        rows.add(row("--out= empty", TRAIN_OK + " --out=", 2, "option --out needs a value, got an empty one"));
        rows.add(row("--limit 0", TRAIN_OK.replace("--limit 32", "--limit 0"), 2, "option --limit must be at least 1, got 0"));
        rows.add(row("--members 0", TRAIN_OK + " --members 0", 2, "option --members must be", "16, got 0"));
        rows.add(row("--members too many", TRAIN_OK + " --members 17", 2, "option --members must be", "16, got 17"));
        rows.add(row("--members with --weights", TRAIN_OK + " --members 2 --weights {dir}/w.pth", 2,
                "option --members 2", "same weights"));
        rows.add(row("--limit negative", TRAIN_OK.replace("--limit 32", "--limit -5"), 2,
                "option --limit must be at least 1, got -5"));
        rows.add(row("--valid-ratio 1.5", TRAIN_OK + " --valid-ratio 1.5", 2, "option --valid-ratio must be in [0, 1), got 1.5"));
        rows.add(row("--valid-ratio leaves no validation", TRAIN_OK.replace("--limit 32", "--limit 2") + " --valid-ratio 0.1"
                + " --out {dir}/vr", 2, "option --valid-ratio 0.1 of 2 training images (--limit 2)", "leaves 0 for validation"));
        rows.add(row("--step-size 0", TRAIN_OK + " --schedule step --step-size 0", 2, "option --step-size must be at least 1"));
        rows.add(row("--step-size a fraction", TRAIN_OK + " --schedule step --step-size 2.5", 2,
                "option --step-size expects a whole number", "'2.5'"));
        rows.add(row("--gamma 2", TRAIN_OK + " --schedule step --gamma 2", 2, "option --gamma must be in (0, 1], got 2"));
        rows.add(row("--warmup past the epochs", TRAIN_OK + " --warmup 3", 2, "option --warmup must be in [0, 1), got 3"));
        rows.add(row("--momentum 1", TRAIN_OK + " --momentum 1", 2, "option --momentum must be in [0, 1), got 1"));
        rows.add(row("--momentum 0 with Nesterov", TRAIN_OK + " --momentum 0", 2, "option --momentum 0 needs --no-nesterov"));
        rows.add(row("--weight-decay negative", TRAIN_OK + " --weight-decay -1", 2, "option --weight-decay must be at least 0"));
        rows.add(row("unknown schedule", TRAIN_OK + " --schedule linear", 2, "option --schedule expects one of onecycle",
                "'linear'"));
        rows.add(row("unknown optimizer", TRAIN_OK + " --optimizer rmsprop", 2, "option --optimizer expects one of sgd, adam"));
        rows.add(row("unknown augmentation", TRAIN_OK + " --augment rotate", 2, "option --augment expects one of crop+flip"));
        rows.add(row("--patience negative", TRAIN_OK + " --patience -1", 2, "option --patience must be at least 0"));
        rows.add(row("--seed a word", TRAIN_OK + " --seed x", 2, "option --seed expects a whole number, got 'x'"));
        rows.add(row("unknown option", TRAIN_OK + " --frobnicate 3", 2, "unknown option --frobnicate", "known options:"));
        rows.add(row("a positional argument", TRAIN_OK + " extra", 2, "unexpected arguments [extra]"));
        rows.add(row("--resume given a value", TRAIN_OK + " --resume=yes", 2, "option --resume takes no value"));
        // train: the run folder
        rows.add(row("--out is a file", TRAIN_OK + " --out {dir}/a-file", 2, "option --out", "a-file is a file, not a folder"));
        rows.add(row("--out under a file", TRAIN_OK + " --out {dir}/a-file/run", 2, "option --out", "a-file is a file"));
        rows.add(row("--out holds a run", TRAIN_OK + " --out {run}", 2, "last.ckpt exists: pass --resume"));
        rows.add(row("--resume with nothing to resume", TRAIN_OK + " --resume --out {dir}/empty", 2,
                "--resume: there is no last.ckpt in", "empty"));
        rows.add(row("--resume from a damaged last.ckpt", TRAIN_OK + " --resume --out {dir}/damaged-run", 1,
                "damaged-run/last.ckpt is damaged", "checksum"));
        rows.add(row("--resume with other settings", TRAIN_OK.replace("--epochs 1", "--epochs 2") + " --resume --out {run}",
                1, "cannot resume from", "epochs: checkpoint has 1, this run 2"));
        // train: the data
        rows.add(row("a missing data folder", TRAIN_OK.replace("{data}", "{dir}/no-data") + " --out {dir}/o1", 1,
                "Fashion-MNIST folder", "no-data does not exist"));
        rows.add(row("training images 14x56", TRAIN_OK.replace("{data}", "{dir}/wide") + " --out {dir}/o2", 1,
                "its images are 14x56, Fashion-MNIST's are 28x28"));
        rows.add(row("test images 32x32", TRAIN_OK.replace("{data}", "{dir}/test32") + " --out {dir}/o3", 1,
                "t10k-images-idx3-ubyte.gz: its images are 32x32"));
        rows.add(row("a truncated data file", TRAIN_OK.replace("{data}", "{dir}/cut") + " --out {dir}/o4", 1,
                "train-images-idx3-ubyte.gz", "ends early"));
        rows.add(row("CIFAR-10 files missing", "train --dataset cifar10 --data-dir {dir}/empty --limit 8 --out {dir}/o5", 1,
                "data_batch_1.bin"));
        // evaluate
        rows.add(row("evaluate without options", "evaluate", 2, "--checkpoint and --dataset are required"));
        rows.add(row("evaluate a folder without best.ckpt", EVAL_OK + " --checkpoint {dir}/empty", 1, "no checkpoint at",
                "best.ckpt"));
        rows.add(row("evaluate a flipped byte", EVAL_OK + " --checkpoint {dir}/flipped.ckpt", 1,
                "flipped.ckpt is damaged", "checksum"));
        rows.add(row("evaluate a truncated checkpoint", EVAL_OK + " --checkpoint {dir}/truncated.ckpt", 1,
                "truncated.ckpt is truncated"));
        rows.add(row("evaluate a file that is no checkpoint", EVAL_OK + " --checkpoint {dir}/notes.ckpt", 1,
                "notes.ckpt is not a checkpoint of this library"));
        rows.add(row("evaluate a checkpoint without checksum", EVAL_OK + " --checkpoint {dir}/v1.ckpt", 1,
                "v1.ckpt was written by an earlier version", "without a checksum"));
        rows.add(row("evaluate NaN weights", EVAL_OK + " --checkpoint {dir}/nan.ckpt", 1, "nan.ckpt hold NaN or infinite",
                "diverged"));
        rows.add(row("evaluate on the wrong data set", "evaluate --dataset cifar10 --checkpoint {run}", 2,
                "was trained on 1-channel images, cifar10 has 3"));
        rows.add(row("evaluate on 32x32 test images", EVAL_OK.replace("{data}", "{dir}/test32") + " --checkpoint {run}", 1,
                "its images are 32x32"));
        rows.add(row("evaluate --limit 0", EVAL_OK + " --checkpoint {run} --limit 0", 2, "option --limit must be at least 1"));
        rows.add(row("evaluate --batch 0", EVAL_OK + " --checkpoint {run} --batch 0", 2, "option --batch must be from 1 to"));
        // bench
        rows.add(row("bench --steps 0", "bench --steps 0", 2, "option --steps must be at least 1, got 0"));
        rows.add(row("bench --threads 0", "bench --threads 0", 2, "option --threads must be from 1 to 1024, got 0"));
        rows.add(row("bench --warmup negative", "bench --warmup -1", 2, "option --warmup must be at least 0"));
        rows.add(row("bench --batch 0", "bench --batch 0", 2, "option --batch must be from 1 to"));
        rows.add(row("bench an unknown model", "bench --models resnet51 --no-matmul", 2, "unknown model 'resnet51'"));
        rows.add(row("bench an unknown mode", "bench --models resnet20:1x28x28:fly --no-matmul", 2,
                "the mode of a case is train or infer, got 'fly'"));
        rows.add(row("bench batch 0", "bench --models resnet20:1x28x28:train:0 --no-matmul", 2,
                "the batch of a case is a positive whole number, got '0'"));
        rows.add(row("bench a batch past memory", "bench --models resnet50:3x224x224:infer:100000 --no-matmul", 1,
                "resnet50:3x224x224:infer:100000 needs at least", "100,000 images", "of memory"));
        rows.add(row("bench a positional argument", "bench resnet20", 2, "bench takes no positional arguments"));
        return rows.stream();
    }

    private static Arguments row(String name, String line, int status, String... fragments) {
        return Arguments.of(name, line, status, fragments);
    }

    /** Each row's command line, status and first line of message, written to {@value #TABLE} for the record. */
    private static final Map<String, String> MESSAGES = new ConcurrentSkipListMap<>();
    static final String TABLE = "target/cli-errors.md";

    @AfterAll
    static void writeTable() throws IOException {
        StringBuilder table = new StringBuilder("| # | case | command line | status | message (first line) |\n|---|---|---|---|---|\n");
        int[] number = {0};
        rows().forEach(row -> {
            String name = (String) row.get()[0];
            if (MESSAGES.containsKey(name)) {
                table.append("| ").append(++number[0]).append(" | ").append(MESSAGES.get(name)).append(" |\n");
            }
        });
        Files.createDirectories(Path.of(TABLE).getParent());
        Files.writeString(Path.of(TABLE), table.toString().replace(dir.toString(), "DIR"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void badInputIsRefusedNamingWhatWasWrong(String name, String line, int status, String[] fragments) {
        CliRun result = CliRun.of(args(line));
        String message = status == 2 && line.isEmpty() ? result.out() : result.err();
        MESSAGES.put(name, String.join(" | ", name, "`resnet " + line.replace("|", "\\|") + "`",
                String.valueOf(result.status()), message.strip().split("\\R")[0].replace("|", "\\|")));
        assertEquals(status, result.status(), name + ": " + result.err() + result.out());
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment.replace("{dir}", dir.toString())),
                    name + ": expected '" + fragment + "' in:\n" + message);
        }
        assertFalse(result.out().matches("(?s).*test accuracy: [01]\\..*"), name + ": it ran: " + result.out());
        if (status == 2 && Main.COMMANDS.stream().anyMatch(c -> line.startsWith(c.name() + " ") || line.equals(c.name()))) {
            assertTrue(result.err().contains("usage: resnet"), name + ": a usage error shows the usage");
        }
    }

    private static String[] args(String line) {
        if (line.isEmpty()) {
            return new String[0];
        }
        return Arrays.stream(line.split(" "))
                .map(word -> word.replace("{data}", data.toString()).replace("{run}", run.toString())
                        .replace("{dir}", dir.toString()).replace("''", ""))
                .toArray(String[]::new);
    }
}
