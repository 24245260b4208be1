// The packaged extension in a real VS Code workbench (code-server 4.100.3 in Debian's chromium), driven
// as a user drives it: install the VSIX, right-click a dataset → Probe Dataset…, answer the model
// prompt, wait for the progress, click a heatmap cell, click an example, switch the theme, cancel a
// run. A screenshot of each step goes to .test-output/e2e/ui/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { TOKEN_POSITIONS, type TokenPositionName } from '../../../src/contract/types';
import { launchBrowser, newContext } from '../support/browser';
import { type CodeServer, createProfile, installExtension, type Profile, removeProfile, startCodeServer } from '../support/codeServer';
import { plantedRows, writeJsonl, type WrittenDataset } from '../support/datasets';
import { FIXTURE_MODEL, OUTPUT_DIR, REPO_ROOT } from '../support/paths';
import { clickCell, luminance, plotColours } from '../support/plotly';
import { channelLog, waitUntil } from '../support/wait';
import { Workbench } from '../support/workbench';

const OUT = path.join(OUTPUT_DIR, 'ui');
const VSIX = path.join(REPO_ROOT, 'layer-probe-linux-x64.vsix');
const MODEL_NAME = path.basename(FIXTURE_MODEL);
/** Enough rows that forward passes last many seconds on the tiny model: time to press Cancel. */
const LARGE_ROWS = 20_000;
/**
 * Enough rows that the 60 probes take seconds on the tiny model: time to watch them appear. 4,000 was
 * too few once warm starts made the probes ~22/s: a webview that became visible late saw only 53/60.
 */
const LIVE_ROWS = 12_000;
const col = (name: TokenPositionName): number => TOKEN_POSITIONS.indexOf(name);

