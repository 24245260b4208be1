// The heatmap as a paper figure: one self-contained SVG string, drawn from the matrix alone (no DOM,
// no Node, no fonts to load), so the CLI writes it without a browser and the panel exports the very
// same picture (SVG as is, PNG by drawing it onto a canvas). The look is the reference's seaborn
// heatmap: layers on y with layer 0 at the top, the 15 token positions on x, Blues from 0.5 to 1, a
// colour bar, axis titles "Token" and "Layer", white background, nothing of the panel's UI.
import { AUC_RANGE, BLUES, bluesColour, UNDEFINED_CELL_COLOUR } from './colourScale';
import type { HeatmapView } from './heatmapView';
import type { MetricName } from './types';

export interface HeatmapSvgInput {
  /** [row][column], rows in `layers` order; null (or a non-finite number) marks an undefined cell. */
  values: readonly (readonly (number | null | undefined)[])[];
  /** Row labels, top to bottom (layer 0 first). */
  layers: readonly number[];
  /** Column labels, left to right. */
  tokens: readonly string[];
  /** Drawn centred above the heatmap; none when empty or absent. */
  title?: string;
  /** The colour scale and its colour-bar title; AUC 0.5 → 1 by default. */
  scale?: { min: number; max: number; label: string };
  /** Marked on the colour bar, as in the panel. */
  bestBaseline?: { name: string; value: number };
}

export interface HeatmapSvg {
  svg: string;
  /** The figure's natural size in CSS pixels (its width/height attributes and viewBox). */
  width: number;
  height: number;
}

/** Font sizes at the natural size, in px: tick labels, axis titles, the figure title. */
export const FIGURE_FONT = { tick: 12, label: 13, title: 14 } as const;

const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** Average advance of those fonts' characters, in em: margins are sized without measuring any text. */
const CHAR_EM = 0.56;
const PAD = 12;
const CELL_WIDTH = 32;
const BAR_WIDTH = 14;
const TICK_LENGTH = 4;
const TEXT = '#262626';

const textWidth = (text: string, size: number): number => Array.from(text).length * size * CHAR_EM;
/** One decimal is plenty for positions; integers stay integers. */
const n = (x: number): string => String(Math.round(x * 10) / 10);
const isValue = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Rows stay at least 18 px high (taller for tiny models, so the colour bar has room), 10 px past 40 layers. */
function cellHeight(rows: number): number {
  return rows > 40 ? 10 : Math.max(18, Math.ceil(180 / Math.max(1, rows)));
}

