// The figure of a run in progress: the AUC of every probe finished so far, on the finished heatmap's
// scale and axes (Blues 0.5 → 1, layer 0 at the top), cells not probed yet left empty. Pure (no Plotly,
// no DOM): unit-tested in Node and drawn by liveView.ts.
import { BLUES } from '../src/contract/colourScale';
import type { LiveMessage } from '../src/contract/webviewProtocol';
import type { HeatmapFigure, PlotTheme } from './figure';
import { METRIC_INFO } from './metrics';

const PIXELS_PER_LAYER = 20;
const MARGIN = { l: 64, r: 24, t: 12, b: 150 };

const fmtInterval = (i: [number, number] | null): string => (i === null ? '' : `<br>AUC 95 % bootstrap interval ${i[0].toFixed(3)}–${i[1].toFixed(3)}`);

/** z and hover text per [layer][token]; null / "not probed yet" where no probe has finished. */
export function liveMatrices(live: LiveMessage): { z: (number | null)[][]; text: string[][] } {
  const layers = live.numLayers ?? 0;
  const z = Array.from({ length: layers }, () => live.tokens.map((): number | null => null));
  const text = Array.from({ length: layers }, (_, layer) => live.tokens.map((token) => `Layer ${layer} · ${token}<br>not probed yet`));
  for (const cell of live.cells) {
    if (cell.layer >= layers || cell.token >= live.tokens.length) continue;
    z[cell.layer][cell.token] = cell.auc;
    const value = cell.auc === null ? 'undefined: the train or test split of this cell holds a single class' : cell.auc.toFixed(3);
    text[cell.layer][cell.token] = `Layer ${cell.layer} · ${live.tokens[cell.token]}<br>AUC ${value} (final)${fmtInterval(cell.aucInterval)}`;
  }
  return { z, text };
}

export function liveFigure(live: LiveMessage, theme: PlotTheme): HeatmapFigure {
  const info = METRIC_INFO.auc;
  const { z, text } = liveMatrices(live);
  const layers = Array.from({ length: live.numLayers ?? 0 }, (_, i) => i);
  const axis = { color: theme.foreground, gridcolor: theme.grid, linecolor: theme.grid, tickcolor: theme.grid, showgrid: false, zeroline: false, fixedrange: true };
  return {
    data: [
      {
        type: 'heatmap',
        x: live.tokens,
        y: layers,
        z,
        text,
        hovertemplate: '%{text}<extra></extra>',
        hoverongaps: true,
        colorscale: BLUES,
        zmin: info.zmin,
        zmax: info.zmax,
        colorbar: { title: { text: info.label, side: 'right', font: { color: theme.foreground } }, tickfont: { color: theme.foreground }, outlinewidth: 0, thickness: 14 },
      },
    ],
    layout: {
      height: MARGIN.t + MARGIN.b + Math.max(12, layers.length) * PIXELS_PER_LAYER,
      margin: MARGIN,
      paper_bgcolor: theme.background,
      plot_bgcolor: theme.gap,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
      xaxis: { ...axis, title: { text: 'Token' }, type: 'category', tickangle: -45 },
      yaxis: { ...axis, title: { text: 'Layer' }, autorange: 'reversed', dtick: layers.length > 40 ? 2 : 1 },
      hoverlabel: { bgcolor: theme.hoverBackground, bordercolor: theme.hoverBorder, font: { color: theme.hoverForeground, family: theme.fontFamily } },
      dragmode: false,
    },
  };
}
