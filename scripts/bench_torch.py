#!/usr/bin/env python3
"""The PyTorch side of the benchmark: the library's models written in plain PyTorch, timed the way
`bin/resnet bench` times them in Java, printing the same lines.

    /usr/bin/python3 scripts/bench_torch.py [--models CASES] [--threads N] [--steps N] [--warmup N]
                                            [--batch N] [--matmul-only] [--no-matmul]

CASES is a comma-separated list of MODEL[:CxHxW[:MODE[:BATCH]]], MODE `train` or `infer`; the
default is the issue's four cases:
    resnet18_cifar:3x32x32:train:128, resnet20:1x28x28:train:128, resnet20:3x32x32:train:128,
    resnet50:3x224x224:infer:8
With more than one case, each case runs in a fresh process of this script, so that each peak
resident memory (VmHWM) belongs to one model alone.

Output, one line each (key=value, the same keys as the Java side):
    matmul side=pytorch threads=T n=N gflops=G
    bench side=pytorch model=M input=CxHxW batch=B mode=train threads=T interop=I omp_wait=W alloc=A params=P macs=M
          img_s_median=.. img_s_min=.. img_s_max=.. gflops=.. cpu_ms_per_step=.. faults_per_step=.. rss_warm_mib=..
          rss_end_mib=.. peak_rss_mib=..

The models are written here from the papers and torchvision's published architecture (torchvision
is not imported): BasicBlock and Bottleneck (stride on the 3x3, "v1.5"), 1x1 projection shortcuts
with BatchNorm, the CIFAR paper's option-A shortcut (every second pixel, zero channels appended),
convolutions without bias, ReLU in place and the shortcut added in place as torchvision does.
Training: SGD lr 0.1, momentum 0.9 (no Nesterov), weight decay 5e-4, cross-entropy, random data made
once; each step reads back the loss and the correct count and skips the update on a non-finite loss,
as the library's fit loop does (resnet.train.TrainingStep).
Needs Debian's python3-torch (apt-get install python3-torch); no torchvision.
"""

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench_torch.py needs PyTorch for /usr/bin/python3: apt-get install python3-torch")