export function renderHeatmapSvg(input: HeatmapSvgInput): HeatmapSvg {
  const { layers, tokens } = input;
  const scale = input.scale ?? { ...AUC_RANGE, label: 'AUC' };
  const title = input.title?.trim() ?? '';
  const rowHeight = cellHeight(layers.length);
  // Every token label is drawn; layer labels thin out only when rows are too close for the text.
  const layerStep = Math.max(1, Math.ceil((FIGURE_FONT.tick + 4) / rowHeight));

  const layerLabelWidth = Math.max(textWidth('0', FIGURE_FONT.tick), ...layers.map((l) => textWidth(String(l), FIGURE_FONT.tick)));
  const tokenLabelLength = Math.max(0, ...tokens.map((t) => textWidth(t, FIGURE_FONT.tick)));
  const gridX = Math.round(PAD + FIGURE_FONT.label + 10 + layerLabelWidth + TICK_LENGTH + 4);
  const gridY = Math.round(PAD + (title ? FIGURE_FONT.title + 14 : 4));
  const gridWidth = tokens.length * CELL_WIDTH;
  const gridHeight = layers.length * rowHeight;
  const gridBottom = gridY + gridHeight;

  // Colour bar, its ticks (0.5, 0.6 … 1.0 for AUC) and the best baseline's mark.
  const barX = gridX + gridWidth + 20;
  const barHeight = Math.max(gridHeight, 120);
  const yOf = (value: number): number => gridY + barHeight * (1 - (value - scale.min) / (scale.max - scale.min));
  const ticks = Array.from({ length: 6 }, (_, i) => scale.min + ((scale.max - scale.min) * i) / 5);
  const best = input.bestBaseline && input.bestBaseline.value >= scale.min && input.bestBaseline.value <= scale.max ? input.bestBaseline : undefined;
  const bestText = best ? `◀ best baseline ${best.value.toFixed(2)}` : '';
  const barLabelX = barX + BAR_WIDTH + TICK_LENGTH + 3;
  const anyUndefined = layers.some((_, r) => tokens.some((_, c) => !isValue(input.values[r]?.[c])));
  const legendWidth = anyUndefined ? BAR_WIDTH + 4 + textWidth('undefined', FIGURE_FONT.tick) : 0;
  const barLabelWidth = Math.max(textWidth(ticks[0].toFixed(1), FIGURE_FONT.tick), textWidth(bestText, FIGURE_FONT.tick));
  const barTitleX = barLabelX + barLabelWidth + 8 + FIGURE_FONT.label / 2;

  const xTickY = gridBottom + 6;
  const xTitleY = xTickY + tokenLabelLength + 8 + FIGURE_FONT.label;
  const legendY = gridY + barHeight + 12;
  const width = Math.ceil(Math.max(barTitleX + FIGURE_FONT.label / 2 + PAD, barX + legendWidth + PAD, textWidth(title, FIGURE_FONT.title) + 2 * PAD));
  const height = Math.ceil(Math.max(xTitleY + 4, anyUndefined ? legendY + BAR_WIDTH : 0, gridY + barHeight + FIGURE_FONT.tick) + PAD);

  const cells = layers.flatMap((layer, r) =>
    tokens.map((token, c) => {
      const value = input.values[r]?.[c];
      const defined = isValue(value);
      const fill = defined ? bluesColour(value, scale.min, scale.max) : UNDEFINED_CELL_COLOUR;
      const tip = `Layer ${layer} · ${token}: ${scale.label} ${defined ? value.toFixed(3) : 'undefined'}`;
      return (
        `<rect class="cell" x="${gridX + c * CELL_WIDTH}" y="${gridY + r * rowHeight}" width="${CELL_WIDTH}" height="${rowHeight}" fill="${fill}" ` +
        `data-layer="${layer}" data-token="${xml(token)}" data-value="${defined ? String(value) : ''}"><title>${xml(tip)}</title></rect>`
      );
    }),
  );
  const layerLabels = layers.flatMap((layer, r) =>
    r % layerStep === 0
      ? [`<text x="${gridX - 4}" y="${n(gridY + (r + 0.5) * rowHeight)}" dy="0.35em" text-anchor="end">${layer}</text>`]
      : [],
  );
  // Read bottom to top, like seaborn's rotated labels, ending just below their column.
  const tokenLabels = tokens.map((token, c) => {
    const x = gridX + (c + 0.5) * CELL_WIDTH;
    return `<text transform="translate(${n(x)},${xTickY}) rotate(-90)" dy="0.35em" text-anchor="end">${xml(token)}</text>`;
  });
  const barTicks = ticks.map((value) => {
    const y = yOf(value);
    const hidden = best && Math.abs(yOf(best.value) - y) < FIGURE_FONT.tick + 2;
    const mark = `<line x1="${barX + BAR_WIDTH}" x2="${barX + BAR_WIDTH + TICK_LENGTH}" y1="${n(y)}" y2="${n(y)}" stroke="${TEXT}"/>`;
    return hidden ? mark : `${mark}<text x="${barLabelX}" y="${n(y)}" dy="0.35em">${value.toFixed(1)}</text>`;
  });
  const bestMark = best
    ? `<g class="best-baseline"><title>${xml(`best baseline: ${best.name} ${scale.label} ${best.value.toFixed(3)}`)}</title>` +
      `<line x1="${barX}" x2="${barX + BAR_WIDTH + TICK_LENGTH}" y1="${n(yOf(best.value))}" y2="${n(yOf(best.value))}" stroke="#d62728" stroke-width="2"/>` +
      `<text x="${barLabelX}" y="${n(yOf(best.value))}" dy="0.35em">${xml(bestText)}</text></g>`
    : '';
  const legend = anyUndefined
    ? `<g class="undefined-legend"><rect x="${barX}" y="${legendY}" width="${BAR_WIDTH}" height="${BAR_WIDTH}" fill="${UNDEFINED_CELL_COLOUR}"/>` +
      `<text x="${barX + BAR_WIDTH + 4}" y="${n(legendY + BAR_WIDTH / 2)}" dy="0.35em">undefined</text></g>`
    : '';
  const gradientStops = BLUES.map(([offset, colour]) => `<stop offset="${Number(offset.toFixed(4))}" stop-color="${colour}"/>`).join('');
  const documentTitle = title || `Probe ${scale.label} per layer and token`;

  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${FONT_FAMILY}" font-size="${FIGURE_FONT.tick}" fill="${TEXT}">`,
    `<title>${xml(documentTitle)}</title>`,
    `<desc>${xml(`${scale.label} of a linear probe per layer (rows, layer 0 at the top) and token position (columns); colour scale Blues from ${scale.min} to ${scale.max}.`)}</desc>`,
    `<defs><linearGradient id="layer-probe-blues" x1="0" y1="1" x2="0" y2="0">${gradientStops}</linearGradient></defs>`,
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? `<text class="title" x="${n(width / 2)}" y="${PAD + FIGURE_FONT.title}" font-size="${FIGURE_FONT.title}" text-anchor="middle">${xml(title)}</text>` : '',
    `<g class="cells" shape-rendering="crispEdges">${cells.join('')}</g>`,
    `<g class="layer-labels">${layerLabels.join('')}</g>`,
    `<g class="token-labels">${tokenLabels.join('')}</g>`,
    `<text class="axis-title" x="${n(gridX + gridWidth / 2)}" y="${n(xTitleY)}" font-size="${FIGURE_FONT.label}" text-anchor="middle">Token</text>`,
    `<text class="axis-title" transform="translate(${n(PAD + FIGURE_FONT.label / 2)},${n(gridY + gridHeight / 2)}) rotate(-90)" dy="0.35em" font-size="${FIGURE_FONT.label}" text-anchor="middle">Layer</text>`,
    `<g class="colour-bar"><rect x="${barX}" y="${gridY}" width="${BAR_WIDTH}" height="${barHeight}" fill="url(#layer-probe-blues)"/>`,
    `<g class="colour-bar-ticks">${barTicks.join('')}</g>${bestMark}`,
    `<text class="axis-title" transform="translate(${n(barTitleX)},${n(gridY + barHeight / 2)}) rotate(-90)" dy="0.35em" font-size="${FIGURE_FONT.label}" text-anchor="middle">${xml(scale.label)}</text></g>`,
    legend,
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
  return { svg: `${svg}\n`, width, height };
}

