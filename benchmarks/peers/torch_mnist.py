#!/usr/bin/env python3
"""The reference model in PyTorch on the CPU: 784 → 512 relu → 10, softmax cross-entropy from the logits, RMSprop
with Keras's constants (lr 1e-3, rho 0.9, eps 1e-7), batch 128, shuffled every epoch. The batches are sliced from
one tensor (no DataLoader), so the figure is PyTorch's own step cost. Prints one JSON object."""
import argparse, gzip, json, os, struct, time
import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"error: {path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, prefix):
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../samples/data/mnist"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    x, y = load(args.data, "train")
    tx, ty = load(args.data, "t10k")

    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x))
        for b in range(0, len(x), args.batch):
            index = order[b:b + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        start = time.perf_counter()
        predicted = model(tx).argmax(1)
        predict_s = time.perf_counter() - start
    measured = seconds[1:] if len(seconds) > 1 else seconds
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "epochs_s": seconds,
        "epoch_s": float(np.median(measured)), "predict_10k_s": predict_s,
        "test_accuracy": float((predicted == ty).float().mean()),
    }, indent=1))


if __name__ == "__main__":
    main()
