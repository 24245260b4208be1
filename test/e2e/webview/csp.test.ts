// The built webview (dist/webview.js + dist/webview.css) in a real browser, in the page the extension
// serves (webviewHtml) under its production Content-Security-Policy (buildCsp), with a stubbed
// acquireVsCodeApi in place of VS Code. It must draw, hover, select cells and list examples with zero
// CSP violations, and show hostile dataset text as text: nothing in it may execute.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { examplesForCell } from '../../../src/contract/examples';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { createNonce, webviewHtml } from '../../../src/contract/webviewPage';
import type { HostMessage, LiveCell, LiveMessage, WebviewMessage } from '../../../src/contract/webviewProtocol';
import { selectExamples } from '../../../webview/examplesFilter';
import { sampleResult, sampleResultWithTexts } from '../../unit/result/sampleResult';
import { launchBrowser, newContext } from '../support/browser';
import { OUTPUT_DIR, REPO_ROOT } from '../support/paths';
import { cellCentre, clickCell } from '../support/plotly';

const SHOTS = path.join(OUTPUT_DIR, 'webview');

// Each payload would push to window.__pwned if it ever ran.
const HOSTILE = {
  script: '<script>window.__pwned.push("script")</script>',
  img: '<img src=x onerror="window.__pwned.push(\'img\')">',
  link: '<a href="javascript:window.__pwned.push(\'link\')">open</a>',
  bareJs: 'javascript:window.__pwned.push("bare")',
  svg: '<svg onload="window.__pwned.push(\'svg\')"></svg>',
  alert: '<img src=x onerror=alert(1)>',
};

function hostileResult() {
  const result = sampleResult({
    texts: [
      ['<s>', 'Q1', '?', ` ${HOSTILE.script}`, '.', '</s>'],
      ['<s>', HOSTILE.img, '?', ' Rome', HOSTILE.link, '</s>'],
      ['<s>', 'Q3', '?', ` ${HOSTILE.bareJs}`, '.', '</s>'],
      ['<s>', 'Q4', HOSTILE.svg, ' </script><script>window.__pwned.push("close")</script>', '<!--', '</s>'],
    ],
  });
  result.model.name = `tiny ${HOSTILE.script}`;
  result.dataset.file = `/data/${HOSTILE.img}.jsonl`;
  // The examples' question, gold, model and exact answers carry markup too; the exact answer of
  // example 1 is itself markup, found (and marked) inside its model answer.
  result.test.question = ['Q1?', `Which city? ${HOSTILE.alert}`, `Q3 ${HOSTILE.svg}`, 'Q4?'];
  result.test.goldAnswer = ['Paris', HOSTILE.link, 'Oslo', HOSTILE.script];
  result.test.modelAnswer = [`It is ${HOSTILE.script}.`, `Rome ${HOSTILE.img} here`, 'Oslo', HOSTILE.bareJs];
  result.test.exactAnswer = ['paris', HOSTILE.img.toUpperCase(), 'oslo', 'javascript'];
  return result;
}

interface PageGlobals {
  __posted: WebviewMessage[];
  __pwned: string[];
  __violations: { directive: string; blocked: string; sample: string }[];
}

/** Runs before any page script (and outside the CSP, as VS Code's own webview host script does). */
function installStubs(): void {
  const w = window as unknown as PageGlobals & { acquireVsCodeApi: () => unknown };
  w.__posted = [];
  w.__pwned = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    w.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
  );
  let state: unknown;
  w.acquireVsCodeApi = () => ({
    postMessage: (message: WebviewMessage) => w.__posted.push(message),
    getState: () => state,
    setState: (next: unknown) => void (state = next),
  });
}

