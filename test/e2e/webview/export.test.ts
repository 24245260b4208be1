// The panel's Export… in the built webview bundle, in a real browser under the production CSP (the
// page webviewHtml serves, a stubbed acquireVsCodeApi recording what the page posts): the menu works
// from the keyboard, the SVG it sends is the shared renderer's document, and the PNG it draws from
// that SVG on a canvas, decoded here, has the Blues colour of their AUC at the centres of known cells.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';

import { bluesRgb, UNDEFINED_CELL_COLOUR } from '../../../src/contract/colourScale';
import { heatmapViewSvg } from '../../../src/contract/heatmapFigure';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { createNonce, webviewHtml } from '../../../src/contract/webviewPage';
import type { ExportMessage, HostMessage, WebviewMessage } from '../../../src/contract/webviewProtocol';
import { sampleResult } from '../../unit/result/sampleResult';
import { launchBrowser, newContext } from '../support/browser';
import { OUTPUT_DIR, REPO_ROOT } from '../support/paths';

const SHOTS = path.join(OUTPUT_DIR, 'webview');

interface PageGlobals {
  __posted: WebviewMessage[];
  __violations: string[];
}

function installStubs(): void {
  const w = window as unknown as PageGlobals & { acquireVsCodeApi: () => unknown };
  w.__posted = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  let state: unknown;
  w.acquireVsCodeApi = () => ({
    postMessage: (message: WebviewMessage) => w.__posted.push(message),
    getState: () => state,
    setState: (next: unknown) => void (state = next),
  });
}

const hex = (colour: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];

