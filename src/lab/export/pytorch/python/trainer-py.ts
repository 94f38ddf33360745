// trainer.py of the exported PyTorch project: training and evaluation of one (model, seed) with DistributedDataParallel.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const TRAINER_PY = String.raw`"""Trains and evaluates one (model, seed) of the experiment, on every process of the run at once.

Each process trains on its shard of the training images (DistributedSampler) with DistributedDataParallel averaging
the gradients, so the experiment's batch size is the global batch: each of N processes takes batch / N images.
What the lab does around the epochs is done once, by rank 0: validation (after re-estimating BatchNorm statistics
on every rank), keeping the weights of the best validation loss, early stopping (its decision is broadcast), and the
final test evaluation on the best weights.
"""
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from data import ManifestImages, scale_pixels
from metrics import test_record
from models import build_model, count_params, factor_penalty
from results import make_record
from weights import load_weights


def weights_to_load(entry, seed, project, from_scratch):
    """(path, partial) pairs to load into a fresh model, in order: a transfer model's ImageNet backbone, then the lab's
    trained weights of this seed (for transfer models those hold the head, and any backbone layer that was tuned)."""
    files = []
    backbone = entry.get('backbone', {}).get('weights')
    if backbone:
        files.append((os.path.join(project, backbone), True))
    trained = entry.get('trained', {}).get(str(seed))
    if trained and not from_scratch:
        files.append((os.path.join(project, trained), entry['family'] == 'transfer'))
    return files


def prepare_model(entry, seed, experiment, project, from_scratch):
    """The model of 'entry', seeded (every process builds the same one) and with its exported weights loaded."""
    torch.manual_seed(seed)
    model = build_model(entry, experiment['hyperparameters'], len(experiment['classNames']))
    loaded = []
    for path, partial in weights_to_load(entry, seed, project, from_scratch):
        load_weights(model, path, partial)
        loaded.append(os.path.relpath(path, project))
    return model, loaded


def class_weights(spec, labels, classes):
    """Per-class loss weights: 'balanced' = n / (classes · n_c) over the training split, as Keras and the lab."""
    if spec is None:
        return None
    if spec == 'balanced':
        counts = np.bincount(labels, minlength=classes)
        spec = [0.0 if c == 0 else len(labels) / (classes * c) for c in counts]
    return torch.tensor(spec, dtype=torch.float32)


def weighted_loss(logits, labels, weights):
    """Mean cross-entropy; with class weights Σ w·loss / (number of non-zero weights), tfjs' default reduction."""
    losses = F.cross_entropy(logits, labels, reduction='none')
    if weights is None:
        return losses.mean()
    w = weights[labels]
    return (w * losses).sum() / (w != 0).sum().clamp(min=1)


def loader_of(dataset, batch, workers, device, sampler=None):
    """A DataLoader whose decoding workers (if any) live as long as it does, not one epoch."""
    return DataLoader(dataset, batch_size=batch, sampler=sampler, num_workers=workers,
                      persistent_workers=workers > 0, pin_memory=device.type == 'cuda')


def predict(model, loader, pixel_range, device):
    """Logits and labels of every image of the loader's dataset, in order, in inference mode."""
    model.eval()
    logits, labels = [], []
    with torch.no_grad():
        for images, y in loader:
            logits.append(model(scale_pixels(images.to(device), pixel_range)).float().cpu())
            labels.append(y)
    return torch.cat(logits), torch.cat(labels)


def recalibrate_batch_norm(model, loader, batches, pixel_range, device):
    """Replaces BatchNorm's lagging moving averages by the plain mean of 'batches' training batches' statistics
    (momentum None = cumulative average), with the weights as they are: the lab's remedy for Keras' momentum 0.99."""
    model.train()
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
    if not norms or batches < 1:
        return
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    with torch.no_grad():
        for i, (images, _) in enumerate(loader):
            if i >= batches:
                break
            model(scale_pixels(images.to(device), pixel_range))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum


def time_inference(model, hp, device, repeats=5):
    """Milliseconds per image and images per second of predict on batches of min(32, batch) images."""
    batch = min(32, hp['batchSize'])
    x = torch.rand(batch, hp['channels'], hp['size'], hp['size'], device=device)
    model.eval()
    with torch.no_grad():
        model(x)
        if device.type == 'cuda':
            torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(repeats):
            model(x)
        if device.type == 'cuda':
            torch.cuda.synchronize()
    ms = (time.perf_counter() - started) * 1000 / (repeats * batch)
    return {'msPerImage': ms, 'imagesPerSecond': 1000 / ms}


