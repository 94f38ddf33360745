import { useEffect, useRef } from 'react';

/** Draws side × side RGBA pixels on a canvas (thumbnails come from the worker as raw pixels, not files). */
export function RgbaImage({
  rgba,
  side,
  title,
  className,
}: {
  rgba: Uint8ClampedArray;
  side: number;
  title: string;
  className?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || rgba.length !== side * side * 4) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), side, side), 0, 0);
  }, [rgba, side]);
  return (
    <canvas ref={ref} width={side} height={side} className={className ?? 'thumb'} title={title} aria-label={title} />
  );
}
