/**
 * The recipe bench's ablation summary: per variant, held out, the mean and worst of the shifted stand-ins, the
 * screening mix, and how many shifted stand-ins it wins against study — from the rows alone.
 */
import { describe, expect, it } from 'vitest';
import { formatAblationSummary } from '../../bench/recipe/index';

type Seed = number | 'ensemble';
const row = (variant: string, seed: Seed, standIn: string, accuracy: number, auc: number) => ({
  variant,
  model: 'cnn',
  seed,
  standIn,
  accuracy,
  auc,
  sensitivity: NaN,
  specificity: NaN,
});

describe('formatAblationSummary', () => {
  it('averages seeds, keeps the ensemble apart, finds the worst shift and counts the wins over study', () => {
    const rows = [
      row('study', 1, 'held out', 0.9, 0.95),
      row('study', 2, 'held out', 0.8, 0.85),
      row('study', 1, 'blur', 0.7, 0.9),
      row('study', 2, 'blur', 0.7, 0.9),
      row('study', 1, 'PNEUMONIA 0.25', 0.6, 0.8),
      row('study', 2, 'PNEUMONIA 0.25', 0.6, 0.8),
      row('robust', 1, 'held out', 0.8, 0.9),
      row('robust', 1, 'blur', 0.75, 0.85),
      row('robust', 1, 'PNEUMONIA 0.25', 0.9, 0.95),
      row('robust', 'ensemble', 'held out', 0.85, 0.95),
      row('robust', 'ensemble', 'blur', 0.8, 0.95),
      row('robust', 'ensemble', 'PNEUMONIA 0.25', 0.95, 0.97),
    ];
    const table = formatAblationSummary(rows, ['study', 'robust'], ['cnn'], ['held out', 'blur', 'PNEUMONIA 0.25']);
    const lines = table.split('\n');
    expect(lines[0]).toBe('accuracy / AUC, mean over seeds (2 shifted stand-ins)');
    expect(lines).toContain('| study | 0.850 / 0.900 | 0.650 / 0.850 | 0.600 | 0.600 / 0.800 | – |');
    // robust: blur acc up, AUC down; the mix both up.
    expect(lines).toContain('| robust | 0.800 / 0.900 | 0.825 / 0.900 | 0.750 | 0.900 / 0.950 | 2 / 1 of 2 |');
    expect(lines).toContain(
      '| robust (ensemble) | 0.850 / 0.950 | 0.875 / 0.960 | 0.800 | 0.950 / 0.970 | 2 / 2 of 2 |',
    );
  });

  it('prints a dash, not NaN, where a model has no shifted stand-in', () => {
    const table = formatAblationSummary([row('study', 1, 'held out', 0.9, 0.95)], ['study'], ['cnn'], ['held out']);
    expect(table).toContain('| study | 0.900 / 0.950 | – | – | – | – |');
    expect(table).not.toContain('NaN');
  });
});
