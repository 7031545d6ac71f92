#!/usr/bin/env python3
"""Reference files for the weights tests, made with Debian's python3-torch and python3-torchvision.

  make  --out DIR --models resnet18,resnet50 [--all-formats resnet18] [--size 64] [--batch 2] [--seed 0]
        for each model: torchvision's network with random weights and random BatchNorm statistics
        (so that inference-mode BatchNorm is not the identity), saved with torch.save as MODEL.pth
        (--all-formats: also as MODEL.safetensors, written here with Hugging Face's metadata, MODEL.npz,
        MODEL-checkpoint.pth: {"epoch", "state_dict"} with DataParallel's "module." names and a strided
        fc.weight, and MODEL-half.pth in float16);
        a random input and the model's logits in inference mode in MODEL-io.npz
  check --model NAME --weights FILE --input IO.npz --out OUT.npz [--classes N]
        loads FILE (.pth or .safetensors) into torchvision's NAME with strict load_state_dict and
        writes the logits of IO.npz's input to OUT.npz

Run by resnet.weights.TorchvisionWeightsTest; nothing here downloads anything.
"""
import argparse
import json
import struct

import numpy as np
import torch
import torchvision


def randomise(model, generator):
    """Random BatchNorm affine parameters and running statistics, and a random head bias."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                n = module.num_features
                module.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(n, generator=generator) * 0.1)
                module.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
                module.num_batches_tracked.fill_(7)
        model.fc.bias.copy_(torch.randn(model.fc.out_features, generator=generator) * 0.1)


def write_safetensors(path, state):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name, tensor in state.items():
        array = tensor.detach().cpu().contiguous().numpy()
        dtype = {np.float32: "F32", np.int64: "I64"}[array.dtype.type]
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}[entry["dtype"]]
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(entry["shape"])
        state[name] = torch.from_numpy(array.copy())
    return state


def make(args):
    for name in args.models.split(","):
        generator = torch.Generator().manual_seed(args.seed)
        torch.manual_seed(args.seed)
        model = getattr(torchvision.models, name)(weights=None)
        randomise(model, generator)
        model.eval()
        x = torch.randn(args.batch, 3, args.size, args.size, generator=generator)
        with torch.no_grad():
            logits = model(x)
        state = model.state_dict()
        torch.save(state, f"{args.out}/{name}.pth")
        if name in args.all_formats.split(","):
            write_safetensors(f"{args.out}/{name}.safetensors", state)
            np.savez(f"{args.out}/{name}.npz", **{k: v.numpy() for k, v in state.items()})
            # a training checkpoint around a DataParallel state dict, with a transposed (strided) head
            wrapped = {"module." + k: v for k, v in state.items()}
            wrapped["module.fc.weight"] = state["fc.weight"].t().contiguous().t()
            torch.save({"epoch": 3, "state_dict": wrapped}, f"{args.out}/{name}-checkpoint.pth")
            half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
            torch.save(half, f"{args.out}/{name}-half.pth")
        np.savez(f"{args.out}/{name}-io.npz", input=x.numpy(), logits=logits.numpy())
        print(f"{name}: {len(state)} tensors, logits {tuple(logits.shape)}")


def check(args):
    if args.weights.endswith(".safetensors"):
        state = read_safetensors(args.weights)
    else:
        state = torch.load(args.weights, map_location="cpu")
    model = getattr(torchvision.models, args.model)(weights=None, num_classes=args.classes)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.from_numpy(np.load(args.input)["input"])
    with torch.no_grad():
        logits = model(x)
    np.savez(args.out, logits=logits.numpy())
    print(f"{args.model}: loaded {len(state)} tensors strictly, logits {tuple(logits.shape)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--models", required=True)
    m.add_argument("--all-formats", default="", help="models also saved as .safetensors and .npz")
    m.add_argument("--size", type=int, default=64)
    m.add_argument("--batch", type=int, default=2)
    m.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("check")
    c.add_argument("--model", required=True)
    c.add_argument("--weights", required=True)
    c.add_argument("--input", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--classes", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    make(args) if args.command == "make" else check(args)


if __name__ == "__main__":
    main()