def train_one(entry, seed, experiment, ctx):
    """Runs one (model, seed) on this process; returns its result record on rank 0 and None elsewhere."""
    hp, names = experiment['hyperparameters'], experiment['classNames']
    rank, world, device = ctx['rank'], ctx['world'], ctx['device']
    log = ctx['log']
    pixel_range = entry['pixelRange']
    model, loaded = prepare_model(entry, seed, experiment, ctx['project'], ctx['from_scratch'])
    sizes = count_params(model)
    if rank == 0:
        start = f'starting from {", ".join(loaded)}' if loaded else 'from scratch'
        log(f'{entry["id"]} seed {seed}: {sizes[0]:,} parameters ({sizes[1]:,} trainable), {start}')
    if world > 1 and device.type == 'cuda' and entry['family'] != 'transfer':
        # BatchNorm over the global batch, as in a one-process run (SyncBatchNorm needs CUDA).
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model.to(device)

    splits = experiment['splits']
    dataset = lambda split: ManifestImages(ctx['data'], splits.get(split, []), names, hp['size'], hp['channels'])
    train_set, val_set, test_set = dataset('train'), dataset('val'), dataset('test')
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=seed)
    per_process = max(1, hp['batchSize'] // world)
    loader = loader_of(train_set, per_process, ctx['workers'], device, sampler)
    evaluation = lambda dataset: loader_of(dataset, hp['batchSize'], ctx['workers'] if rank == 0 else 0, device)
    val_loader, test_loader = evaluation(val_set), evaluation(test_set)
    log(f'{entry["id"]} seed {seed}: rank {rank}/{world} trains on {len(sampler)} of {len(train_set)} images per epoch, '
        f'{per_process} per batch', everywhere=True)
    net = model
    if world > 1:
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None,
                                      broadcast_buffers=entry['family'] != 'transfer')
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=hp['learningRate'], betas=(0.9, 0.999), eps=1e-7)
    weights = class_weights(hp.get('classWeights'), train_set.labels(), len(names))
    weights = weights.to(device) if weights is not None else None

    history, best, stale, train_ms, images_seen = [], None, 0, 0.0, 0
    started = time.perf_counter()
    for epoch in range(1, hp['epochs'] + 1):
        epoch_start = time.perf_counter()
        sampler.set_epoch(epoch)
        net.train()
        totals = torch.zeros(3, dtype=torch.float64, device=device)  # Σ loss·n, correct, n
        for images, labels in loader:
            x, y = scale_pixels(images.to(device, non_blocking=True), pixel_range), labels.to(device)
            logits = net(x)
            loss = weighted_loss(logits, y, weights) + factor_penalty(model)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            totals += torch.stack([loss.detach().double() * len(y), (logits.argmax(1) == y).sum().double(),
                                   torch.tensor(float(len(y)), dtype=torch.float64, device=device)])
        if world > 1:
            dist.all_reduce(totals)
        epoch_train_ms = (time.perf_counter() - epoch_start) * 1000
        train_ms += epoch_train_ms
        seen = int(totals[2])
        images_seen += seen
        recalibrate_batch_norm(model, loader, hp['batchNormRecalibrationBatches'], pixel_range, device)

        stop = torch.zeros(1, device=device)
        if rank == 0:
            row = {'epoch': epoch, 'loss': float(totals[0]) / seen, 'accuracy': float(totals[1]) / seen,
                   'valLoss': None, 'valAccuracy': None, 'imagesPerSec': seen / epoch_train_ms * 1000}
            if len(val_set) > 0:
                logits, labels = predict(model, val_loader, pixel_range, device)
                with torch.no_grad():
                    row['valLoss'] = float(F.cross_entropy(logits, labels)) + float(factor_penalty(model))
                row['valAccuracy'] = float((logits.argmax(1) == labels).float().mean())
            history.append(row)
            log(f'{entry["id"]} seed {seed}: epoch {epoch}/{hp["epochs"]}  loss {row["loss"]:.4f}  acc {row["accuracy"]:.3f}'
                + ('' if row['valLoss'] is None else f'  val_loss {row["valLoss"]:.4f}  val_acc {row["valAccuracy"]:.3f}')
                + f'  {row["imagesPerSec"]:.1f} img/s')
            # Best = lowest validation loss, or the latest epoch without validation (the lab's rule).
            score = row['valLoss'] if row['valLoss'] is not None else -epoch
            if best is None or score < best['score']:
                best = {'score': score, 'epoch': epoch, 'state': {k: v.detach().clone() for k, v in model.state_dict().items()}}
                stale = 0
            else:
                stale += 1
            patience = hp.get('patience')
            stop[0] = float(patience is not None and row['valLoss'] is not None and stale >= patience)
        if world > 1:
            dist.broadcast(stop, 0)
        if stop.item():
            break
    train_time_ms = (time.perf_counter() - started) * 1000

    record = None
    if rank == 0:
        if best is not None:
            model.load_state_dict(best['state'])
        logits, labels = predict(model, test_loader, pixel_range, device)
        losses = F.cross_entropy(logits, labels, reduction='none').numpy()
        test = test_record(torch.softmax(logits, 1).numpy(), labels.numpy(), losses, experiment['positiveClass'],
                           hp['threshold'], hp['bootstrapIterations'], seed)
        outcome = {
            'status': 'ok', 'history': history, 'bestEpoch': best['epoch'] if best else None,
            'trainTimeMs': train_time_ms, 'trainImagesPerSec': images_seen / train_ms * 1000 if train_ms > 0 else None,
            'inference': time_inference(model, hp, device), 'test': test,
        }
        record = make_record(entry, seed, hp, names, experiment['positiveClass'], sizes, outcome, ctx)
        saved = os.path.join(ctx['models_dir'], f'{entry["id"]}-seed{seed}.pt')
        os.makedirs(ctx['models_dir'], exist_ok=True)
        torch.save(model.state_dict(), saved)
        auc = test['auc']
        log(f'{entry["id"]} seed {seed}: test accuracy {test["accuracy"]:.3f}, AUC {"—" if auc is None else f"{auc:.3f}"} '
            f'(best epoch {outcome["bestEpoch"]}); weights in {saved}')
    if world > 1:
        dist.barrier()
    return record
`;