describe('the webview bundle under its production CSP', () => {
  let server: http.Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** alert() from an injected handler would open one. */
  const dialogs: string[] = [];
  const result = hostileResult();

  const globals = <K extends keyof PageGlobals>(key: K): Promise<PageGlobals[K]> =>
    page.evaluate((k: string) => (window as unknown as Record<string, unknown>)[k], key) as Promise<PageGlobals[K]>;
  const postToWebview = (message: HostMessage): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message);
  const waitForPosted = (type: WebviewMessage['type'], count = 1): Promise<unknown> =>
    page.waitForFunction(
      ([t, n]) => (window as unknown as PageGlobals).__posted.filter((m) => m.type === t).length >= n,
      [type, count] as const,
    );

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const dist = path.join(REPO_ROOT, 'dist');
    for (const f of ['webview.js', 'webview.css']) {
      assert.ok(fs.existsSync(path.join(dist, f)), `dist/${f} is missing: run npm run build`);
    }
    server = http.createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        // The page exactly as the panel builds it, with this server as the webview resource origin.
        res.end(
          webviewHtml({
            cspSource: origin,
            nonce: createNonce(),
            scriptUri: `${origin}/dist/webview.js`,
            styleUri: `${origin}/dist/webview.css`,
            title: 'Layer Probe',
          }),
        );
      } else if (req.url === '/favicon.ico') {
        res.writeHead(204).end(); // a webview asks for none; a plain page does
      } else if (req.url === '/dist/webview.js' || req.url === '/dist/webview.css') {
        const type = req.url.endsWith('.js') ? 'text/javascript' : 'text/css';
        res.writeHead(200, { 'content-type': type });
        res.end(fs.readFileSync(path.join(dist, path.basename(req.url))));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await (await newContext(browser, { width: 1280, height: 900 })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${message.text()} (${message.location().url})`);
    });
    await page.addInitScript(installStubs);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('the page carries the production CSP, and the browser enforces it', async () => {
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp ?? '', /^default-src 'none'; .*script-src 'nonce-[0-9a-f]{32}'$/);
    await waitForPosted('ready');
    // Control: an inline script without the nonce is blocked and reported. (Run after `ready`, then
    // forgotten, so the checks below start from zero.)
    const reported = page.waitForEvent('console', (m) => m.type() === 'error' && m.text().includes('Content Security Policy'));
    const blocked = await page.evaluate(async () => {
      const w = window as unknown as PageGlobals;
      const script = document.createElement('script');
      script.textContent = 'window.__pwned.push("control")';
      document.body.appendChild(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const seen = w.__violations.splice(0);
      script.remove();
      return { ran: w.__pwned.splice(0), seen };
    });
    assert.deepEqual(blocked.ran, [], 'an inline script without the nonce ran');
    assert.equal(blocked.seen.length, 1);
    assert.equal(blocked.seen[0].directive, 'script-src-elem');
    await reported;
    const controlErrors = pageErrors.splice(0);
    assert.equal(controlErrors.length, 1, controlErrors.join('\n'));
  });

  test('a live run: its stage, then each finished cell drawn as it arrives, the title as text; the result replaces it', async () => {
    const tokens = [...TOKEN_POSITIONS];
    const live: LiveMessage = { type: 'live', title: `m · ${HOSTILE.img} · mlp_out`, stage: 'Forward passes 10/40 rows', progress: 0.3, tokens, cells: [] };
    await postToWebview(live);
    await page.locator('.live-stage', { hasText: 'Forward passes 10/40 rows' }).waitFor();
    assert.equal(await page.locator('.title h1').textContent(), live.title, 'the title is text');
    assert.equal(await page.locator('.live-plot .hm').count(), 0, 'no heatmap before the first probe');
    const cells: LiveCell[] = [
      { layer: 0, token: 5, auc: 0.9, aucInterval: [0.85, 0.95] },
      { layer: 0, token: 6, auc: 0.6, aucInterval: [0.5, 0.7] },
    ];
    await postToWebview({ ...live, stage: 'Probes 2/60', progress: 0.8, numLayers: 4, cellsTotal: 60, cells });
    await page.locator('.live-plot[data-cells="2"] .main-svg .hm').waitFor();
    const z = await page.evaluate(() => (document.querySelector('.live-plot') as unknown as { data: { z: (number | null)[][] }[] }).data[0].z);
    assert.equal(z.length, 4);
    assert.deepEqual(z.flatMap((row, layer) => row.flatMap((v, token) => (v === null ? [] : [[layer, token, v]]))), [[0, 5, 0.9], [0, 6, 0.6]]);
    assert.equal(await page.locator('.live-count').textContent(), '2 of 60 probes finished');
    await page.screenshot({ path: path.join(SHOTS, '00-live.png') });
    assert.deepEqual(await globals('__pwned'), []);
    assert.deepEqual(await globals('__violations'), []);
  });

  test('draws a result posted by the host, with no CSP violation', async () => {
    assert.deepEqual(await globals('__posted'), [{ type: 'ready' }]);
    await postToWebview({ type: 'result', view: toHeatmapView(result), resultFile: '/tmp/result.json' });
    const plot = page.locator('.plot-column .plot');
    await plot.locator('.main-svg .hm').waitFor();
    assert.ok(await page.locator('.live').isHidden(), 'the result replaced the live view');
    // Hover a cell: Plotly's hover label is built with inline styles (style-src 'unsafe-inline').
    const point = await cellCentre(plot, 2, 5);
    await plot.hover({ position: point });
    await page.locator('.hoverlayer .hovertext').waitFor();
    assert.match((await page.locator('.hoverlayer .hovertext').textContent()) ?? '', /Layer 2 · exact_answer_last/);
    await page.screenshot({ path: path.join(SHOTS, '01-result-drawn.png') });
    assert.deepEqual(await globals('__violations'), []);
  });

  test('a clicked cell asks the host for its examples, which are listed as text', async () => {
    const plot = page.locator('.plot-column .plot');
    await clickCell(plot, 2, 3);
    await waitForPosted('selectCell');
    const posted = await globals('__posted');
    assert.deepEqual(posted.at(-1), { type: 'selectCell', layer: 2, token: 3 });
    await postToWebview({ type: 'examples', layer: 2, token: 3, examples: examplesForCell(result, 2, 3) });
    const items = page.locator('.examples li.example');
    await items.first().waitFor();
    assert.equal(await items.count(), 4);
    const text = (await page.locator('.examples').textContent()) ?? '';
    for (const payload of Object.values(HOSTILE)) assert.ok(text.includes(payload), `shown as text: ${payload}`);
    assert.ok(text.includes('</script><script>window.__pwned.push("close")</script><!--'));
    // The question, gold and model answers are text too; the exact answer is found case-insensitively
    // in the model answer and marked with the answer's own text.
    const second = items.filter({ hasText: HOSTILE.link });
    assert.equal(await second.locator('.question').textContent(), `QuestionWhich city? ${HOSTILE.alert}`);
    assert.equal(await second.locator('.gold dd').textContent(), HOSTILE.link);
    assert.equal(await second.locator('.model mark.exact').textContent(), HOSTILE.img);
    assert.equal(await second.locator('.model dd').textContent(), `Rome ${HOSTILE.img} here`);
    assert.equal(await second.locator('mark.probed').textContent(), '?', 'the probed token (exact_answer_before_first) still marked');
    const header = (await page.locator('header').textContent()) ?? '';
    assert.ok(header.includes(HOSTILE.script), 'the model name is shown as text');
    assert.ok(header.includes(`${HOSTILE.img}.jsonl`), 'the dataset file name is shown as text');
    await page.screenshot({ path: path.join(SHOTS, '02-hostile-examples.png') });
  });

  test('clicking an example posts openExample, and nothing from the dataset executes', async () => {
    const item = page.locator('.examples li.example').filter({ hasText: HOSTILE.link });
    await item.click();
    await waitForPosted('openExample');
    const rowOfLink = result.test.rowIndex[1];
    assert.deepEqual((await globals('__posted')).at(-1), { type: 'openExample', rowIndex: rowOfLink });
    // Give any injected handler (onerror, onload, a navigation) time to fire, then look.
    await page.waitForTimeout(300);
    assert.deepEqual(await globals('__pwned'), []);
    const dom = await page.evaluate(() => ({
      scripts: Array.from(document.scripts, (s) => s.src),
      htmlImages: document.querySelectorAll('img').length,
      links: Array.from(document.querySelectorAll('a'), (a) => a.getAttribute('href')),
      handlers: Array.from(document.querySelectorAll('*')).flatMap((el) =>
        Array.from(el.attributes)
          .filter((a) => a.name.startsWith('on'))
          .map((a) => `${el.tagName} ${a.name}`),
      ),
      url: location.href,
    }));
    // The app replaces the body, its own <script> included: any script element would come from the data.
    assert.deepEqual(dom.scripts, []);
    assert.equal(dom.htmlImages, 0);
    assert.deepEqual(dom.links.filter((href) => href?.trim().toLowerCase().startsWith('javascript:')), []);
    assert.deepEqual(dom.handlers, []);
    assert.match(dom.url, /\/$/, 'the page did not navigate');
    assert.ok((await page.locator('.notice').textContent())?.includes(`Opening row ${rowOfLink}`));
    assert.deepEqual(dialogs, [], 'no alert() ran');
  });

  test('the examples list: filters with counts, "1–100 of 200" paging, search and keyboard', async () => {
    const many = sampleResultWithTexts(200);
    many.createdAt = '2026-11-22T10:00:00.000Z';
    await postToWebview({ type: 'result', view: toHeatmapView(many), resultFile: '/tmp/many.json' });
    const plot = page.locator('.plot-column .plot');
    await plot.locator('.main-svg .hm').waitFor();
    const asked = (await globals('__posted')).filter((m) => m.type === 'selectCell').length;
    await clickCell(plot, 1, 5);
    await waitForPosted('selectCell', asked + 1);
    const examples = examplesForCell(many, 1, 5);
    await postToWebview({ type: 'examples', layer: 1, token: 5, examples });
    const list = page.locator('.examples');
    const items = list.locator('li.example');
    const range = list.locator('.page-range');
    const count = (filter: string): Promise<string | null> => list.locator(`.filter-${filter} .count`).textContent();
    await items.first().waitFor();

    assert.equal(await range.textContent(), '1–100 of 200');
    assert.equal(await items.count(), 100);
    const all = selectExamples(examples, { filter: 'all', search: '', page: 0 }).counts;
    assert.deepEqual(all, { all: 200, errors: 67, misclassified: 99, correct: 133 });
    for (const [filter, n] of Object.entries(all)) assert.equal(await count(filter), String(n), filter);
    assert.equal(await list.locator('.filter-all').getAttribute('aria-pressed'), 'true');
    assert.equal(await list.locator('.pager .previous').isDisabled(), true);
    // Each example: question, gold, model answer with the exact answer marked, label, P(correct).
    const first = items.first();
    assert.equal(await first.locator('.question dd').textContent(), 'Question 0: which city is the capital of land 0?');
    assert.equal(await first.locator('.gold dd').textContent(), 'Paris');
    assert.equal(await first.locator('.model dd').textContent(), 'The answer is Rome.');
    assert.equal(await first.locator('.model mark.exact').textContent(), 'Rome');
    assert.equal(await first.locator('.badge').textContent(), 'error');
    assert.equal(await first.locator('.score').textContent(), 'P(correct) 0.003');
    assert.equal((await first.locator('mark.probed').textContent())?.trim(), 'Rome');
    await page.screenshot({ path: path.join(SHOTS, '04-examples-page-1.png') });

    await list.locator('.pager .next').click();
    assert.equal(await range.textContent(), '101–200 of 200');
    assert.equal(await list.locator('.pager .next').isDisabled(), true);
    assert.equal(await items.first().locator('.where').textContent(), `row ${examples[100]!.rowIndex} · line ${examples[100]!.line}`);

    await list.locator('.filter-errors').click();
    assert.equal(await range.textContent(), '1–67 of 67', 'a filter starts at its first page');
    assert.equal(await list.locator('.filter-errors').getAttribute('aria-pressed'), 'true');
    assert.equal(await items.count(), 67);
    assert.equal(await list.locator('li.example.is-correct').count(), 0);
    await list.locator('.filter-misclassified').click();
    assert.equal(await range.textContent(), '1–99 of 99');
    assert.equal(await list.locator('li.example:not(.is-misclassified)').count(), 0);

    // The search narrows the list and the counts; the box keeps the focus while typing.
    await list.locator('.filter-all').click();
    await list.locator('.example-search').fill('OSLO');
    const oslo = selectExamples(examples, { filter: 'all', search: 'oslo', page: 0 });
    assert.ok(oslo.total > 0 && oslo.total < 100);
    assert.equal(await range.textContent(), `1–${oslo.total} of ${oslo.total}`);
    assert.equal(await items.count(), oslo.total);
    for (const filter of ['all', 'errors', 'misclassified', 'correct'] as const) assert.equal(await count(filter), String(oslo.counts[filter]));
    await list.locator('.example-search').pressSequentially(' land 14?');
    assert.equal(await range.textContent(), '1 of 1');
    assert.equal(await items.first().locator('.question dd').textContent(), 'Question 14: which city is the capital of land 14?');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'example-search');
    await page.screenshot({ path: path.join(SHOTS, '05-examples-search.png') });

    // Keyboard: down from the search box to the list, arrows walk it, Enter opens the example.
    await list.locator('.example-search').fill('');
    assert.equal(await range.textContent(), '1–100 of 200');
    await list.locator('.example-search').press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.querySelector('.where')?.textContent);
    assert.equal(focused, `row ${examples[2]!.rowIndex} · line ${examples[2]!.line}`);
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowDown');
    assert.equal(await range.textContent(), '101–200 of 200', 'down past the last example turns the page');
    await page.keyboard.press('Enter');
    await waitForPosted('openExample', 2);
    assert.deepEqual((await globals('__posted')).at(-1), { type: 'openExample', rowIndex: examples[100]!.rowIndex });
    assert.deepEqual(await globals('__violations'), []);
  });

  test('a narrow panel puts the list below the heatmap, a wide one beside it; the heatmap keeps its size', async () => {
    const box = async (selector: string) => {
      const b = await page.locator(selector).boundingBox();
      assert.ok(b, `${selector} is not shown`);
      return b;
    };
    const heatmapHeight = (await box('.plot-column .plot')).height;
    const wide = { plot: await box('.plot-column'), examples: await box('.examples-column') };
    assert.ok(wide.examples.x >= wide.plot.x + wide.plot.width, 'wide: the list is beside the heatmap');
    assert.ok(wide.examples.height <= 900, 'wide: the list is no taller than the panel');
    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForFunction(() => (document.querySelector('.plot-column')?.getBoundingClientRect().width ?? 0) > 600);
    const narrow = { plot: await box('.plot-column'), examples: await box('.examples-column') };
    assert.ok(narrow.examples.y >= narrow.plot.y + narrow.plot.height, 'narrow: the list is below the heatmap');
    assert.ok(narrow.plot.y < 300, 'the heatmap stays at the top');
    assert.ok(Math.abs((await box('.plot-column .plot')).height - heatmapHeight) < 1, 'the heatmap keeps its height');
    // A long list scrolls in its own box, so it cannot push the page far past the heatmap.
    assert.ok((await box('.example-list')).height <= 0.7 * 900 + 1);
    await page.screenshot({ path: path.join(SHOTS, '06-narrow-panel.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('no CSP violation and no page error over the whole session', async () => {
    // Switch metric too: another full redraw.
    await page.locator('#metric').click();
    // The options list lives in the select's shadow DOM (role locators pierce it).
    await page.locator('#metric').getByRole('option', { name: 'Accuracy', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('.plot .colorbar .cbtitle')?.textContent?.includes('Accuracy'));
    await page.screenshot({ path: path.join(SHOTS, '03-metric-switched.png') });
    assert.deepEqual(await globals('__violations'), []);
    assert.deepEqual(pageErrors, []);
  });
});
