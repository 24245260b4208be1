// The Plotly figure for one metric of a result, as plain data: no DOM, so it is unit-tested in Node.
import { cellsAboveBaseline } from '../src/contract/baselines';
import { BLUES } from '../src/contract/colourScale';
import type { HeatmapView } from '../src/contract/heatmapView';
import type { MetricName } from '../src/contract/types';
import { METRIC_INFO } from './metrics';

/** Colours resolved from the VS Code theme (see theme.ts); any CSS colour Plotly can parse. */
export interface PlotTheme {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  /** Shows through where a cell is undefined. */
  gap: string;
  focus: string;
  hoverBackground: string;
  hoverForeground: string;
  hoverBorder: string;
  fontFamily: string;
  fontSize: number;
}

export interface Cell {
  layer: number;
  /** Column index into `view.tokens`. */
  token: number;
}

export interface CellMarks {
  /** The cell whose examples are listed. */
  selected?: Cell;
  /** The keyboard cursor, shown while the heatmap has focus. */
  cursor?: Cell;
}

/** The paper's colour map, shared with the exported figure (src/contract/colourScale.ts). */
export { BLUES } from '../src/contract/colourScale';

const PIXELS_PER_LAYER = 20;
const MARGIN = { l: 64, r: 24, t: 12, b: 150 };

export interface HeatmapFigure {
  data: object[];
  layout: object;
}

export function heatmapFigure(view: HeatmapView, metric: MetricName, theme: PlotTheme, marks: CellMarks = {}): HeatmapFigure {
  const info = METRIC_INFO[metric];
  const matrix = view.metrics[metric];
  const z = view.layers.map((_, row) => view.tokens.map((_, col) => finiteOrNull(matrix[row]?.[col])));
  const text = view.layers.map((_, row) => view.tokens.map((_, col) => cellHoverText(view, metric, row, col)));
  const axis = {
    color: theme.foreground,
    gridcolor: theme.grid,
    linecolor: theme.grid,
    tickcolor: theme.grid,
    showgrid: false,
    zeroline: false,
    fixedrange: true,
  };
  return {
    data: [
      {
        type: 'heatmap',
        x: view.tokens,
        y: view.layers,
        z,
        text,
        hovertemplate: '%{text}<extra></extra>',
        // Undefined cells stay gaps (the plot background shows through) but still get a hover.
        hoverongaps: true,
        colorscale: BLUES,
        zmin: info.zmin,
        zmax: info.zmax,
        colorbar: {
          title: { text: info.label, side: 'right', font: { color: theme.foreground } },
          tickfont: { color: theme.foreground },
          outlinewidth: 0,
          thickness: 14,
          ...baselineTicks(view, metric),
        },
      },
    ],
    layout: {
      height: MARGIN.t + MARGIN.b + Math.max(12, view.layers.length) * PIXELS_PER_LAYER,
      margin: MARGIN,
      paper_bgcolor: theme.background,
      plot_bgcolor: theme.gap,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
      xaxis: { ...axis, title: { text: 'Token' }, type: 'category', tickangle: -45 },
      // Layer 0 at the top, as in the paper's seaborn heatmaps.
      yaxis: { ...axis, title: { text: 'Layer' }, autorange: 'reversed', dtick: view.layers.length > 40 ? 2 : 1 },
      hoverlabel: {
        bgcolor: theme.hoverBackground,
        bordercolor: theme.hoverBorder,
        font: { color: theme.hoverForeground, family: theme.fontFamily },
      },
      dragmode: false,
      shapes: [...aboveBaselineShapes(view, metric, theme), ...cellShapes(view, theme, marks)],
    },
  };
}

/**
 * Outlines for the selected cell (solid) and the keyboard cursor (dotted), in data coordinates.
 * Each is a foreground line over a wider background-coloured one, so it stands out on the palest
 * and the darkest Blues alike, in light and dark themes.
 */
