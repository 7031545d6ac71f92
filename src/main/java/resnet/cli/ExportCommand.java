package resnet.cli;

import ai.djl.Model;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;
import resnet.models.Torchvision;
import resnet.train.Checkpoint;
import resnet.weights.StateDict;
import resnet.weights.WeightsFormat;

/**
 * {@code resnet export --checkpoint DIR --to FILE.safetensors}: a trained run's weights with
 * torchvision's names, for PyTorch ({@code torchvision.models.resnet18(num_classes=K).load_state_dict(...)}),
 * the Hugging Face hub or timm.
 */
public final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String description() {
        return "a checkpoint's weights as .safetensors (or .pth, .npz) with torchvision's names";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet export --checkpoint DIR|FILE --to FILE.safetensors|FILE.pth|FILE.npz",
                "",
                "  --checkpoint PATH    a run's --out folder (its best.ckpt is used) or a .ckpt file",
                "  --to FILE            the weights file; its ending chooses the format (.safetensors, .pth or .pt, .npz)",
                "",
                "The file holds the state dict PyTorch's model.state_dict() would (float32, BatchNorm running",
                "statistics included, num_batches_tracked left out): load it with load_state_dict(strict=True).");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args a = Args.parse(args, Set.of("checkpoint", "to"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected arguments " + a.positional() + "; options start with --");
        }
        if (!a.has("checkpoint") || !a.has("to")) {
            throw new UsageException("--checkpoint and --to are required");
        }
        Path to = Path.of(a.string("to", ""));
        WeightsFormat format = TrainCommand.usage(() -> WeightsFormat.forName(to));
        Checkpoint checkpoint = Transfer.checkpoint(a);
        Checkpoint.Info info = checkpoint.info();
        Path file = checkpoint.file();
        try (Model model = Model.newInstance(info.modelName())) {
            ResidualNetwork net = ResNet.build(Transfer.spec(info));
            model.setBlock(net);
            checkpoint.loadInto(net, model.getNDManager());
            StateDict weights = StateDict.of(net);
            weights.write(to);
            System.out.println(String.format(Locale.ROOT, "wrote %s: %s (%d tensors, %,d values, %s, torchvision names)"
                    + " from %s, epoch %d", to, info.modelName(), weights.size(), weights.values(),
                    format.name().toLowerCase(Locale.ROOT), file, info.epoch()));
            if (Torchvision.published(info.modelName()).isPresent()) {
                System.out.println(String.format(Locale.ROOT, "in PyTorch: torchvision.models.%s(num_classes=%d)"
                        + ".load_state_dict(state); normalise inputs with mean %s, std %s", info.modelName(),
                        info.classes(), java.util.Arrays.toString(info.mean()), java.util.Arrays.toString(info.std())));
            }
        }
        return 0;
    }
}