describe('Layer Probe in the VS Code workbench (packaged VSIX, code-server)', () => {
  let profile: Profile;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let wb: Workbench;
  let planted: WrittenDataset;
  let step = 0;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(OUT, `${String(++step).padStart(2, '0')}-${name}.png`) });
  let broken: string | undefined;
  /**
   * A step of the session: it leaves a screenshot when it fails, and the steps after a failed one
   * fail at once (each needs the workbench state the previous one left) instead of timing out.
   */
  const uiTest = (name: string, fn: () => Promise<void>): void => {
    test(name, async () => {
      if (broken) throw new Error(`not run: the earlier step "${broken}" failed`);
      try {
        await fn();
      } catch (error) {
        broken = name;
        await shot('FAILED').catch(() => undefined);
        throw error;
      }
    });
  };

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    profile = createProfile('ui');
    await installExtension(profile, VSIX);
    const installed = fs.readdirSync(profile.extensionsDir).filter((f) => f.startsWith('layer-probe.layer-probe-'));
    assert.equal(installed.length, 1, `installed: ${fs.readdirSync(profile.extensionsDir).join(', ')}`);
    planted = writeJsonl(profile.workspace, 'planted.jsonl', plantedRows(240));
    writeJsonl(profile.workspace, 'large.jsonl', plantedRows(LARGE_ROWS, 99));
    writeJsonl(profile.workspace, 'live.jsonl', plantedRows(LIVE_ROWS, 98));
    // All rows of the large file (the default samples 1000); no model folder: the user is asked. No
    // baselines: nothing here checks them (generateBenchmark.test.ts does), and on the live run's 12,000
    // rows they would hold the result back for minutes after the last probe.
    fs.mkdirSync(path.join(profile.workspace, '.vscode'));
    fs.writeFileSync(path.join(profile.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'layerProbe.sampleLimit': 0, 'layerProbe.baselines': false }));

    server = await startCodeServer(profile, { logFile: path.join(OUT, 'code-server.log') });
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    const consoleLog = fs.createWriteStream(path.join(OUT, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    wb = new Workbench(page);
    await page.goto(server.workbenchUrl(profile.workspace));
    await wb.explorerRow('planted.jsonl').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (profile) removeProfile(profile);
  });

  uiTest('right-click a dataset → Probe Dataset…, pick the model in the file dialog, get the heatmap', async () => {
    await shot('workbench');
    await wb.chooseFromContextMenu('planted.jsonl', 'Probe Dataset…', () => shot('explorer-context-menu'));

    // No model folder is set or remembered: VS Code's open dialog (code-server: the simple file dialog).
    await wb.quickInput.locator('.quick-input-title', { hasText: 'choose an ONNX model folder' }).waitFor();
    // It starts in the workspace folder (defaultUri). It fills its box in steps (the parent first):
    // typing before it has settled would be overwritten.
    await waitUntil(() => wb.quickInputBox.inputValue(), (v) => v === `${profile.workspace}/`, 'the dialog to open the workspace folder');
    await wb.quickInputBox.fill(`${FIXTURE_MODEL}/`);
    await shot('model-folder-dialog');
    await wb.quickInput.locator('.monaco-button', { hasText: 'Use this model' }).click();
    await wb.quickInput.waitFor({ state: 'hidden' });

    const progress = wb.notification('Layer Probe');
    const title = `${MODEL_NAME} · planted.jsonl · mlp_out`;
    // 240 rows take seconds: the progress is usually still there, but a fast machine may be done.
    await progress.or(wb.tabs(title)).first().waitFor();
    await shot('progress');
    await wb.tabs(title).waitFor({ timeout: 120_000 });
    await progress.waitFor({ state: 'hidden' });
    const view = wb.webview();
    await view.locator('.plot .main-svg .hm').waitFor();
    const header = (await view.locator('header').textContent()) ?? '';
    assert.ok(header.includes(MODEL_NAME), header);
    assert.ok(header.includes('240 used of 240 · 192 train / 48 test'), header);
    const axes = await view.locator('.plot-column .plot').evaluate((gd) => {
      const data = (gd as HTMLElement & { data: { x: string[]; y: number[] }[] }).data[0];
      return { x: data.x, y: data.y };
    });
    assert.deepEqual(axes, { x: [...TOKEN_POSITIONS], y: [0, 1, 2, 3] });
    await shot('heatmap');
  });

  uiTest('click a cell by its layer and token: its held-out examples are listed', async () => {
    const view = wb.webview();
    const plot = view.locator('.plot-column .plot');
    const token = col('exact_answer_last');
    await clickCell(plot, 2, token);
    const heading = view.locator('.examples h2');
    await heading.filter({ hasText: 'Layer 2 · exact_answer_last' }).waitFor();
    // The AUC the list names is the clicked cell's value in the drawn matrix, and it carries the planted signal.
    const auc = await plot.evaluate((gd, t) => (gd as HTMLElement & { data: { z: (number | null)[][] }[] }).data[0].z[2][t], token);
    assert.ok(auc !== null && auc >= 0.95, `AUC ${auc}`);
    assert.equal(await heading.textContent(), `Layer 2 · exact_answer_last — AUC ${auc.toFixed(3)}`);
    assert.equal(await view.locator('.examples li.example').count(), 48);
    // The probed token is highlighted in every example: the planted word (the exact answer in the
    // model answer is a mark.exact of its own).
    const marked = await view.locator('.examples li.example mark.probed').allTextContents();
    assert.equal(marked.length, 48);
    for (const word of marked) assert.match(word.trim(), /^(Paris|London|Berlin|Rome|Madrid|Tokyo)$/);
    await shot('cell-examples');
  });

  uiTest('click an example: the dataset opens with that row\'s line selected', async () => {
    const view = wb.webview();
    const example = view.locator('.examples li.example').nth(5);
    const where = (await example.locator('.where').textContent()) ?? '';
    const match = /row (\d+) · line (\d+)/.exec(where);
    assert.ok(match, where);
    const [row, line] = [Number(match[1]), Number(match[2])];
    // Lines counted by the writer of the file: after record 0 and 99 come blank lines.
    assert.equal(line, planted.lines[row]);
    await example.click();
    await wb.tabs('planted.jsonl').waitFor();
    const recordText = JSON.stringify(planted.rows[row]);
    await wb.cursorStatus.filter({ hasText: `Ln ${line},` }).waitFor();
    assert.equal((await wb.cursorStatus.textContent())?.trim(), `Ln ${line}, Col ${recordText.length + 1} (${recordText.length} selected)`);
    // The selected line is on screen, and it is that record.
    const active = page.locator('.editor-group-container.active .monaco-editor');
    const selected = active.locator('.view-line', { hasText: recordText.slice(0, 60) });
    await selected.waitFor();
    await shot('example-opened');
  });

  uiTest('the heatmap follows a theme switch from light to dark', async () => {
    const plot = wb.webview().locator('.plot-column .plot');
    const light = await plotColours(plot);
    assert.equal(light.paper, await wb.themeColour('editor-background'));
    assert.ok(luminance(light.paper) > 0.8 && luminance(light.font) < 0.3, `light: ${JSON.stringify(light)}`);
    assert.equal(light.drawnBackground, light.paper);
    assert.equal(light.drawnTickFill, light.font);

    await wb.runCommand('Preferences: Color Theme');
    await wb.quickInput.locator('input[placeholder^="Select Color Theme"]').waitFor();
    await wb.quickInputBox.fill('Dark Modern');
    await wb.quickInputRowLabelled('Dark Modern').click();
    await wb.quickInput.waitFor({ state: 'hidden' });

    const dark = await waitUntil(() => plotColours(plot), (c) => c.paper !== light.paper, 'the plot to redraw in the new theme');
    assert.equal(dark.paper, await wb.themeColour('editor-background'));
    assert.ok(luminance(dark.paper) < 0.1 && luminance(dark.font) > 0.4, `dark: ${JSON.stringify(dark)}`);
    await waitUntil(() => plotColours(plot), (c) => c.drawnBackground === dark.paper && c.drawnTickFill === dark.font, 'the drawing to use them');
    // The selection survived the redraw.
    assert.match((await wb.webview().locator('.examples h2').textContent()) ?? '', /^Layer 2 · exact_answer_last/);
    await shot('dark-theme');
  });

  uiTest("a run's panel opens when it starts and fills in cell by cell, with final values, before the run ends", async () => {
    await wb.runCommand('View: Close All Editors');
    await wb.allTabs.first().waitFor({ state: 'detached' });
    await wb.chooseFromContextMenu('live.jsonl', 'Probe Dataset…');
    await wb.quickInputRow(MODEL_NAME).click();
    const title = `${MODEL_NAME} · live.jsonl · mlp_out`;
    await wb.tabs(`${title} (running)`).waitFor({ timeout: 60_000 });
    const view = wb.webview();
    await view.locator('.live-stage').filter({ hasText: /\S/ }).waitFor();
    const stage = (await view.locator('.live-stage').textContent()) ?? '';
    await shot('live-started');

    // Watch the page until the result replaces the live view: the drawn cell counts, and the values
    // drawn at the first partial moment.
    const result = view.locator('.plot-column .plot .main-svg .hm');
    const livePlot = view.locator('.live-plot');
    const counts = new Set<number>();
    let partial: (number | null)[][] | undefined;
    const deadline = Date.now() + 180_000;
    while ((await result.count()) === 0) {
      assert.ok(Date.now() < deadline, `no result within 180 s; cell counts seen: ${[...counts].join(', ')}`);
      const drawn = await livePlot
        .evaluate((gd) => ({ cells: Number((gd as HTMLElement).dataset.cells ?? 0), z: (gd as HTMLElement & { data?: { z: (number | null)[][] }[] }).data?.[0]?.z }), undefined, { timeout: 1_000 })
        .catch(() => undefined);
      if (drawn && drawn.cells > 0) {
        counts.add(drawn.cells);
        if (!partial && drawn.cells < 60 && drawn.z) {
          partial = drawn.z;
          await shot('live-partial');
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const partialCounts = [...counts].filter((n) => n > 0 && n < 60);
    assert.ok(partialCounts.length >= 2, `cells appeared in steps before the run ended (counts seen: ${[...counts].join(', ')}; first stage "${stage}")`);
    assert.ok(partial, 'a partly filled heatmap was drawn');
    // Coarse to fine (layers 0, 2, then 1, 3): at the first partial moment — however late the poll
    // caught it — each layer in that order holds at least as many cells as the next, and layer 0 has some.
    const filled = [0, 2, 1, 3].map((layer) => partial![layer].filter((v) => v !== null).length);
    assert.ok(filled[0] > 0 && filled.every((n, i) => i === 0 || n <= filled[i - 1]), `cells per layer 0, 2, 1, 3 at the first partial moment: ${filled.join(', ')}`);

    await wb.tabs(title).waitFor({ timeout: 60_000 });
    const final = await view.locator('.plot-column .plot').evaluate((gd) => (gd as HTMLElement & { data: { z: (number | null)[][] }[] }).data[0].z);
    partial.forEach((row, layer) =>
      row.forEach((v, token) => {
        if (v !== null) assert.equal(v, final[layer][token], `layer ${layer}, ${TOKEN_POSITIONS[token]}: the live value is the final one`);
      }),
    );
    assert.equal(await view.locator('.live').isHidden(), true, 'the result replaced the live view');
    await shot('live-done');
  });

  uiTest('Cancel during a run: the run stops and no panel claims a result', async () => {
    await wb.runCommand('View: Close All Editors');
    await wb.allTabs.first().waitFor({ state: 'detached' });
    await wb.chooseFromContextMenu('large.jsonl', 'Probe Dataset…');
    // The model folder is remembered for this workspace: a quick pick offers it (or Browse…).
    await wb.quickInputRow('Browse…').waitFor();
    await shot('remembered-model-pick');
    await wb.quickInputRow(MODEL_NAME).click();

    const progress = wb.notification('Layer Probe');
    await progress.filter({ hasText: 'Forward passes' }).waitFor({ timeout: 120_000 });
    await shot('large-run-in-progress');
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await progress.waitFor({ state: 'hidden' });

    // The extension logs the cancellation in its output channel; read it there, as a user would.
    await wb.runCommand('Output: Show Output Channels...');
    await wb.quickInputRowLabelled('Layer Probe').click();
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output.filter({ hasText: 'Run cancelled by the user.' }).waitFor();
    await shot('cancelled');
    // The whole channel, from its log file: the large run started, was cancelled, and never finished.
    const log = channelLog(profile, 'Layer Probe');
    const run = log.lastIndexOf('Run: dataset ');
    assert.ok(log.slice(run).startsWith(`Run: dataset ${path.join(profile.workspace, 'large.jsonl')}`), log.slice(run, run + 200));
    assert.ok(log.slice(run).includes('Run cancelled by the user.'));
    assert.ok(!log.slice(run).includes('Done:'), 'the cancelled run produced no result');
    assert.deepEqual(await wb.allTabs.evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-label'))), [], 'no editor (so no heatmap panel) is open');
    assert.equal(await page.locator('iframe.webview').count(), 0, 'no webview exists');
    assert.equal(await wb.notification(/Layer Probe/).count(), 0, 'no notification remains');
  });
});
