// The heatmap's colour scale, one copy for every runtime: the panel's Plotly trace, the baseline
// swatches, the SVG/PNG figure the panel exports and the heatmap.svg the CLI writes.

/** matplotlib/seaborn `Blues` (ColorBrewer 9-class), the paper's colour map: light = low, dark = high. */
export const BLUES: [number, string][] = [
  '#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b',
].map((colour, i, all) => [i / (all.length - 1), colour]);

/** The fill of an undefined cell in an exported figure: a neutral grey, neither "low" nor "high". */
export const UNDEFINED_CELL_COLOUR = '#bdbdbd';

/** The AUC scale of the paper (vmin 0.5 = chance, vmax 1). */
export const AUC_RANGE = { min: 0.5, max: 1 } as const;

type Rgb = [number, number, number];

const STOPS: [number, Rgb][] = BLUES.map(([stop, hex]) => [stop, hexToRgb(hex)]);

function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The colour of `value` on the Blues scale from `min` to `max`, as Plotly draws its heatmap with the
 * same stops: linear in sRGB between neighbouring stops, each channel rounded; values outside the
 * range take the end colours.
 */
export function bluesRgb(value: number, min: number = AUC_RANGE.min, max: number = AUC_RANGE.max): Rgb {
  const raw = (value - min) / (max - min);
  const t = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
  const upper = Math.max(1, STOPS.findIndex(([stop]) => stop >= t));
  const [t0, c0] = STOPS[upper - 1];
  const [t1, c1] = STOPS[upper];
  const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  return [0, 1, 2].map((i) => Math.round(c0[i] + (c1[i] - c0[i]) * f)) as Rgb;
}

/** `bluesRgb` as `#rrggbb`. */
export function bluesColour(value: number, min: number = AUC_RANGE.min, max: number = AUC_RANGE.max): string {
  return `#${bluesRgb(value, min, max).map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
