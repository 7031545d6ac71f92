package resnet.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SGD (momentum, Nesterov, weight decay) and Adam, written out so that their state can be saved and
 * restored: DJL's own optimisers keep momentum buffers and Adam's moments private, and a run resumed
 * without them would not continue the run it resumes. The update rules are PyTorch's
 * ({@code torch.optim.SGD}, {@code torch.optim.Adam}):
 *
 * <pre>
 * g = grad + weight_decay · w
 * SGD:  b = momentum · b + g;   w −= lr · (nesterov ? g + momentum · b : b)
 * Adam: m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g²;  w −= lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 *
 * <p>The learning rate is set by the fit loop before each step ({@link #setLearningRate(double)}),
 * from its {@link Schedule}. State is kept per parameter and device; {@link #exportState(Map)} and
 * {@link #importState(NDList, Map, Map)} use parameter names, because DJL's parameter ids are new in
 * every process.
 */
public final class ResumableOptimizer extends Optimizer implements AutoCloseable {

    private static final String MOMENTUM = "momentum";
    private static final String MEAN = "mean";
    private static final String SQUARES = "squares";

    private final OptimizerSettings settings;
    private final NDManager stateManager = NDManager.newBaseManager();
    /** slot → "parameterId@device" → array. */
    private final Map<String, Map<String, NDArray>> state = new ConcurrentHashMap<>();
    /** parameterId → the device whose state is exported (the first one that updated it). */
    private final Map<String, Device> primary = new ConcurrentHashMap<>();
    /** parameterId@device → updates done (Adam's t). */
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();
    /** Restored state not yet moved to a device: slot → parameterId → array, and parameterId → steps. */
    private final Map<String, Map<String, NDArray>> restored = new ConcurrentHashMap<>();
    private final Map<String, Integer> restoredSteps = new ConcurrentHashMap<>();
    /** "name@device" → a scalar the updates multiply by. */
    private final Map<String, Scalar> scalars = new ConcurrentHashMap<>();
    private volatile float learningRate;

    ResumableOptimizer(OptimizerSettings settings) {
        super(new Builder());
        this.settings = settings;
    }

    /** DJL's base class wants a builder; the settings live in {@link OptimizerSettings}. */
    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }

    public OptimizerSettings settings() {
        return settings;
    }

    /** The rate the next updates use. */
    public void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be 0 or more and finite, got " + lr);
        }
        this.learningRate = (float) lr;
    }

    public double learningRate() {
        return learningRate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String key = parameterId + "@" + weight.getDevice();
        primary.putIfAbsent(parameterId, weight.getDevice());
        int t = steps.compute(key, (k, old) -> old != null ? old + 1 : restoredSteps.getOrDefault(parameterId, 0) + 1);
        float wd = (float) settings.weightDecay();
        // g = grad + wd · w in an array of our own: the gradient itself is shared by every device's update.
        NDArray decayed = wd == 0 ? null : weight.mul(scalar(weight, "weight decay", wd)).addi(grad);
        try {
            if (settings.kind() == OptimizerSettings.Kind.SGD) {
                updateSgd(parameterId, key, weight, grad, decayed);
            } else {
                updateAdam(parameterId, key, weight, decayed == null ? grad : decayed, t);
            }
        } finally {
            if (decayed != null) {
                decayed.close();
            }
        }
        zeroGradient(weight);
    }

    /**
     * {@code b = momentum · b + g; w −= lr · (nesterov ? g + momentum · b : b)} where {@code g} is
     * {@code decayed} (ours to change) or, without weight decay, {@code grad} (not ours). Six array
     * operations, as in DJL's fused SGD; at most one temporary array alive at a time besides
     * {@code decayed}, and the scalars made once, not once per operation as {@code NDArray.mul(Number)}
     * does.
     */
    private void updateSgd(String parameterId, String key, NDArray weight, NDArray grad, NDArray decayed) {
        NDArray g = decayed == null ? grad : decayed;
        NDArray lr = scalar(weight, "learning rate", learningRate);
        float momentum = (float) settings.momentum();
        if (momentum == 0) {
            subtractScaled(weight, g, decayed, lr);
            return;
        }
        NDArray m = scalar(weight, "momentum", momentum);
        NDArray buffer = slot(MOMENTUM, parameterId, key, weight);
        buffer.muli(m).addi(g);
        if (!settings.nesterov()) {
            if (decayed != null) {
                decayed.close(); // dead now; its memory can serve the next array
            }
            subtractScaled(weight, buffer, null, lr);
            return;
        }
        NDArray ahead = buffer.mul(m);
        if (decayed != null) {
            try (ahead) {
                subtractScaled(weight, decayed.addi(ahead), decayed, lr);
            }
        } else {
            try (ahead) {
                subtractScaled(weight, ahead.addi(grad), ahead, lr);
            }
        }
    }

    /** {@code weight −= lr · direction}, scaling {@code direction} in place when it is {@code own} (ours). */
    private static void subtractScaled(NDArray weight, NDArray direction, NDArray own, NDArray lr) {
        if (direction == own) {
            weight.subi(own.muli(lr));
        } else {
            try (NDArray change = direction.mul(lr)) {
                weight.subi(change);
            }
        }
    }

    private void updateAdam(String parameterId, String key, NDArray weight, NDArray g, int t) {
        float b1 = (float) settings.beta1();
        float b2 = (float) settings.beta2();
        NDArray m = slot(MEAN, parameterId, key, weight);
        NDArray v = slot(SQUARES, parameterId, key, weight);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            m.muli(scalar(weight, "beta1", b1)).addi(g.mul(scalar(weight, "1 - beta1", 1 - b1)));
            v.muli(scalar(weight, "beta2", b2)).addi(g.square().muli(scalar(weight, "1 - beta2", 1 - b2)));
            double correction1 = 1 - Math.pow(b1, t);
            double correction2 = 1 - Math.pow(b2, t);
            NDArray denominator = v.div(scalar(weight, "bias correction 2", (float) correction2)).sqrt()
                    .addi(scalar(weight, "epsilon", (float) settings.epsilon()));
            weight.subi(m.div(denominator).muli(scalar(weight, "corrected rate", (float) (learningRate / correction1))));
        }
    }

    /**
     * A 0-dimensional array holding {@code value} on {@code like}'s device, made again only when the
     * value changes (the learning rate once a step): {@code NDArray.mul(float)} would make, copy in and
     * free one for every operation on every parameter.
     */
    private NDArray scalar(NDArray like, String name, float value) {
        Scalar cached = scalars.computeIfAbsent(name + "@" + like.getDevice(), k -> new Scalar());
        if (cached.array == null || Float.floatToIntBits(cached.value) != Float.floatToIntBits(value)) {
            if (cached.array != null) {
                cached.array.close();
            }
            NDArray array = like.getManager().create(value);
            NDScope.unregister(array);
            array.attach(stateManager);
            cached.array = array;
            cached.value = value;
        }
        return cached.array;
    }

    /** One cached scalar (see {@link #scalar}). */
    private static final class Scalar {
        private float value;
        private NDArray array;
    }

    /**
     * DJL's PyTorch engine leaves zeroing the gradient to the optimiser (its own ones do it after the
     * update). PyTorch's {@code zero_()} also clears a NaN, which {@code gradient.subi(gradient)} would not.
     */
    static void zeroGradient(NDArray weight) {
        if (weight instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray gradient = weight.getGradient();
                gradient.subi(gradient);
            }
        }
    }

    /** The state array of one parameter on one device: restored if there is one, else zeros. */
    private NDArray slot(String slot, String parameterId, String key, NDArray weight) {
        Map<String, NDArray> arrays = state.computeIfAbsent(slot, k -> new ConcurrentHashMap<>());
        NDArray array = arrays.get(key);
        if (array == null) {
            NDArray saved = restored.getOrDefault(slot, Map.of()).get(parameterId);
            array = saved != null ? saved.toDevice(weight.getDevice(), true) : weight.zerosLike();
            NDScope.unregister(array);
            array.attach(stateManager);
            arrays.put(key, array);
        }
        return array;
    }

    /**
     * The state to save: one array per slot and parameter, named {@code slot:parameterName}, copied
     * to the CPU, from the device that updated the parameter first.
     *
     * @param names parameter id → name (from {@code block.getParameters()})
     * @param manager owns the copies
     */
    public NDList exportState(Map<String, String> names, NDManager manager) {
        NDList list = new NDList();
        for (Map.Entry<String, Map<String, NDArray>> slot : new TreeMap<>(state).entrySet()) {
            for (Map.Entry<String, String> parameter : new TreeMap<>(names).entrySet()) {
                Device device = primary.get(parameter.getKey());
                NDArray array = device == null ? null : slot.getValue().get(parameter.getKey() + "@" + device);
                if (array != null) {
                    NDArray copy = array.toDevice(Device.cpu(), true);
                    copy.attach(manager);
                    copy.setName(slot.getKey() + ":" + parameter.getValue());
                    list.add(copy);
                }
            }
        }
        return list;
    }

    /** Updates done per parameter name (what Adam's bias correction needs back). */
    public Map<String, Integer> exportSteps(Map<String, String> names) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Map.Entry<String, String> parameter : names.entrySet()) {
            Device device = primary.get(parameter.getKey());
            Integer count = device == null ? null : steps.get(parameter.getKey() + "@" + device);
            if (count != null) {
                counts.put(parameter.getValue(), count);
            }
        }
        return counts;
    }

    /**
     * Restores what {@link #exportState} and {@link #exportSteps} saved, before the first update.
     *
     * @param ids parameter name → id in this process
     * @throws IllegalArgumentException when the state names a parameter the model does not have
     */
    public void importState(NDList arrays, Map<String, Integer> stepCounts, Map<String, String> ids) {
        if (!steps.isEmpty()) {
            throw new IllegalStateException("import the optimizer state before the first update");
        }
        Map<String, String> byName = new HashMap<>(ids);
        for (NDArray array : arrays) {
            String name = array.getName();
            int colon = name == null ? -1 : name.indexOf(':');
            String id = colon < 0 ? null : byName.get(name.substring(colon + 1));
            if (id == null) {
                throw new IllegalArgumentException("optimizer state '" + name + "' names no parameter of this model");
            }
            NDArray copy = array.duplicate();
            copy.attach(stateManager);
            restored.computeIfAbsent(name.substring(0, colon), k -> new ConcurrentHashMap<>()).put(id, copy);
        }
        for (Map.Entry<String, Integer> count : stepCounts.entrySet()) {
            String id = byName.get(count.getKey());
            if (id == null) {
                throw new IllegalArgumentException("optimizer step count for '" + count.getKey() + "' names no parameter of this model");
            }
            restoredSteps.put(id, count.getValue());
        }
    }

    /** Frees the state arrays. */
    @Override
    public void close() {
        stateManager.close();
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
