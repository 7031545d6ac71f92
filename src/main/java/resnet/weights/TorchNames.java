package resnet.weights;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where the library's parameter names meet torchvision's.
 *
 * <p>The library names its parts after torchvision's, so the two lists match one to one once four
 * differences are bridged: the stem is a part of its own ({@code stem_conv}, {@code stem_bn} for
 * torchvision's top-level {@code conv1}, {@code bn1}); the projection shortcut is named for what it
 * is ({@code shortcut_conv}, {@code shortcut_bn} for {@code downsample.0}, {@code downsample.1});
 * DJL calls BatchNorm's four arrays {@code gamma, beta, runningMean, runningVar} where PyTorch says
 * {@code weight, bias, running_mean, running_var}; and DJL joins names with {@code _} where PyTorch
 * uses {@code .}. So {@code layer2_0_shortcut_bn_runningVar} is {@code layer2.0.downsample.1.running_var}.
 *
 * <p>PyTorch's BatchNorm also saves {@code num_batches_tracked}, a step counter that only matters when
 * its momentum is {@code None}; DJL has no counterpart, so it is skipped on the way in ({@link #ignored}).
 */
public final class TorchNames {

    private static final String[][] BATCH_NORM = {
        {"gamma", "weight"}, {"beta", "bias"}, {"runningMean", "running_mean"}, {"runningVar", "running_var"}};

    private TorchNames() {}

    /** torchvision's name for the library parameter {@code libraryName}, e.g. {@code stem_bn_gamma} -> {@code bn1.weight}. */
    public static String torchName(String libraryName) {
        String[] parts = libraryName.split("_");
        int last = parts.length - 1;
        for (String[] pair : BATCH_NORM) {
            if (parts[last].equals(pair[0])) {
                parts[last] = pair[1];
            }
        }
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == 0 && part.equals("stem") && i + 1 < last) {
                // the stem's layers are torchvision's top-level conv1 and bn1
                parts[i + 1] = parts[i + 1] + "1";
                continue;
            }
            if (part.equals("shortcut") && i + 1 < last) {
                part = "downsample." + (parts[i + 1].equals("conv") ? "0" : parts[i + 1].equals("bn") ? "1" : parts[i + 1]);
                i++;
            }
            name.append(name.length() == 0 ? "" : ".").append(part);
        }
        return name.toString();
    }

    /** The library's name for torchvision's {@code torchName}, e.g. {@code layer1.0.bn2.running_mean} -> {@code layer1_0_bn2_runningMean}. */
    public static String libraryName(String torchName) {
        String[] parts = torchName.split("\\.");
        int last = parts.length - 1;
        StringBuilder name = new StringBuilder();
        String module = "";
        for (int i = 0; i < last; i++) {
            String part = parts[i];
            if (i == 0 && last == 1 && (part.equals("conv1") || part.equals("bn1"))) {
                part = "stem_" + part.substring(0, part.length() - 1);
            } else if (part.equals("downsample") && i + 1 < last) {
                part = "shortcut_" + (parts[i + 1].equals("0") ? "conv" : parts[i + 1].equals("1") ? "bn" : parts[i + 1]);
                i++;
            }
            module = part;
            name.append(part).append('_');
        }
        String leaf = parts[last];
        boolean batchNorm = module.startsWith("bn") || module.endsWith("_bn");
        for (String[] pair : BATCH_NORM) {
            if (leaf.equals(pair[1]) && (batchNorm || pair[1].startsWith("running"))) {
                leaf = pair[0];
            }
        }
        return name.append(leaf).toString();
    }

    /** Whether a tensor of a PyTorch state dict has no counterpart here and is skipped: {@code num_batches_tracked}. */
    public static boolean ignored(String torchName) {
        return torchName.equals("num_batches_tracked") || torchName.endsWith(".num_batches_tracked");
    }

    /** Every parameter of {@code block} (BatchNorm running statistics included) by torchvision name, in the block's order. */
    public static Map<String, Parameter> parameters(Block block) {
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            byName.put(torchName(p.getKey()), p.getValue());
        }
        return byName;
    }
}
