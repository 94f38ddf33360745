#!/usr/bin/python3
"""`npm run bench -- twin-shift`: the lab's Conv2D CNN against its PyTorch twin (../shared/tools/torch-twin.py) on the
same images, in distribution and under the shift stand-ins (issue 25's "why does the lab's CNN trail its twin").

For each seed both train on the same patient-level folders: a held-out 20 % of the patients of the Kermany training
folder is the test set (split seed 12345), and the twin's own 10 % validation split (per seed) is handed to the lab as
a val/ folder (`--keep-val`), so the two differ only in their training code. The lab trains through
`xray-lab compare` (any extra settings with --lab-args); the twin through the shared tool's own train_one. Then every
model is scored here, by one PyTorch implementation of the CNN (the lab's weights are read from its TF.js model.json),
on the twin's decoded test pixels under the recipe bench's stand-ins, written after src/lab/shift/image-shifts.ts
(gamma, contrast, brightness, blur, noise from numpy's generator, zoom, a NORMAL-heavy mix), as trained and with
test-time BatchNorm adaptation on shuffled (mixed-class), near-equal batches.

Run with Debian's interpreter (python3-torch), from the project root:
    /usr/bin/python3 bench/twin-shift/twin_shift.py --seeds 1,2,3 --size 64 --epochs 5
Prints Markdown tables and writes bench/results/twin-shift-<time>.json.
"""
import argparse
import copy
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
TWIN_PATH = os.path.join(SHARED, "tools", "torch-twin.py")
DATA = os.path.join(SHARED, "data", "chest-xray-224", "train")
TEST_SPLIT_SEED = 12345
CNN_LAYERS = [f"block{b}_conv{c}" for b in (1, 2, 3) for c in (1, 2, 3)]


def load_twin():
    spec = importlib.util.spec_from_file_location("torch_twin", TWIN_PATH)
    twin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(twin)
    return twin


