// The exported figure (heatmap.svg, the panel's SVG/PNG export), read back with a real XML parser:
// well-formed, one rect per cell in the right place and colour, every label, no UI, hostile text escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';

import { BLUES, bluesColour, bluesRgb, UNDEFINED_CELL_COLOUR } from '../../../src/contract/colourScale';
import { FIGURE_FONT, heatmapViewSvg, renderHeatmapSvg } from '../../../src/contract/heatmapFigure';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { sampleAuc, sampleResult } from '../result/sampleResult';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Parses strictly: any warning or error of the parser fails the test. */
function parse(svg: string): Element {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  assert.ok(root, 'a document element');
  assert.equal(root.namespaceURI, SVG_NS);
  assert.equal(root.localName, 'svg');
  return root;
}

const all = (root: Element, name: string): Element[] => Array.from(root.getElementsByTagNameNS(SVG_NS, name));
const byClass = (root: Element, name: string, cls: string): Element[] => all(root, name).filter((e) => e.getAttribute('class') === cls);
const group = (root: Element, cls: string): Element => {
  const found = byClass(root, 'g', cls);
  assert.equal(found.length, 1, `one <g class="${cls}">`);
  return found[0];
};
const num = (e: Element, attr: string): number => Number(e.getAttribute(attr));

function result32() {
  const view = toHeatmapView(sampleResult());
  view.layers = Array.from({ length: 32 }, (_, i) => i);
  view.metrics.auc = view.layers.map((l) => view.tokens.map((_, t) => (l === 7 && t === 4 ? null : 0.5 + ((l * 15 + t) % 51) / 100)));
  delete view.bestBaseline;
  return view;
}

describe('the Blues colour scale', () => {
  it('has the nine ColorBrewer stops, evenly spaced, light to dark', () => {
    assert.deepEqual(
      BLUES.map(([, c]) => c),
      ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'],
    );
    assert.deepEqual(
      BLUES.map(([t]) => t),
      [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1],
    );
  });

  it('maps 0.5 → 1 onto the stops, linear in sRGB between them (as Plotly draws the panel), clamped outside', () => {
    assert.equal(bluesColour(0.5), '#f7fbff');
    assert.equal(bluesColour(0.75), '#6baed6');
    assert.equal(bluesColour(1), '#08306b');
    // Half-way between the first two stops: (247+222)/2 = 234.5 → 235, (251+235)/2 = 243, (255+247)/2 = 251.
    assert.deepEqual(bluesRgb(0.53125), [235, 243, 251]);
    assert.equal(bluesColour(0.2), '#f7fbff');
    assert.equal(bluesColour(1.3), '#08306b');
    // Another range (the other metrics' 0 → 1).
    assert.equal(bluesColour(0.5, 0, 1), '#6baed6');
  });
});

