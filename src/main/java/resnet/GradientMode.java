package resnet;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch records operations for backpropagation per thread, and a new thread starts recording:
 * DJL turns that off only on the thread that loaded the engine, and its gradient collector, on
 * closing, puts back the mode it found. A training step opened on any other thread (a notebook
 * kernel's pooled thread, a server's worker) would leave recording on, and the optimiser's in-place
 * update of a parameter then fails with "a leaf Variable that requires grad is being used in an
 * in-place operation"; an evaluation there would build a graph nobody uses.
 *
 * <p>The library's training step, gradient measurements and evaluation call {@link #off} first,
 * so they work the same on every thread.
 */
public final class GradientMode {

    private GradientMode() {}

    /** Stops recording on the calling thread (what DJL did on the engine's thread); a no-op elsewhere. */
    public static void off() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }

    /** Whether the calling thread records operations for backpropagation outside a collector. */
    public static boolean recording() {
        return "PyTorch".equals(Engine.getInstance().getEngineName()) && JniUtils.isGradMode();
    }
}