# The same list as BenchCommand.DEFAULT_CASES (a unit test compares them).
DEFAULT_CASES = "resnet18_cifar:3x32x32:train:128,resnet20:1x28x28:train:128,resnet20:3x32x32:train:128,resnet50:3x224x224:infer:8"


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class ZeroPad(nn.Module):
    """Option A: keep every stride-th pixel, append zero channels (no parameters)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.extra, self.stride = cout - cin, stride

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra))


def shortcut(kind, cin, cout, stride):
    if stride == 1 and cin == cout:
        return None
    if kind == "zero_pad":
        return ZeroPad(cin, cout, stride)
    return nn.Sequential(conv1x1(cin, cout, stride), nn.BatchNorm2d(cout))


class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride, kind):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(cin, planes, stride), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes), nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut(kind, cin, planes, stride)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x if self.shortcut is None else self.shortcut(x)
        return self.relu(out)


class Bottle(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride, kind):
        super().__init__()
        self.conv1, self.bn1 = conv1x1(cin, planes), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = conv3x3(planes, planes, stride), nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = conv1x1(planes, planes * 4), nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = shortcut(kind, cin, planes * 4, stride)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += x if self.shortcut is None else self.shortcut(x)
        return self.relu(out)


class Net(nn.Module):
    def __init__(self, block, layers, widths, imagenet_stem, kind, classes, channels):
        super().__init__()
        width = widths[0]
        stem = [nn.Conv2d(channels, width, 7, 2, 3, bias=False) if imagenet_stem else conv3x3(channels, width),
                nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        if imagenet_stem:
            stem.append(nn.MaxPool2d(3, 2, 1))
        self.stem = nn.Sequential(*stem)
        stages, cin = [], width
        for i, (n, planes) in enumerate(zip(layers, widths)):
            blocks = []
            for j in range(n):
                blocks.append(block(cin, planes, 2 if i > 0 and j == 0 else 1, kind))
                cin = planes * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def build(name, channels):
    if name == "resnet18_cifar":
        return Net(Basic, [2, 2, 2, 2], [64, 128, 256, 512], False, "projection", 10, channels)
    if name == "resnet18":
        return Net(Basic, [2, 2, 2, 2], [64, 128, 256, 512], True, "projection", 1000, channels)
    if name == "resnet50":
        return Net(Bottle, [3, 4, 6, 3], [64, 128, 256, 512], True, "projection", 1000, channels)
    if name in ("resnet20", "resnet32", "resnet44", "resnet56", "resnet110"):
        n = (int(name[6:]) - 2) // 6
        return Net(Basic, [n, n, n], [16, 32, 64], False, "zero_pad", 10, channels)
    raise SystemExit(f"bench_torch.py: unknown model '{name}'; known: resnet18_cifar, resnet18, resnet50, "
                     "resnet20, resnet32, resnet44, resnet56, resnet110")


def parse_case(text, batch_override):
    parts = text.strip().split(":")
    if not parts[0] or len(parts) > 4:
        raise SystemExit(f"bench_torch.py: a case is MODEL[:CxHxW[:MODE[:BATCH]]], got '{text}'")
    name = parts[0]
    default_input = "3x224x224" if name in ("resnet18", "resnet50") else "3x32x32"
    shape = parts[1] if len(parts) > 1 and parts[1] else default_input
    try:
        dims = tuple(int(d) for d in shape.split("x"))
    except ValueError:
        dims = ()
    if len(dims) != 3 or min(dims) <= 0:
        raise SystemExit(f"bench_torch.py: input must be CxHxW with positive sizes, got '{shape}' in '{text}'")
    mode = parts[2] if len(parts) > 2 and parts[2] else "train"
    if mode not in ("train", "infer"):
        raise SystemExit(f"bench_torch.py: mode must be train or infer, got '{mode}' in '{text}'")
    batch = batch_override or (int(parts[3]) if len(parts) > 3 else (128 if mode == "train" else 8))
    return name, dims, mode, batch


def proc_kib(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1])
    return -1


def allocator():
    with open("/proc/self/maps") as maps:
        text = maps.read()
    return "tcmalloc" if "libtcmalloc" in text else "jemalloc" if "libjemalloc" in text else "glibc"


def omp_wait():
    """OMP_WAIT_POLICY as the Java side reports it (resnet.Platform.ompWaitPolicy): runtime when unset."""
    policy = os.environ.get("OMP_WAIT_POLICY", "").strip().lower()
    return policy or "runtime"


def mib(key):
    return proc_kib(key) / 1024.0


def macs_per_image(model, dims):
    """Multiply-accumulates of convolutions and linear layers for one image, counted by hooks."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            total[0] += output[0].numel() * k  # output[0]: one image
        elif isinstance(module, nn.Linear):
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *dims))
    for h in handles:
        h.remove()
    return total[0]


def matmul(threads, n=2048, repeats=5):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    print(f"matmul side=pytorch threads={threads} n={n} gflops={2 * n ** 3 / best / 1e9:.1f}", flush=True)


