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


def train_epoch(net, model, loader, optimizer, weights, pixel_range, device):
    """One pass over this process's shard; returns [Σ loss·n, correct, n] summed over every process."""
    net.train()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    for images, labels in loader:
        x, y = scale_pixels(images.to(device, non_blocking=True), pixel_range), labels.to(device)
        logits = net(x)
        loss = weighted_loss(logits, y, weights) + factor_penalty(model)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        totals += torch.stack([loss.detach().double() * len(y), (logits.argmax(1) == y).sum().double(),
                               torch.tensor(float(len(y)), dtype=torch.float64, device=device)])
    if dist.is_initialized():
        dist.all_reduce(totals)
    return totals.tolist()


def validate(model, loader, pixel_range, device):
    """(loss, accuracy) in inference mode; the loss adds the factor penalty, as Keras' val_loss and the lab's."""
    logits, labels = predict(model, loader, pixel_range, device)
    with torch.no_grad():
        loss = float(F.cross_entropy(logits, labels)) + float(factor_penalty(model))
    return loss, float((logits.argmax(1) == labels).float().mean())


def test_metrics(model, loader, pixel_range, device, experiment, seed):
    """The test part of the record, on the model as it is."""
    hp = experiment['hyperparameters']
    logits, labels = predict(model, loader, pixel_range, device)
    losses = F.cross_entropy(logits, labels, reduction='none').numpy()
    return test_record(torch.softmax(logits, 1).numpy(), labels.numpy(), losses, experiment['positiveClass'],
                       hp['threshold'], hp['bootstrapIterations'], seed)


def stages_of(entry, hp):
    """(stage, epochs, learning rate) of each training stage. A transfer model whose experiment fine-tunes
    (fineTuneEpochs > 0 and a backbone with a fine-tuning plan: InceptionV3) trains its head first, then its top
    blocks with the head at a smaller learning rate, as the lab does; other models have one stage."""
    stages = [('train', hp['epochs'], hp['learningRate'])]
    tune = entry.get('backbone', {}).get('fineTune')
    if tune and hp.get('fineTuneEpochs', 0) > 0 and hp['epochs'] > 0:
        stages.append(('fine-tune', hp['fineTuneEpochs'], hp['learningRate'] * tune['learningRateFactor']))
    return stages


def share_weights(model, world):
    """Every process takes rank 0's parameters and buffers (rank 0 alone restored the best epoch's)."""
    if world > 1:
        for tensor in model.state_dict().values():
            dist.broadcast(tensor, 0)