export function cellShapes(view: HeatmapView, theme: PlotTheme, marks: CellMarks): object[] {
  const outline = (cell: Cell | undefined, dash: string): object[] => {
    if (!cell || !view.layers.includes(cell.layer) || cell.token < 0 || cell.token >= view.tokens.length) return [];
    const rect = (color: string, width: number, lineDash: string): object => ({
      type: 'rect',
      xref: 'x',
      yref: 'y',
      // Category axes place column i at x = i.
      x0: cell.token - 0.5,
      x1: cell.token + 0.5,
      y0: cell.layer - 0.5,
      y1: cell.layer + 0.5,
      line: { color, width, dash: lineDash },
      fillcolor: 'rgba(0,0,0,0)',
    });
    return [rect(theme.background, 5, 'solid'), rect(theme.foreground, 2, dash)];
  };
  return [...outline(marks.selected, 'solid'), ...outline(marks.cursor, 'dot')];
}

/** On the AUC colour bar, the best baseline's AUC as a labelled tick among the regular ones. */
function baselineTicks(view: HeatmapView, metric: MetricName): object {
  const best = view.bestBaseline;
  if (metric !== 'auc' || !best || best.auc < 0.5 || best.auc > 1) return {};
  const regular = [0.5, 0.6, 0.7, 0.8, 0.9, 1].filter((v) => Math.abs(v - best.auc) > 0.02);
  const tickvals = [...regular, best.auc].sort((a, b) => a - b);
  return {
    tickmode: 'array',
    tickvals,
    ticktext: tickvals.map((v) => (v === best.auc ? `◀ best baseline ${v.toFixed(2)}` : v.toFixed(1))),
  };
}

/**
 * Dashed outlines around the cells whose AUC interval lies wholly above the best baseline: where the
 * probe beats the model's own output scores beyond test-set noise (AUC view only).
 */
export function aboveBaselineShapes(view: HeatmapView, metric: MetricName, theme: PlotTheme): object[] {
  if (metric !== 'auc' || !view.bestBaseline || !view.aucInterval) return [];
  const above = cellsAboveBaseline(view.aucInterval, view.bestBaseline.auc);
  return view.layers.flatMap((layer, row) =>
    view.tokens.flatMap((_, col) =>
      above[row]?.[col]
        ? [
            {
              type: 'rect',
              xref: 'x',
              yref: 'y',
              x0: col - 0.45,
              x1: col + 0.45,
              y0: layer - 0.45,
              y1: layer + 0.45,
              line: { color: theme.focus, width: 1.5, dash: 'dash' },
              fillcolor: 'rgba(0,0,0,0)',
            },
          ]
        : [],
    ),
  );
}

/** Hover for one cell: layer, token, the metric (and AUC), n train/test, and why a cell is empty. */
export function cellHoverText(view: HeatmapView, metric: MetricName, row: number, col: number): string {
  const lines = [`Layer ${view.layers[row]} · ${view.tokens[col]}`];
  const value = finiteOrNull(view.metrics[metric][row]?.[col]);
  lines.push(`${METRIC_INFO[metric].label} ${formatMetric(value)}`);
  if (metric !== 'auc') lines.push(`AUC ${formatMetric(finiteOrNull(view.metrics.auc[row]?.[col]))}`);
  const interval = view.aucInterval?.[row]?.[col];
  // Lets researchers see which differences between cells are larger than the test-set noise.
  if (interval) lines.push(`AUC 95 % bootstrap interval ${interval[0].toFixed(3)}–${interval[1].toFixed(3)}`);
  const best = view.bestBaseline;
  if (best && interval) {
    const verdict = interval[0] > best.auc ? 'above' : interval[1] < best.auc ? 'below' : 'not distinguishable from';
    lines.push(`${verdict} the best baseline (${best.name} ${best.auc.toFixed(3)})`);
  }
  lines.push(`n train ${view.nTrain} · test ${view.nTest}`);
  if (value === null) lines.push('Undefined: the train or test split of this cell holds a single class');
  if (view.converged[row]?.[col] === false) {
    lines.push(`Solver stopped unconverged after ${view.iterations[row]?.[col] ?? '?'} iterations`);
  }
  return lines.join('<br>');
}

export function formatMetric(value: number | null): string {
  return value === null ? 'undefined' : value.toFixed(3);
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
