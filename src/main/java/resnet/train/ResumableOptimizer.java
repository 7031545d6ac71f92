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
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray g = wd == 0 ? grad : grad.add(weight.mul(wd));
            if (settings.kind() == OptimizerSettings.Kind.SGD) {
                float momentum = (float) settings.momentum();
                NDArray direction = g;
                if (momentum > 0) {
                    NDArray buffer = slot(MOMENTUM, parameterId, key, weight);
                    buffer.muli(momentum).addi(g);
                    direction = settings.nesterov() ? g.add(buffer.mul(momentum)) : buffer;
                }
                weight.subi(direction.mul(learningRate));
            } else {
                float b1 = (float) settings.beta1();
                float b2 = (float) settings.beta2();
                NDArray m = slot(MEAN, parameterId, key, weight);
                NDArray v = slot(SQUARES, parameterId, key, weight);
                m.muli(b1).addi(g.mul(1 - b1));
                v.muli(b2).addi(g.square().muli(1 - b2));
                double correction1 = 1 - Math.pow(b1, t);
                double correction2 = 1 - Math.pow(b2, t);
                NDArray denominator = v.div((float) correction2).sqrt().addi((float) settings.epsilon());
                weight.subi(m.div(denominator).muli((float) (learningRate / correction1)));
            }
        }
        zeroGradient(weight);
    }

    /** DJL's PyTorch engine leaves zeroing the gradient to the optimiser (its own ones do it after the update). */
    private static void zeroGradient(NDArray weight) {
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