describe('renderHeatmapSvg', () => {
  const result = sampleResult();
  const view = toHeatmapView(result);

  it('is a well-formed SVG document with its natural size, on a white background', () => {
    const figure = heatmapViewSvg(view);
    const root = parse(figure.svg);
    assert.equal(num(root, 'width'), figure.width);
    assert.equal(num(root, 'height'), figure.height);
    assert.equal(root.getAttribute('viewBox'), `0 0 ${figure.width} ${figure.height}`);
    const [background] = byClass(root, 'rect', 'background');
    assert.equal(background.getAttribute('fill'), '#ffffff');
    assert.equal(num(background, 'width'), figure.width);
    assert.equal(num(background, 'height'), figure.height);
  });

  it('draws one rect per cell (15 × layers), each filled with the Blues colour of its value, undefined cells grey', () => {
    for (const v of [view, result32()]) {
      const root = parse(heatmapViewSvg(v).svg);
      const cells = all(group(root, 'cells'), 'rect');
      assert.equal(cells.length, 15 * v.layers.length);
      for (const cell of cells) {
        const layer = num(cell, 'data-layer');
        const col = v.tokens.indexOf(cell.getAttribute('data-token') as never);
        assert.ok(col >= 0, 'data-token names a column');
        const expected = v.metrics.auc[layer][col];
        const value = cell.getAttribute('data-value');
        if (expected === null) {
          assert.equal(value, '');
          assert.equal(cell.getAttribute('fill'), UNDEFINED_CELL_COLOUR);
        } else {
          assert.equal(Number(value), expected);
          assert.equal(cell.getAttribute('fill'), bluesColour(expected));
        }
      }
    }
    // Known cells of the sample, by hand: (2, 5) has AUC 0.75, the middle stop; (1, 2) is undefined.
    const root = parse(heatmapViewSvg(view).svg);
    const cell = (layer: number, token: string): Element =>
      all(root, 'rect').find((r) => r.getAttribute('data-layer') === String(layer) && r.getAttribute('data-token') === token)!;
    assert.equal(sampleAuc(2, 5), 0.75);
    assert.equal(cell(2, 'exact_answer_last').getAttribute('fill'), '#6baed6');
    assert.equal(cell(0, 'last_q').getAttribute('fill'), '#f7fbff');
    assert.equal(cell(1, 'second_answer').getAttribute('fill'), UNDEFINED_CELL_COLOUR);
    assert.equal(cell(1, 'second_answer').getAttribute('data-value'), '');
  });

  it('puts layer 0 at the top and the tokens left to right in the paper\'s order, cells tiling a grid', () => {
    const v = result32();
    const root = parse(heatmapViewSvg(v).svg);
    const cells = all(group(root, 'cells'), 'rect');
    const at = (layer: number, col: number): Element => cells[layer * 15 + col];
    assert.equal(at(0, 0).getAttribute('data-layer'), '0');
    const width = num(at(0, 0), 'width');
    const height = num(at(0, 0), 'height');
    for (let layer = 0; layer < 32; layer++) {
      for (let col = 0; col < 15; col++) {
        const c = at(layer, col);
        assert.equal(num(c, 'data-layer'), layer);
        assert.equal(c.getAttribute('data-token'), TOKEN_POSITIONS[col]);
        assert.equal(num(c, 'x'), num(at(0, 0), 'x') + col * width);
        assert.equal(num(c, 'y'), num(at(0, 0), 'y') + layer * height, 'layer 0 on top, then down');
      }
    }
    // Integer edges: cells rasterise without seams or blended centres.
    assert.ok([width, height, num(at(0, 0), 'x'), num(at(0, 0), 'y')].every(Number.isInteger));
    const layerLabels = all(group(root, 'layer-labels'), 'text');
    assert.deepEqual(
      layerLabels.map((t) => t.textContent),
      v.layers.map(String),
    );
    const ys = layerLabels.map((t) => num(t, 'y'));
    assert.deepEqual(ys, [...ys].sort((a, b) => a - b), 'labels run down from layer 0');
    assert.ok(ys[0] > num(at(0, 0), 'y') && ys[0] < num(at(0, 0), 'y') + height, 'label 0 beside row 0');
  });

  it('labels every one of the 15 token columns, rotated, below its column', () => {
    const root = parse(heatmapViewSvg(view).svg);
    const labels = all(group(root, 'token-labels'), 'text');
    assert.deepEqual(
      labels.map((t) => t.textContent),
      [...TOKEN_POSITIONS],
    );
    const cells = all(group(root, 'cells'), 'rect');
    labels.forEach((label, col) => {
      const m = /^translate\(([\d.]+),([\d.]+)\) rotate\(-90\)$/.exec(label.getAttribute('transform') ?? '');
      assert.ok(m, label.getAttribute('transform') ?? '');
      const cell = cells[col];
      assert.equal(Number(m[1]), num(cell, 'x') + num(cell, 'width') / 2, 'centred on its column');
      assert.ok(Number(m[2]) > num(cells.at(-1)!, 'y') + num(cell, 'height'), 'below the grid');
    });
    const titles = byClass(root, 'text', 'axis-title').map((t) => t.textContent);
    assert.deepEqual(titles, ['Token', 'Layer', 'AUC']);
  });

  it('has a colour bar with the Blues gradient and ticks 0.5 … 1.0, and marks the best baseline', () => {
    const withBaseline = { ...view, bestBaseline: { name: 'logits_mean', auc: 0.83 } };
    const root = parse(heatmapViewSvg(withBaseline).svg);
    const stops = all(root, 'stop').map((s) => [Number(s.getAttribute('offset')), s.getAttribute('stop-color')]);
    assert.deepEqual(stops, BLUES);
    const bar = group(root, 'colour-bar');
    assert.equal(all(bar, 'rect')[0].getAttribute('fill'), 'url(#layer-probe-blues)');
    const ticks = all(group(root, 'colour-bar-ticks'), 'text').map((t) => t.textContent);
    // 0.8 is left unlabelled: its label would overlap the baseline's.
    assert.deepEqual(ticks, ['0.5', '0.6', '0.7', '0.9', '1.0']);
    const best = group(root, 'best-baseline');
    assert.equal(all(best, 'text')[0].textContent, '◀ best baseline 0.83');
    assert.match(all(best, 'title')[0].textContent ?? '', /logits_mean/);
    const plain = parse(heatmapViewSvg({ ...view, bestBaseline: undefined }).svg);
    assert.deepEqual(
      all(group(plain, 'colour-bar-ticks'), 'text').map((t) => t.textContent),
      ['0.5', '0.6', '0.7', '0.8', '0.9', '1.0'],
    );
    assert.equal(byClass(plain, 'g', 'best-baseline').length, 0);
  });

  it('is a paper figure: text at ≥ 10 px, nothing interactive, scripted or external', () => {
    const figure = heatmapViewSvg(result32());
    const root = parse(figure.svg);
    assert.ok(FIGURE_FONT.tick >= 10 && FIGURE_FONT.label >= 10 && FIGURE_FONT.title >= 10);
    assert.equal(num(root, 'font-size'), FIGURE_FONT.tick);
    for (const text of all(root, 'text')) {
      const size = text.getAttribute('font-size');
      assert.ok(size === '' || size === null || Number(size) >= 10, `font-size ${size}`);
    }
    for (const name of ['script', 'foreignObject', 'image', 'a', 'use', 'style']) assert.equal(all(root, name).length, 0, `no <${name}>`);
    assert.doesNotMatch(figure.svg, /\son\w+=|href=|@import|url\((?!#layer-probe-blues\))/i);
    // Big enough to read: 32 layers × 15 tokens at ≥ 18 px rows and 32 px columns.
    assert.ok(figure.width >= 15 * 32 && figure.height >= 32 * 18, `${figure.width} × ${figure.height}`);
  });

  it('escapes the title and labels: a model named <b>&x stays text', () => {
    const hostile = { ...view, model: { ...view.model, name: `<b>&x "q" 'a' \u0001` } };
    const figure = heatmapViewSvg(hostile);
    const root = parse(figure.svg);
    assert.equal(all(root, 'b').length, 0);
    const [title] = byClass(root, 'text', 'title');
    assert.equal(title.textContent, `<b>&x "q" 'a'  · answers.jsonl · mlp_out`);
    assert.equal(all(root, 'title')[0].textContent, title.textContent);
    assert.match(figure.svg, /&lt;b&gt;&amp;x &quot;q&quot; &apos;a&apos;/);
    const tokens = renderHeatmapSvg({ values: [[0.6]], layers: [0], tokens: ['a"<&>'], scale: { min: 0.5, max: 1, label: 'A & B' } });
    const parsed = parse(tokens.svg);
    assert.equal(all(parsed, 'rect').find((r) => r.getAttribute('class') === 'cell')?.getAttribute('data-token'), 'a"<&>');
    assert.equal(all(group(parsed, 'token-labels'), 'text')[0].textContent, 'a"<&>');
    assert.ok(byClass(parsed, 'text', 'axis-title').some((t) => t.textContent === 'A & B'));
  });

  it('uses another metric\'s range and label, and says which cells are undefined only when some are', () => {
    const root = parse(heatmapViewSvg(view, 'acc', { min: 0, max: 1, label: 'Accuracy' }).svg);
    const cells = all(group(root, 'cells'), 'rect');
    const value = view.metrics.acc[2][5]!;
    assert.equal(cells[2 * 15 + 5].getAttribute('fill'), bluesColour(value, 0, 1));
    assert.deepEqual(
      all(group(root, 'colour-bar-ticks'), 'text').map((t) => t.textContent),
      ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    );
    assert.ok(byClass(root, 'text', 'axis-title').some((t) => t.textContent === 'Accuracy'));
    assert.equal(byClass(root, 'g', 'undefined-legend').length, 1);
    const full = parse(renderHeatmapSvg({ values: [[0.6, 0.7]], layers: [0], tokens: ['a', 'b'] }).svg);
    assert.equal(byClass(full, 'g', 'undefined-legend').length, 0);
    assert.equal(byClass(full, 'text', 'title').length, 0, 'no title row without a title');
  });
});
