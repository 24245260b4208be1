// Finds a heatmap cell on screen from Plotly's own axes, so a test clicks the cell it means: the
// pixel centre of (layer, token) is the plot area's offset plus the axis' linear → pixel map (a
// category axis puts column i at linear value i; the reversed layer axis maps layer n at n).
import type { Locator } from 'playwright-core';

export interface CellPoint {
  /** Relative to the top-left corner of the `.plot` element (the Plotly graph div). */
  x: number;
  y: number;
}

export function cellCentre(plot: Locator, layer: number, token: number): Promise<CellPoint> {
  return plot.evaluate(
    (gd, cell) => {
      interface Axis {
        _offset: number;
        l2p(value: number): number;
      }
      const layout = (gd as HTMLElement & { _fullLayout?: { xaxis: Axis; yaxis: Axis } })._fullLayout;
      const svg = gd.querySelector('.main-svg');
      if (!layout || !svg) throw new Error('the heatmap is not drawn');
      const box = gd.getBoundingClientRect();
      const drawing = svg.getBoundingClientRect();
      return {
        x: drawing.left - box.left + layout.xaxis._offset + layout.xaxis.l2p(cell.token),
        y: drawing.top - box.top + layout.yaxis._offset + layout.yaxis.l2p(cell.layer),
      };
    },
    { layer, token },
  );
}

/** Clicks the centre of cell (layer, token) with the mouse, as a user does. */
export async function clickCell(plot: Locator, layer: number, token: number): Promise<CellPoint> {
  const point = await cellCentre(plot, layer, token);
  await plot.click({ position: point });
  return point;
}

export interface PlotColours {
  /** Plotly's resolved layout: paper background and font colour. */
  paper: string;
  font: string;
  /** What is on screen: the drawing's computed background and a tick label's computed fill. */
  drawnBackground: string;
  drawnTickFill: string;
}

export function plotColours(plot: Locator): Promise<PlotColours> {
  return plot.evaluate((gd) => {
    const layout = (gd as HTMLElement & { _fullLayout?: { paper_bgcolor: string; font: { color: string } } })._fullLayout;
    const svg = gd.querySelector('.main-svg');
    const tick = gd.querySelector('.xtick text');
    if (!layout || !svg || !tick) throw new Error('the heatmap is not drawn');
    return {
      paper: layout.paper_bgcolor,
      font: layout.font.color,
      drawnBackground: getComputedStyle(svg).backgroundColor,
      drawnTickFill: getComputedStyle(tick).fill,
    };
  });
}

/** Relative luminance (0 black … 1 white) of an `rgb(…)`/`rgba(…)` colour. */
export function luminance(colour: string): number {
  const match = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  if (!match) throw new Error(`not an rgb() colour: ${colour}`);
  const [r, g, b] = match.slice(1, 4).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