describe('Export… in the webview bundle under its production CSP', () => {
  let server: http.Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const result = sampleResult();
  result.model.name = 'tiny <b>&x';
  const view = toHeatmapView(result);

  const posted = (): Promise<WebviewMessage[]> => page.evaluate(() => (window as unknown as PageGlobals).__posted);
  /** Waits for the `count`-th export message and returns it. */
  const nthExport = async (count: number): Promise<ExportMessage> => {
    await page.waitForFunction((n) => (window as unknown as PageGlobals).__posted.filter((m) => m.type === 'export').length >= n, count, { timeout: 15_000 });
    return (await posted()).filter((m): m is ExportMessage => m.type === 'export')[count - 1];
  };
  const postToWebview = (message: HostMessage): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message);

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const dist = path.join(REPO_ROOT, 'dist');
    for (const f of ['webview.js', 'webview.css']) assert.ok(fs.existsSync(path.join(dist, f)), `dist/${f} is missing: run npm run build`);
    server = http.createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(webviewHtml({ cspSource: origin, nonce: createNonce(), scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/dist/webview.css`, title: 'Layer Probe' }));
      } else if (req.url === '/dist/webview.js' || req.url === '/dist/webview.css') {
        res.writeHead(200, { 'content-type': req.url.endsWith('.js') ? 'text/javascript' : 'text/css' });
        res.end(fs.readFileSync(path.join(dist, path.basename(req.url))));
      } else {
        res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await (await newContext(browser, { width: 1280, height: 900 })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.addInitScript(installStubs);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as PageGlobals).__posted.some((m) => m.type === 'ready'));
    await postToWebview({ type: 'result', view, resultFile: '/tmp/result.json' });
    await page.locator('.plot .main-svg .hm').waitFor();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the Export… menu button opens from the keyboard, lists the five formats, and Escape closes it back to the button', async () => {
    const button = page.locator('#export-button');
    assert.equal(await button.getAttribute('aria-haspopup'), 'menu');
    await button.focus();
    await page.keyboard.press('Enter');
    const items = page.getByRole('menuitem');
    assert.deepEqual(await items.allTextContents(), [
      'PNG image (figure, 2×)',
      'SVG image (figure)',
      'CSV (paper layout: layers × tokens)',
      'Result JSON',
      'Standalone HTML',
    ]);
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'PNG image (figure, 2×)');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Standalone HTML', '↑ wraps to the last entry');
    await page.screenshot({ path: path.join(SHOTS, 'export-01-menu.png') });
    await page.keyboard.press('Escape');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.getByRole('menuitem').count(), 0, 'the menu is hidden');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'export-button');
  });

  test('PNG: drawn from the figure SVG at 2×; the centres of known cells have the Blues colour of their AUC', async () => {
    await page.locator('#export-button').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // the first entry: PNG
    const message = await nthExport(1);
    assert.deepEqual([message.format, message.metric], ['png', 'auc']);
    const png = PNG.sync.read(Buffer.from(message.data!, 'base64'));
    const figure = heatmapViewSvg(view, 'auc');
    assert.deepEqual([png.width, png.height], [figure.width * 2, figure.height * 2]);
    fs.writeFileSync(path.join(SHOTS, 'export-02-figure.png'), Buffer.from(message.data!, 'base64'));

    const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(figure.svg, 'image/svg+xml');
    const cells = Array.from(doc.getElementsByTagName('rect')).filter((r) => r.getAttribute('class') === 'cell');
    const cell = (layer: number, token: string): Element => cells.find((r) => r.getAttribute('data-layer') === String(layer) && r.getAttribute('data-token') === token)!;
    const pixel = (rect: Element): number[] => {
      const x = Math.floor((Number(rect.getAttribute('x')) + Number(rect.getAttribute('width')) / 2) * 2);
      const y = Math.floor((Number(rect.getAttribute('y')) + Number(rect.getAttribute('height')) / 2) * 2);
      const i = (y * png.width + x) * 4;
      return Array.from(png.data.subarray(i, i + 4));
    };
    const close = (actual: number[], expected: number[], what: string): void => {
      assert.equal(actual[3], 255, `${what}: opaque`);
      assert.ok(expected.every((c, i) => Math.abs(actual[i] - c) <= 2), `${what}: ${actual.slice(0, 3)} vs ${expected}`);
    };
    // (2, exact_answer_last): AUC 0.75, the middle stop #6baed6; (0, -1): AUC 0.64, between two stops.
    assert.equal(result.metrics.auc[2][5], 0.75);
    close(pixel(cell(2, 'exact_answer_last')), bluesRgb(0.75), 'layer 2 · exact_answer_last');
    assert.equal(result.metrics.auc[0][14], 0.64);
    close(pixel(cell(0, '-1')), bluesRgb(0.64), 'layer 0 · -1');
    close(pixel(cell(1, 'second_answer')), hex(UNDEFINED_CELL_COLOUR), 'the undefined cell');
    // Layer 0 is the top row in the picture too: its cell is paler (lower AUC) than layer 2's below it.
    assert.ok(pixel(cell(0, 'exact_answer_last'))[0] > pixel(cell(2, 'exact_answer_last'))[0]);
    // The page says what it is doing until the host answers.
    assert.equal(await page.locator('.notice').textContent(), 'Exporting the PNG image…');
  });

  test('SVG: the shared renderer\'s document as is; CSV, JSON and HTML ask the host, which answers with how it went', async () => {
    const choose = async (steps: number): Promise<void> => {
      await page.locator('#export-button').focus();
      await page.keyboard.press('ArrowDown');
      for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    };
    await choose(1);
    const svg = await nthExport(2);
    assert.equal(svg.format, 'svg');
    assert.equal(svg.data, heatmapViewSvg(view, 'auc').svg, 'the same figure code as the CLI');
    const root = new DOMParser({ onError: onWarningStopParsing }).parseFromString(svg.data!, 'image/svg+xml').documentElement!;
    assert.equal(root.getElementsByTagName('title')[0].textContent, 'tiny <b>&x · answers.jsonl · mlp_out');
    for (const [steps, format] of [[2, 'csv'], [3, 'json'], [4, 'html']] as const) {
      await choose(steps);
      assert.deepEqual(await nthExport(steps + 1), { type: 'export', format, metric: 'auc' });
    }
    await postToWebview({ type: 'exported', format: 'html', outcome: 'saved', message: 'Saved /work/tiny-answers-mlp_out-heatmap.html.' });
    await page.waitForFunction(() => document.querySelector('.notice')?.textContent?.startsWith('Saved'));
    await postToWebview({ type: 'exported', format: 'csv', outcome: 'cancelled', message: 'Export cancelled.' });
    await page.waitForFunction(() => document.querySelector('.notice')?.textContent === 'Export cancelled.');
    assert.equal(await page.locator('#export-button').getAttribute('aria-expanded'), 'false');
  });

  test('the figure follows the metric shown, and nothing broke the CSP or threw', async () => {
    await page.locator('#metric').click();
    await page.locator('#metric').getByRole('option', { name: 'Accuracy', exact: true }).click();
    await page.locator('#export-button').click();
    await page.getByRole('menuitem', { name: 'SVG image (figure)' }).click();
    const svg = await nthExport(6);
    assert.deepEqual([svg.format, svg.metric], ['svg', 'acc']);
    assert.equal(svg.data, heatmapViewSvg(view, 'acc', { min: 0, max: 1, label: 'Accuracy' }).svg);
    assert.deepEqual(await page.evaluate(() => (window as unknown as PageGlobals).__violations), []);
    assert.deepEqual(pageErrors, []);
  });
});
