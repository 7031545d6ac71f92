#!/usr/bin/env python3
"""Which thread runs each cell of the "java" kernel, and does PyTorch record gradients there?

Starts the installed kernel, runs a cell, waits --pause seconds (a reader reading the next
paragraph), and runs it again. Each cell prints its thread's name and resnet.GradientMode.recording(),
then takes one training step with the library's TrainingStep on a tiny ResNet. rapaio's own
execution control ends a pooled thread idle for 60 s, so with it and a pause over 60 s the second
cell runs on a new thread where PyTorch records; the patched control (kernel-patch/README.md) runs
every cell on "cell-thread".

    /usr/bin/python3 scripts/kernel_cell_threads.py --pause 62

Exits 1 when the two cells ran on different threads, a cell recorded gradients, or a cell failed.
"""
import argparse
import sys

from jupyter_client.manager import start_new_kernel

CELL = """
System.out.println("thread " + Thread.currentThread().getName()
        + ", recording " + resnet.GradientMode.recording());
try (ai.djl.Model model = ai.djl.Model.newInstance("tiny")) {
    model.setBlock(resnet.models.ResNet.build(resnet.models.ResNet.spec("resnet20")
            .withStages(java.util.List.of(1, 1), java.util.List.of(4, 8))
            .withInputChannels(1).withClasses(3)));
    try (var step = resnet.train.TrainingStep.open(model,
            resnet.train.OptimizerSettings.sgd(0.9, 5e-4, true), new ai.djl.ndarray.types.Shape(1, 8, 8));
            var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
        var result = step.run(manager.randomNormal(new ai.djl.ndarray.types.Shape(6, 1, 8, 8)),
                manager.create(new long[] {0, 1, 2, 0, 1, 2}), 0.1);
        System.out.println("step finite " + result.finite());
    }
}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pause", type=float, default=62.0, help="seconds between the two cells (62)")
    args = parser.parse_args()
    if args.pause < 0:
        parser.error(f"--pause must be 0 or more seconds, got {args.pause}")
    import time

    km, kc = start_new_kernel(kernel_name="java", startup_timeout=120)
    lines = []

    def hook(message):
        if message["msg_type"] == "stream":
            lines.append(message["content"].get("text", ""))
        elif message["msg_type"] == "error":
            lines.append("error " + message["content"].get("evalue", "") + "\n")

    try:
        kc.execute_interactive("ai.djl.engine.Engine.getInstance();", timeout=120)
        kc.execute_interactive(CELL, output_hook=hook, timeout=120)
        time.sleep(args.pause)
        kc.execute_interactive(CELL, output_hook=hook, timeout=120)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    text = "".join(lines)
    print(f"two cells {args.pause:g} s apart:")
    print(text.strip())
    threads = [l for l in text.splitlines() if l.startswith("thread ")]
    ok = (len(threads) == 2 and threads[0] == threads[1] and "recording true" not in text
          and "error " not in text and text.count("step finite true") == 2)
    print("same thread, no recording, both steps done" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