/** The figure of one metric of a shown result (the panel's view, or `toHeatmapView` of a result file). */
export function heatmapViewSvg(view: HeatmapView, metric: MetricName = 'auc', scale?: HeatmapSvgInput['scale']): HeatmapSvg {
  const best = metric === 'auc' && view.bestBaseline ? { name: view.bestBaseline.name, value: view.bestBaseline.auc } : undefined;
  return renderHeatmapSvg({
    values: view.metrics[metric],
    layers: view.layers,
    tokens: view.tokens,
    title: figureTitle(view),
    scale: scale ?? (metric === 'auc' ? { ...AUC_RANGE, label: 'AUC' } : { min: 0, max: 1, label: metric }),
    ...(best ? { bestBaseline: best } : {}),
  });
}

/** `model · dataset · location`, the dataset being the benchmark when the answers were generated from one. */
export function figureTitle(view: Pick<HeatmapView, 'model' | 'dataset' | 'answers'>): string {
  const file = view.answers?.benchmarkFile ?? view.dataset.file;
  return `${view.model.name} · ${file.split(/[\\/]/).pop() || file} · ${view.model.location}`;
}

/**
 * Text for XML character data and double- or single-quoted attributes: the five special characters
 * escaped, and the characters XML 1.0 cannot hold at all (most C0 controls, lone surrogates, U+FFFE/F)
 * dropped, so any model or file name gives a well-formed document.
 */
export function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- matching the control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