def link(src, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if not os.path.lexists(dest):
        os.symlink(src, dest)


def make_folders(twin, work, seeds):
    """work/test (held-out patients), work/pool (the rest) and per seed work/ds-SEED/{train,val} (the twin's split)."""
    files, labels = twin.list_split(DATA)
    pool, test = twin.patient_split(files, labels, 0.2, TEST_SPLIT_SEED)
    for part, idx in (("pool", pool), ("test", test)):
        for i in idx:
            link(os.path.join(DATA, files[i]), os.path.join(work, part, files[i]))
    pool_files, pool_labels = twin.list_split(os.path.join(work, "pool"))
    for seed in seeds:
        _, val = twin.patient_split(pool_files, pool_labels, 0.10, seed)
        val = {pool_files[i] for i in val}
        for f in pool_files:
            link(os.path.join(DATA, f), os.path.join(work, f"ds-{seed}", "val" if f in val else "train", f))


def train_lab(twin, work, seed, args):
    out = os.path.join(work, f"lab-{seed}")
    cmd = [
        "node", os.path.join(ROOT, "bin", "xray-lab.mjs"), "compare", "--data", os.path.join(work, f"ds-{seed}"),
        "--keep-val", "--test", os.path.join(work, "test"), "--size", str(args.size), "--epochs", str(args.epochs),
        "--seeds", str(seed), "--models", "cnn", "--bootstrap", "0", "--json", "--out", out,
        # The twin follows the study's protocol; so does the lab here, whatever its default recipe.
        "--recipe", "study", *args.lab_args.split(),
    ]
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return lab_cnn(twin, os.path.join(out, "models", "cnn"))


def lab_cnn(twin, folder):
    """The lab's trained CNN as the twin's ConvNet: TF.js HWIO kernels to OIHW, the BatchNorm moving statistics too."""
    with open(os.path.join(folder, "model.json")) as f:
        manifest = json.load(f)["weightsManifest"]
    weights = {}
    for group in manifest:  # each group's shards are one buffer, its weights in order
        buffer = b"".join(open(os.path.join(folder, path), "rb").read() for path in group["paths"])
        offset = 0
        for entry in group["weights"]:
            n = int(np.prod(entry["shape"]))
            weights[entry["name"]] = np.frombuffer(buffer, np.float32, n, offset).reshape(entry["shape"]).copy()
            offset += 4 * n
    if weights["block1_conv1/kernel"].shape[2] != 3:
        raise SystemExit("twin-shift compares 3-channel models (the twin's input); leave --channels at 3")
    net = twin.ConvNet()
    convs = [m for m in net.features if isinstance(m, nn.Conv2d)]
    norms = [m for m in net.features if isinstance(m, nn.BatchNorm2d)]
    def t(array):
        return torch.from_numpy(array)

    def put(param, array):
        # copy_ would broadcast a mis-shaped array; a mismatch must stop the bench instead
        assert tuple(param.shape) == array.shape, f"{tuple(param.shape)} vs {array.shape}"
        param.copy_(t(array))

    with torch.no_grad():
        for name, conv, bn in zip(CNN_LAYERS, convs, norms, strict=True):
            put(conv.weight, weights[f"{name}/kernel"].transpose(3, 2, 0, 1).copy())
            put(conv.bias, weights[f"{name}/bias"])
            put(bn.weight, weights[f"{name}_bn/gamma"])
            put(bn.bias, weights[f"{name}_bn/beta"])
            put(bn.running_mean, weights[f"{name}_bn/moving_mean"])
            put(bn.running_var, weights[f"{name}_bn/moving_variance"])
        put(net.fc.weight, weights["logits/kernel"].T.copy())
        put(net.fc.bias, weights["logits/bias"])
    return net


def train_twin(twin, work, seed, args, test):
    """The shared tool's own training (its protocol, its best-epoch restore); the model is caught as it is built."""
    made = []
    make_model = twin.make_model
    cache = os.path.join(work, "twin-cache")
    xtr, ytr, _, _ = twin.load_split(f"train-{seed}", os.path.join(work, f"ds-{seed}", "train"), args.size, cache)
    xva, yva, _, _ = twin.load_split(f"val-{seed}", os.path.join(work, f"ds-{seed}", "val"), args.size, cache)
    opts = argparse.Namespace(seed=seed, init="keras", lr=1e-3, adam_eps=1e-7, class_weights="none", epochs=args.epochs,
                              batch=32, bn_variants=False)
    twin.make_model = lambda name: made.append(make_model(name)) or made[-1]
    try:
        twin.train_one("cnn", (xtr, ytr, xva, yva, *test), opts, lambda m: print(m, flush=True))
    finally:
        twin.make_model = make_model
    return made[-1]


def round_half_up(x):
    """Math.round, as the lab's shifts round (numpy's round sends halves to the even neighbour)."""
    return np.floor(x + 0.5)


def shifts(size):
    def table(f):
        t = round_half_up(np.clip(f(np.arange(256) / 255.0), 0, 1) * 255)
        return lambda a: t[a.astype(np.int64)]

    def blur(a, sigma=1.0):
        r = int(np.ceil(3 * sigma))
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        k /= k.sum()
        p = np.pad(a, ((0, 0), (r, r), (r, r)), mode="edge")
        rows = sum(k[i] * p[:, :, i:i + size] for i in range(2 * r + 1))
        return sum(k[i] * rows[:, i:i + size, :] for i in range(2 * r + 1))

    def zoom(a, factor=1.15):
        centre = (size - 1) / 2
        g = np.clip(centre + (np.arange(size) - centre) / factor, 0, size - 1)
        i0 = np.floor(g).astype(np.int64)
        i1 = np.minimum(i0 + 1, size - 1)
        w = g - i0
        rows = a[:, i0, :] * (1 - w)[None, :, None] + a[:, i1, :] * w[None, :, None]
        return rows[:, :, i0] * (1 - w)[None, None, :] + rows[:, :, i1] * w[None, None, :]

    noise = np.random.default_rng(0x5EED)
    return {
        "none": lambda a: a,
        "gamma 1.5": table(lambda v: v ** 1.5),
        "gamma 0.67": table(lambda v: v ** 0.67),
        "contrast 0.7": table(lambda v: 0.5 + 0.7 * (v - 0.5)),
        "brightness +0.1": table(lambda v: v + 0.1),
        "blur σ1": blur,
        "noise σ0.03": lambda a: a + noise.normal(0, 0.03 * 255, a.shape),
        "zoom ×1.15": zoom,
    }


def score(twin, net, pixels, labels, adapt):
    pixels = np.clip(round_half_up(pixels), 0, 255).astype(np.uint8)
    model = copy.deepcopy(net)
    if adapt:
        # AdaBN over shuffled batches: class-sorted batches (a folder read in order) would each hold one class, and
        # the average of their statistics then misses the variance between the classes.
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()
                m.momentum = None
        model.train()
        # Near-equal batches of at most 32, as the lab's adaptation: momentum None averages batches alike, so a short
        # last batch would count as much as a full one.
        order = np.random.default_rng(7).permutation(len(pixels))
        with torch.no_grad():
            for batch in np.array_split(order, -(-len(pixels) // 32)):
                model(twin.to_batch(pixels[batch]))
    prob = torch.softmax(twin.predict(model, pixels), 1)[:, 1].numpy()
    m = twin.metrics(labels, prob)
    return {"accuracy": m["accuracy"], "auc": m["auc"], "sensitivity": m["sensitivity"], "specificity": m["specificity"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lab-args", default="", help="extra xray-lab compare settings, e.g. '--bn-recalibrate 0'")
    ap.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "xray-lab-twin-shift"))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if not os.path.isdir(DATA) or not os.path.isfile(TWIN_PATH):
        print(f"needs {DATA} and {TWIN_PATH} (../shared beside the project)")
        return 2
    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    twin = load_twin()
    make_folders(twin, args.work, seeds)
    test_x, test_y, _, _ = twin.load_split("test", os.path.join(args.work, "test"), args.size,
                                           os.path.join(args.work, "twin-cache"))
    models = {}
    for seed in seeds:
        models[("lab", seed)] = train_lab(twin, args.work, seed, args)
        models[("twin", seed)] = train_twin(twin, args.work, seed, args, (test_x, test_y))

    cases = {name: (f(test_x.astype(np.float64)), test_y) for name, f in shifts(args.size).items()}
    pos, neg = np.flatnonzero(test_y == 1), np.flatnonzero(test_y == 0)
    mix = np.sort(np.concatenate([neg, np.random.default_rng(1).choice(pos, len(neg) // 3, replace=False)]))
    cases["PNEUMONIA 0.25"] = (test_x[mix].astype(np.float64), test_y[mix])

    rows = []
    for (who, seed), net in models.items():
        for adapt in (False, True):
            for case, (pixels, labels) in cases.items():
                rows.append({"trainer": who, "seed": seed, "adaptBn": adapt, "shift": case,
                             **score(twin, net, pixels, labels, adapt)})
    for adapt in (False, True):
        print(f"\n### {'with test-time BatchNorm adaptation' if adapt else 'as trained'}: "
              f"AUC / accuracy / specificity, mean of seeds {args.seeds}")
        print("| trainer | " + " | ".join(cases) + " |")
        print("|---|" + "---|" * len(cases))
        for who in ("lab", "twin"):
            cells = []
            for case in cases:
                sel = [r for r in rows if r["trainer"] == who and r["adaptBn"] == adapt and r["shift"] == case]
                mean = {k: float(np.mean([r[k] for r in sel])) for k in ("auc", "accuracy", "specificity")}
                cells.append(f"{mean['auc']:.3f} / {mean['accuracy']:.3f} / {mean['specificity']:.2f}")
            print(f"| {who} | " + " | ".join(cells) + " |")
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    out = os.path.join(ROOT, "bench", "results", f"twin-shift-{time.strftime('%Y%m%dT%H%M%S')}.json")
    with open(out, "w") as f:
        json.dump({"settings": vars(args), "testImages": int(len(test_y)), "rows": rows}, f, indent=1)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
