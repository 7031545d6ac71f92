package org.rapaio.jupyter.kernel.channels;

/**
 * A drop-in replacement for rapaio-jupyter-kernel 3.0.1's {@code LoopThread}, put ahead of the
 * kernel's jar on its class path by {@code bin/install-kernel}. Same constructor and methods as
 * the original; see {@code kernel-patch/README.md} for the two start-up races it removes.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleepMillis;
    private final Runnable body;

    public LoopThread(String name, long sleepMillis, Runnable body) {
        super(name);
        this.sleepMillis = sleepMillis;
        this.body = body;
    }

    @Override
    public void run() {
        while (running) {
            try {
                body.run();
            } catch (RuntimeException e) {
                // A message that arrives before the kernel registered its handlers fails here.
                // Jupyter repeats kernel_info_request until answered, so dropping it is safe;
                // ending the thread would leave the channel deaf for good.
                System.err.println("[" + getName() + "] message dropped: " + e);
            }
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        // Raised before the thread exists, so its first loop test cannot see false.
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
