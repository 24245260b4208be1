// The figures the panel exports: the shared SVG renderer's document for the metric shown, and a PNG
// of it at 2× made by the browser itself (the SVG drawn onto a canvas), so both show the same picture.
import { type HeatmapSvg, heatmapViewSvg } from '../src/contract/heatmapFigure';
import type { HeatmapView } from '../src/contract/heatmapView';
import type { MetricName } from '../src/contract/types';
import { METRIC_INFO } from './metrics';

/** The PNG's pixels per figure pixel: sharp in a paper at the figure's natural size. */
export const PNG_SCALE = 2;

export function exportSvg(view: HeatmapView, metric: MetricName): HeatmapSvg {
  const info = METRIC_INFO[metric];
  return heatmapViewSvg(view, metric, { min: info.zmin, max: info.zmax, label: info.label });
}

/**
 * The figure as a PNG, base64-encoded (no `data:` prefix). The SVG is loaded as an image from a
 * `data:` URL (the panel's CSP allows `img-src data:`; such an image never taints the canvas) at
 * `scale` times its natural size, so the browser rasterises the vector at the final resolution.
 */
export async function svgToPngBase64(figure: HeatmapSvg, scale = PNG_SCALE): Promise<string> {
  const width = figure.width * scale;
  const height = figure.height * scale;
  const sized = figure.svg.replace(`width="${figure.width}" height="${figure.height}"`, `width="${width}" height="${height}"`);
  const image = new Image(width, height);
  const loaded = new Promise<void>((resolve, reject) => {
    image.addEventListener('load', () => resolve(), { once: true });
    image.addEventListener('error', () => reject(new Error('the browser could not draw the SVG figure')), { once: true });
  });
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(sized)}`;
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas is available');
  context.drawImage(image, 0, 0, width, height);
  const url = canvas.toDataURL('image/png');
  return url.slice(url.indexOf(',') + 1);
}
