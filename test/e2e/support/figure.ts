// Reading an exported heatmap figure back: the cells of the SVG (one rect.cell per layer × token, with
// its data-layer/-token/-value and its box) and the colour of a decoded PNG at a cell's centre.
import assert from 'node:assert/strict';

import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';
import type { PNG } from 'pngjs';

export interface FigureCell {
  layer: number;
  token: string;
  /** data-value: the number drawn, or null for an undefined cell. */
  value: number | null;
  fill: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ParsedFigure {
  root: Element;
  width: number;
  height: number;
  cells: FigureCell[];
  /** Every <text> of the figure, in document order. */
  texts: string[];
}

/** Parses the figure strictly (a warning stops parsing) and lists its cells. */
export function parseFigure(svg: string): ParsedFigure {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  assert.ok(root && root.tagName === 'svg', 'an <svg> document');
  const cells = Array.from(doc.getElementsByTagName('rect'))
    .filter((r) => r.getAttribute('class') === 'cell')
    .map((r) => {
      const value = r.getAttribute('data-value');
      return {
        layer: Number(r.getAttribute('data-layer')),
        token: r.getAttribute('data-token') ?? '',
        value: value === null || value === '' ? null : Number(value),
        fill: r.getAttribute('fill') ?? '',
        x: Number(r.getAttribute('x')),
        y: Number(r.getAttribute('y')),
        width: Number(r.getAttribute('width')),
        height: Number(r.getAttribute('height')),
      };
    });
  const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent ?? '');
  return { root, width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')), cells, texts };
}

/** The RGBA of `png` (drawn from the figure at `scale`×) at the centre of `cell`. */
export function pixelAtCentre(png: PNG, cell: FigureCell, scale: number): number[] {
  const x = Math.floor((cell.x + cell.width / 2) * scale);
  const y = Math.floor((cell.y + cell.height / 2) * scale);
  const i = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(i, i + 4));
}

/** Opaque and each channel within `tolerance` of `expected` (canvas drawing rounds, antialiasing is away from centres). */
export function assertColourClose(actual: number[], expected: readonly number[], what: string, tolerance = 2): void {
  assert.equal(actual[3], 255, `${what}: opaque`);
  assert.ok(
    expected.every((c, i) => Math.abs(actual[i] - c) <= tolerance),
    `${what}: rgb(${actual.slice(0, 3).join(', ')}) vs expected rgb(${expected.join(', ')})`,
  );
}

export const hexRgb = (colour: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