def run_case(case, args):
    name, dims, mode, batch = case
    torch.manual_seed(0)
    model = build(name, dims[0])
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    macs = macs_per_image(model, dims)
    x = torch.randn(batch, *dims)
    if args.channels_last and x.dim() == 4:
        # stored (n, H, W, C), as the DJL side's batches are (BatchLoader.channelsLast)
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, model.fc.out_features, (batch,))
    if mode == "train":
        model.train()
        loss_fn = nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)

        def step():
            # What the fit loop's step (resnet.train.TrainingStep) does: forward, loss, backward, the
            # loss and the number of correct predictions read back, the update only for a finite loss.
            opt.zero_grad(set_to_none=True)
            # --autocast-bf16: convolutions and the linear layer in bfloat16, weights kept float32
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast_bf16):
                scores = model(x)
                loss = loss_fn(scores, y)
            loss.backward()
            value = loss.item()
            (scores.argmax(1) == y).sum().item()
            if math.isfinite(value):
                opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast_bf16):
                model(x)
    for _ in range(args.warmup):
        step()
    rss_warm = mib("VmRSS:")
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu = time.process_time()
    rates = []
    profiler = None
    if args.profile:
        profiler = torch.autograd.profiler.profile()
        profiler.__enter__()
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        rates.append(batch / (time.perf_counter() - start))
    if profiler is not None:
        profiler.__exit__(None, None, None)
        profiler.export_chrome_trace(args.profile)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) // args.steps
    cpu = (time.process_time() - cpu) / args.steps
    median = statistics.median(rates)
    flop_per_image = 2 * macs * (3 if mode == "train" else 1)
    print(f"bench side=pytorch model={name} input={'x'.join(map(str, dims))} batch={batch} mode={mode} "
          f"threads={torch.get_num_threads()} interop={torch.get_num_interop_threads()} omp_wait={omp_wait()} alloc={allocator()} "
          f"layout={'nhwc' if x.dim() == 4 and args.channels_last else 'nchw'} "
          f"{'precision=autocast-bf16 ' if args.autocast_bf16 else ''}"
          f"params={params} macs={macs} img_s_median={median:.2f} "
          f"img_s_min={min(rates):.2f} img_s_max={max(rates):.2f} gflops={median * flop_per_image / 1e9:.1f} "
          f"cpu_ms_per_step={cpu * 1000:.1f} faults_per_step={faults} rss_warm_mib={rss_warm:.0f} rss_end_mib={mib('VmRSS:'):.0f} peak_rss_mib={mib('VmHWM:'):.0f}",
          flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=DEFAULT_CASES)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=0, help="overrides every case's batch")
    p.add_argument("--matmul-only", action="store_true")
    p.add_argument("--no-matmul", action="store_true")
    p.add_argument("--list-cases", action="store_true", help="print the default cases and stop")
    p.add_argument("--channels-last", action="store_true", help="the batch stored (n, H, W, C), as the DJL "
                   "side stores it; slower in Debian's PyTorch 1.13 (README), so not the default")
    p.add_argument("--autocast-bf16", action="store_true", help="run each step under CPU autocast to bfloat16 "
                   "(mixed precision; DJL 0.35.1's PyTorch engine has no bfloat16, so the Java side has no twin)")
    p.add_argument("--profile", default="", help="one case: record the timed steps with PyTorch's profiler into "
                   "this Chrome trace file (scripts/profile_table.py sums it per operator)")
    args = p.parse_args()
    if args.list_cases:
        print(DEFAULT_CASES)
        return
    for name, value in (("threads", args.threads), ("steps", args.steps)):
        if value < 1:
            raise SystemExit(f"bench_torch.py: --{name} must be at least 1, got {value}")
    if args.warmup < 0 or args.batch < 0:
        raise SystemExit("bench_torch.py: --warmup and --batch must not be negative")
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        # Debian's torch multiplies matrices through the system BLAS (OpenBLAS once libopenblas0 is
        # installed), which reads its thread count when it loads: start again with it set.
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
        os.execve(sys.executable, [sys.executable, __file__] + sys.argv[1:], env)
    # Both settings before any parallel work: PyTorch fixes the inter-op pool when it first uses it.
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    if args.matmul_only:
        matmul(args.threads)
        return
    cases = [parse_case(c, args.batch) for c in args.models.split(",") if c.strip()]
    if not cases:
        raise SystemExit("bench_torch.py: --models named no case")
    if args.profile and len(cases) != 1:
        raise SystemExit(f"bench_torch.py: --profile records one case; --models gave {len(cases)}")
    if not args.no_matmul:
        # in a process of its own, so that its arrays do not count in a model's peak memory
        subprocess.run([sys.executable, __file__, "--matmul-only", "--threads", str(args.threads)], check=True)
    if len(cases) == 1:
        run_case(cases[0], args)
        return
    for text in (c for c in args.models.split(",") if c.strip()):
        subprocess.run([sys.executable, __file__, "--models", text, "--no-matmul", "--threads", str(args.threads),
                        "--steps", str(args.steps), "--warmup", str(args.warmup), "--batch", str(args.batch)]
                       + (["--autocast-bf16"] if args.autocast_bf16 else [])
                       + (["--channels-last"] if args.channels_last else []), check=True)


if __name__ == "__main__":
    main()
