/**
 * An X-ray with its Grad-CAM heat map blended over it (the core's overlayRgba, the colours the CLI's PNGs use), drawn
 * on a canvas at the model's input size. Without a map, or with the overlay switched off, the X-ray alone.
 */
import { useMemo } from 'react';
import type { HeatMap } from '../../lab/explain/heat-map';
import { overlayRgba } from '../../lab/explain/overlay';
import type { GradCamView } from './GradCamControls';
import { RgbaImage } from './RgbaImage';

interface Props {
  image: { size: number; rgb: Uint8Array };
  heat: HeatMap | null;
  view: GradCamView;
  title: string;
  testId?: string;
  model?: string;
}

export function HeatOverlay({ image, heat, view, title, testId, model }: Props) {
  const { size, rgb } = image;
  const usable = heat != null && heat.size === size;
  const opacity = view.show && usable ? view.opacity : 0;
  const rgba = useMemo(
    () => overlayRgba(rgb, 3, usable ? heat.values : new Float32Array(size * size), size, opacity),
    [rgb, heat, usable, size, opacity],
  );
  return (
    <span
      className="heat-overlay"
      data-testid={testId}
      data-model={model}
      data-heat={usable ? 'true' : 'false'}
      data-overlay={opacity > 0 ? 'on' : 'off'}
      data-peak={usable && heat.peak ? `${heat.peak.x},${heat.peak.y}` : ''}
    >
      <RgbaImage rgba={rgba} side={size} title={title} className="heat-canvas" />
    </span>
  );
}
