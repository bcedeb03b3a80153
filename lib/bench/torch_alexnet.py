"""Time the thesis AlexNet (lib/model/model.ts) in PyTorch: one RMSprop training step and one
forward pass on random data. Prints one JSON object. Used by `deno task bench`."""
import argparse
import json
import time

import torch
from torch import nn


def alexnet(classes=2, dropout=0.4):
    return nn.Sequential(
        nn.Conv2d(1, 96, 11, stride=4), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, 1000), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(1000, classes),
    )


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = alexnet()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(a.batch, 1, a.size, a.size)
    y = torch.randint(0, 2, (a.batch,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    train = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        train.append(time.perf_counter() - t)
    model.eval()
    fwd = []
    with torch.no_grad():
        model(x)
        for _ in range(a.steps):
            t = time.perf_counter()
            model(x)
            fwd.append(time.perf_counter() - t)
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "batch": a.batch, "size": a.size,
        "train_step_s": median(train), "forward_s": median(fwd),
    }))


if __name__ == "__main__":
    main()
