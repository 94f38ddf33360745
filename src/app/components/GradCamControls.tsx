/** The Grad-CAM overlay's switch and opacity, shared by the error gallery and the Classify panel. */

export interface GradCamView {
  /** Draw the heat map over the X-ray (off: the X-ray alone). */
  show: boolean;
  /** Opacity of the hottest colour, 0..1. */
  opacity: number;
}

export const DEFAULT_GRADCAM_VIEW: GradCamView = { show: true, opacity: 0.6 };

export function GradCamControls({ view, onChange }: { view: GradCamView; onChange: (view: GradCamView) => void }) {
  return (
    <div className="gradcam-controls">
      <label>
        <input
          type="checkbox"
          data-testid="gradcam-toggle"
          checked={view.show}
          onChange={(e) => onChange({ ...view, show: e.currentTarget.checked })}
        />{' '}
        Grad-CAM overlay
      </label>
      <label>
        opacity{' '}
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={view.opacity}
          data-testid="gradcam-opacity"
          disabled={!view.show}
          onChange={(e) => onChange({ ...view, opacity: Number(e.currentTarget.value) })}
        />{' '}
        <output>{view.opacity.toFixed(2)}</output>
      </label>
      <span className="muted">red: where the evidence for the class comes from</span>
    </div>
  );
}
