// metrics.py of the exported PyTorch project: the lab's test metrics (counts at a threshold, ROC AUC with ties, bootstrap intervals, confusion).
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const METRICS_PY = String.raw`"""Test-set metrics exactly as X-Ray Lab defines them (src/lab/eval/): positive-vs-rest counts at a threshold on
P(positive), rates that are None when undefined (0/0), ROC AUC with ties counted ½, percentile-bootstrap 95%
intervals of accuracy and AUC, and the argmax confusion matrix (rows = true class).
"""
import numpy as np


def ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def roc_auc(is_positive, scores, weights=None):
    """P(score of a positive > score of a negative) + ½ P(tie); None when either class is absent."""
    w = np.ones(len(scores)) if weights is None else weights
    order = np.argsort(-scores, kind='mergesort')
    s, pos, w = scores[order], is_positive[order].astype(np.float64), w[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])  # tie groups, highest score first
    pos_g = np.add.reduceat(w * pos, starts)
    neg_g = np.add.reduceat(w * (1 - pos), starts)
    p, n = pos_g.sum(), neg_g.sum()
    if p == 0 or n == 0:
        return None
    above = np.cumsum(pos_g) - pos_g
    return float(np.sum(neg_g * (2 * above + pos_g)) / (2 * p * n))


def bootstrap(is_positive, scores, threshold, iterations, seed, level=0.95):
    """Percentile-bootstrap intervals (NumPy's generator, so the resamples differ from the lab's own)."""
    rng = np.random.default_rng(seed)
    n = len(scores)
    correct = ((scores >= threshold) == is_positive).astype(np.float64)
    accuracies, aucs = [], []
    for _ in range(iterations):
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        accuracies.append(float(counts @ correct) / n)
        auc = roc_auc(is_positive, scores, counts)
        if auc is not None:
            aucs.append(auc)
    tail = (1 - level) / 2
    interval = lambda v: {'low': float(np.quantile(v, tail)), 'high': float(np.quantile(v, 1 - tail))}
    return {'level': level, 'iterations': iterations, 'accuracy': interval(accuracies), 'auc': interval(aucs) if aucs else None}


def test_record(probabilities, labels, losses, positive, threshold, bootstrap_iterations, seed):
    """The 'test' part of a results.json record. probabilities: n×classes softmax; labels: n class indices;
    losses: n cross-entropies (natural log)."""
    classes = probabilities.shape[1]
    scores = probabilities[:, positive]
    is_positive = labels == positive
    called = scores >= threshold
    tp = int(np.sum(called & is_positive))
    fp = int(np.sum(called & ~is_positive))
    tn = int(np.sum(~called & ~is_positive))
    fn = int(np.sum(~called & is_positive))
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (labels, probabilities.argmax(axis=1)), 1)  # argmax keeps the first of a tie
    return {
        'count': int(len(labels)),
        'accuracy': ratio(tp + tn, tp + fp + tn + fn),
        'sensitivity': ratio(tp, tp + fn),
        'specificity': ratio(tn, tn + fp),
        'precision': ratio(tp, tp + fp),
        'f1': ratio(2 * tp, 2 * tp + fp + fn),
        'npv': ratio(tn, tn + fn),
        'auc': roc_auc(is_positive, scores),
        'loss': float(np.mean(losses)),
        'threshold': threshold,
        'confusion': confusion.tolist(),
        'tp': tp, 'fp': fp, 'tn': tn, 'fn': fn,
        'ci': bootstrap(is_positive, scores, threshold, bootstrap_iterations, seed) if bootstrap_iterations > 0 else None,
    }
`;
