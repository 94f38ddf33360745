/**
 * The setting for test-time BatchNorm adaptation (schema key `adaptBn`, flag `--adapt-bn`), with the
 * one-paragraph explanation a user needs to decide.
 */
import type { Settings } from '../state/settings';

export function AdaptBnSetting({
  settings,
  onChange,
}: {
  settings: Settings;
  onChange: (patch: Partial<Settings>) => void;
}) {
  return (
    <label className="field field-wide" data-testid="setting-adaptation">
      <span className="field-label">Adapt to the test images (BatchNorm)</span>
      <span className="checkbox-line">
        <input
          type="checkbox"
          data-testid="setting-adapt-bn"
          checked={settings.adaptBn}
          onChange={(e) => onChange({ adaptBn: e.currentTarget.checked })}
        />{' '}
        also score each model after re-measuring its BatchNorm averages on the test images
      </span>
      <span className="field-hint">
        When your test images come from another scanner, hospital or processing than your training images, a
        network&rsquo;s internal averages no longer fit them and its threshold drifts &mdash; often it calls too many
        images abnormal. With this on, X-Ray Lab re-measures those averages on the test images themselves (no labels are
        used; the trained weights stay as they are) and shows both results side by side. It helps against changes in how
        images look; it does not help &mdash; and can hurt &mdash; when only the share of sick patients differs from
        training, and it needs at least one batch of test images. Transfer models are not adapted (their head learnt
        ImageNet-normalised features).
      </span>
    </label>
  );
}