def train_one(entry, seed, experiment, ctx):
    """Runs one (model, seed) on this process; returns its result record on rank 0 and None elsewhere."""
    hp, names = experiment['hyperparameters'], experiment['classNames']
    rank, world, device, log = ctx['rank'], ctx['world'], ctx['device'], ctx['log']
    name, pixel_range = f'{entry["id"]} seed {seed}', entry['pixelRange']
    model, loaded = prepare_model(entry, seed, experiment, ctx['project'], ctx['from_scratch'])
    sizes = count_params(model)
    if rank == 0:
        log(f'{name}: {sizes[0]:,} parameters ({sizes[1]:,} trainable), '
            + (f'starting from {", ".join(loaded)}' if loaded else 'from scratch'))
    if world > 1 and device.type == 'cuda' and entry['family'] != 'transfer':
        # BatchNorm over the global batch, as in a one-process run (SyncBatchNorm needs CUDA).
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model.to(device)

    split = lambda s: ManifestImages(ctx['data'], experiment['splits'].get(s, []), names, hp['size'], hp['channels'])
    train_set, val_set, test_set = split('train'), split('val'), split('test')
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=seed)
    per_process = max(1, hp['batchSize'] // world)
    loader = loader_of(train_set, per_process, ctx['workers'], device, sampler)
    # Only rank 0 validates and tests.
    val_loader, test_loader = (loader_of(s, hp['batchSize'], ctx['workers'] if rank == 0 else 0, device) for s in (val_set, test_set))
    log(f'{name}: rank {rank}/{world} trains on {len(sampler)} of {len(train_set)} images per epoch, {per_process} per batch',
        everywhere=True)
    weights = class_weights(hp.get('classWeights'), train_set.labels(), len(names))
    weights = weights.to(device) if weights is not None else None

    stages = stages_of(entry, hp)
    planned = sum(epochs for _, epochs, _ in stages)
    history, best_epoch, train_ms, images_seen, epochs_run = [], None, 0.0, 0, 0
    started = time.perf_counter()
    for stage, epochs, learning_rate in stages:
        if stage == 'fine-tune':
            tune = entry['backbone']['fineTune']
            model.fine_tune()
            share_weights(model, world)  # every process goes on from rank 0's best epoch of the head's stage
            tuned = sum(p.numel() for p in model.tuned_parameters())
            log(f'{name}: fine-tuning {tune["blocks"]} with the head ({tuned:,} more trainable parameters, '
                f'BatchNorm frozen) for {epochs} epoch(s) at lr {learning_rate:g}')
        # A new optimiser and DDP wrapper per stage: they take the parameters that train in it.
        net = model
        if world > 1:
            net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None,
                                          broadcast_buffers=entry['family'] != 'transfer')
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=learning_rate,
                                     betas=(0.9, 0.999), eps=1e-7)
        best, stale = None, 0  # each stage keeps its own best epoch and patience, as the lab
        # Epochs are numbered on through the stages, alike on every process (the sampler's shuffle depends on it).
        for epoch in range(epochs_run + 1, epochs_run + epochs + 1):
            epochs_run = epoch
            epoch_start = time.perf_counter()
            sampler.set_epoch(epoch)
            loss_sum, correct, seen = train_epoch(net, model, loader, optimizer, weights, pixel_range, device)
            epoch_ms = (time.perf_counter() - epoch_start) * 1000
            train_ms += epoch_ms
            images_seen += seen
            recalibrate_batch_norm(model, loader, hp['batchNormRecalibrationBatches'], pixel_range, device)

            stop = torch.zeros(1, device=device)
            if rank == 0:
                val_loss, val_accuracy = (validate(model, val_loader, pixel_range, device) if len(val_set)
                                          else (None, None))
                row = {'epoch': epoch, 'loss': loss_sum / seen, 'accuracy': correct / seen, 'valLoss': val_loss,
                       'valAccuracy': val_accuracy, 'imagesPerSec': seen / epoch_ms * 1000}
                history.append(row)
                log(f'{name}: epoch {epoch}/{planned}  loss {row["loss"]:.4f}  acc {row["accuracy"]:.3f}'
                    + ('' if val_loss is None else f'  val_loss {val_loss:.4f}  val_acc {val_accuracy:.3f}')
                    + f'  {row["imagesPerSec"]:.1f} img/s')
                # Best = lowest validation loss, or the latest epoch without validation (the lab's rule).
                score = val_loss if val_loss is not None else -epoch
                if best is None or score < best['score']:
                    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    best = {'score': score, 'epoch': epoch, 'state': state}
                    stale = 0
                else:
                    stale += 1
                stop[0] = float(hp.get('patience') is not None and val_loss is not None and stale >= hp['patience'])
            if world > 1:
                dist.broadcast(stop, 0)  # every process stops at the same epoch
            if stop.item():
                break
        if rank == 0 and best is not None:
            model.load_state_dict(best['state'])
            best_epoch = best['epoch']
        del net
    train_time_ms = (time.perf_counter() - started) * 1000

    record = None
    if rank == 0:
        test = test_metrics(model, test_loader, pixel_range, device, experiment, seed)
        outcome = {
            'status': 'ok', 'history': history, 'bestEpoch': best_epoch, 'epochsPlanned': planned,
            'trainTimeMs': train_time_ms, 'trainImagesPerSec': images_seen / train_ms * 1000 if train_ms > 0 else None,
            'inference': time_inference(model, hp, device), 'test': test,
        }
        record = make_record(entry, seed, hp, names, experiment['positiveClass'], sizes, outcome, ctx)
        os.makedirs(ctx['models_dir'], exist_ok=True)
        saved = os.path.join(ctx['models_dir'], f'{entry["id"]}-seed{seed}.pt')
        torch.save(model.state_dict(), saved)
        auc = test['auc']
        log(f'{name}: test accuracy {test["accuracy"]:.3f}, AUC {"—" if auc is None else f"{auc:.3f}"} '
            f'(best epoch {outcome["bestEpoch"]}); weights in {saved}')
    if world > 1:
        dist.barrier()
    return record
`;
