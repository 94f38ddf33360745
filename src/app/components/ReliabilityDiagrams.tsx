/**
 * A reliability diagram per model: the test images binned by P(positive), each bin's share of truly
 * positive images against the mean probability the model gave them. On the diagonal, a probability can be taken at
 * its word; below it the model over-calls the positive class. With the ECE and Brier score, and the share of the
 * positive class the model was trained for next to the share its posteriors imply for the test images.
 */
import { memo } from 'react';
import type { ModelResult } from '../../worker/protocol';
import { sameProps } from '../lib/same-props';

interface Props {
  /** One run per model (the seed the confusion matrices show), as the table shows it (adapted or not). */
  runs: { modelId: string; label: string; result: ModelResult }[];
  positive: string;
  /** True when the runs are shown as before test-time adaptation. */
  unadapted: boolean;
}

const SIDE = 180;
const PAD = 36;
const at = (v: number) => PAD + v * SIDE;
const up = (v: number) => PAD + (1 - v) * SIDE;
/** Ticks on both axes, with faint grid lines: with only 0 and 1 marked, no dot could be read off. */
const TICKS = [0, 0.25, 0.5, 0.75, 1];

function ReliabilityDiagramsView({ runs, positive, unadapted }: Props) {
  const drawn = runs.filter((r) => r.result.record.test?.calibration);
  if (drawn.length === 0) return null;
  return (
    <>
      <h3>Calibration{unadapted ? ' (before test-time adaptation)' : ''}</h3>
      <p className="note">
        Each dot is a group of test images with similar P({positive}): how many of them truly are {positive} (up)
        against the probability the model gave them (across). On the diagonal the probabilities can be taken at their
        word; below it the model calls {positive} too readily. ECE is the mean distance from the diagonal, weighted by
        images.
      </p>
      <div className="confusion-grid" data-testid="reliability-diagrams">
        {drawn.map(({ modelId, label, result }) => {
          const c = result.record.test!.calibration!;
          const prior = result.record.prior;
          const estimated = unadapted ? prior?.estimatedPrevalenceBeforeAdaptation : prior?.estimatedPrevalence;
          const filled = c.bins.filter((b) => b.count > 0 && b.meanPredicted != null && b.observedRate != null);
          return (
            <figure
              key={modelId}
              className="chart-card"
              data-testid={`reliability-${modelId}`}
              data-ece={c.ece ?? undefined}
              data-bins={filled.length}
            >
              <figcaption>
                {label}{' '}
                <span className="muted">
                  ECE {fmt(c.ece)} · Brier {fmt(c.brier)}
                </span>
              </figcaption>
              <svg
                viewBox={`0 0 ${SIDE + 2 * PAD} ${SIDE + 2 * PAD}`}
                width={SIDE + 2 * PAD}
                height={SIDE + 2 * PAD}
                role="img"
                aria-label={`Reliability diagram of ${label}: ECE ${fmt(c.ece)}`}
              >
                <rect
                  x={at(0)}
                  y={up(1)}
                  width={SIDE}
                  height={SIDE}
                  fill="none"
                  stroke="currentColor"
                  strokeOpacity={0.3}
                />
                <line
                  x1={at(0)}
                  y1={up(0)}
                  x2={at(1)}
                  y2={up(1)}
                  stroke="currentColor"
                  strokeOpacity={0.4}
                  strokeDasharray="4 3"
                />
                {filled.map((b) => (
                  <rect
                    key={`bar-${b.lower}`}
                    x={at(b.lower) + 1}
                    width={SIDE * (b.upper - b.lower) - 2}
                    y={up(b.observedRate!)}
                    height={SIDE * b.observedRate!}
                    fill="currentColor"
                    fillOpacity={0.12}
                  />
                ))}
                <polyline
                  fill="none"
                  stroke="currentColor"
                  strokeWidth={1.5}
                  points={filled.map((b) => `${at(b.meanPredicted!)},${up(b.observedRate!)}`).join(' ')}
                />
                {filled.map((b) => (
                  <circle
                    key={`dot-${b.lower}`}
                    cx={at(b.meanPredicted!)}
                    cy={up(b.observedRate!)}
                    r={2 + Math.min(4, Math.sqrt(b.count) / 3)}
                    fill="currentColor"
                  >
                    <title>{`${b.count} images with P in [${b.lower.toFixed(1)}, ${b.upper.toFixed(1)}): mean P ${fmt(b.meanPredicted)}, truly ${positive} ${fmt(b.observedRate)}`}</title>
                  </circle>
                ))}
                <text x={at(0.5)} y={up(0) + 20} textAnchor="middle" fontSize={10} fill="currentColor">
                  mean P({positive})
                </text>
                <text
                  x={8}
                  y={up(0.5)}
                  textAnchor="middle"
                  fontSize={10}
                  fill="currentColor"
                  transform={`rotate(-90 8 ${up(0.5)})`}
                >
                  share truly {positive}
                </text>
                {TICKS.map((t) => (
                  <g key={`tick-${t}`} className="tick" data-tick={t}>
                    {t > 0 && t < 1 && (
                      <line x1={at(t)} y1={up(0)} x2={at(t)} y2={up(1)} stroke="currentColor" strokeOpacity={0.1} />
                    )}
                    {t > 0 && t < 1 && (
                      <line x1={at(0)} y1={up(t)} x2={at(1)} y2={up(t)} stroke="currentColor" strokeOpacity={0.1} />
                    )}
                    <text x={at(t)} y={up(0) + 10} fontSize={9} textAnchor="middle" fill="currentColor">
                      {t}
                    </text>
                    <text x={at(0) - 3} y={up(t) + 3} fontSize={9} textAnchor="end" fill="currentColor">
                      {t}
                    </text>
                  </g>
                ))}
              </svg>
              {prior && (
                <p
                  className="muted"
                  data-testid={`prior-${modelId}`}
                  data-estimated={estimated ?? undefined}
                  data-trained={prior.trainingPrevalence}
                >
                  {positive} share: trained for {fmt(prior.trainingPrevalence)}, estimated on the test images{' '}
                  {fmt(estimated)}
                </p>
              )}
            </figure>
          );
        })}
      </div>
    </>
  );
}

function fmt(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : v.toFixed(3);
}

/** The same diagram: the same model, label and run. */
function sameRuns(a: Props['runs'], b: Props['runs']): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.modelId === b[i].modelId && r.label === b[i].label && r.result === b[i].result)
  );
}

/** Re-rendered only when its runs change (the list is rebuilt whenever any model finishes: compared by content). */
export const ReliabilityDiagrams = memo(ReliabilityDiagramsView, (a, b) => sameProps(a, b, { runs: sameRuns }));
