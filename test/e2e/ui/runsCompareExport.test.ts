// Runs as research artefacts in a real VS Code workbench (packaged VSIX, code-server in Debian's
// chromium), driven by clicks: probe a dataset, rerun it from the panel at another location (forward
// passes) and with another seed (none: every activation from the cache), open two runs from the Layer
// Probe view in two panels, compare them (from the view and with the panel's Compare with…) against the
// element-wise difference of their result.json files, and export the heatmap as PNG and SVG through
// VS Code's save dialog, decoding the PNG's colours and parsing the SVG. Screenshots go to
// .test-output/e2e/ui-runs/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';

import { bluesRgb, UNDEFINED_CELL_COLOUR } from '../../../src/contract/colourScale';
import { heatmapViewSvg } from '../../../src/contract/heatmapFigure';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { parseProbeResult, type ProbeResult } from '../../../src/contract/result';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { launchBrowser, newContext } from '../support/browser';
import { type CodeServer, createProfile, installExtension, type Profile, removeProfile, startCodeServer } from '../support/codeServer';
import { plantedRows, writeJsonl } from '../support/datasets';
import { assertColourClose, hexRgb, parseFigure, pixelAtCentre } from '../support/figure';
import { FIXTURE_MODEL, OUTPUT_DIR, REPO_ROOT } from '../support/paths';
import { channelLog, waitUntil } from '../support/wait';
import { Workbench } from '../support/workbench';

const OUT = path.join(OUTPUT_DIR, 'ui-runs');
const VSIX = path.join(REPO_ROOT, 'layer-probe-linux-x64.vsix');
const MODEL_NAME = path.basename(FIXTURE_MODEL);
const ROWS = 240;
const DATASET = 'planted.jsonl';
const title = (location: string): string => `${MODEL_NAME} · ${DATASET} · ${location}`;

interface Run {
  file: string;
  result: ProbeResult;
}

type Matrix = (number | null)[][];

/** a − b per cell, null where either is undefined: what the comparison must show. */
function difference(a: Matrix, b: Matrix): Matrix {
  return a.map((row, l) => row.map((v, t) => (v === null || b[l][t] === null ? null : v - b[l][t]!)));
}

describe('runs in the VS Code workbench: rerun from the panel, open two from the Runs view, compare, export', () => {
  let profile: Profile;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let wb: Workbench;
  let step = 0;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(OUT, `${String(++step).padStart(2, '0')}-${name}.png`) });
  let broken: string | undefined;
  /** A step of the session (each needs the state the one before left): later steps fail at once after a failure. */
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

  /** The runs the extension stored (its workspace storage's runs/<run>/result.json), read from disk. */
  const storedRuns = (): Run[] => {
    const files = (fs.readdirSync(profile.userDataDir, { recursive: true }) as string[])
      .filter((f) => path.basename(f) === 'result.json' && path.basename(path.dirname(path.dirname(f))) === 'runs')
      .map((f) => path.join(profile.userDataDir, f));
    return files.map((file) => ({ file, result: parseProbeResult(fs.readFileSync(file, 'utf8'), file) })).sort((a, b) => (a.result.createdAt < b.result.createdAt ? -1 : 1));
  };
  /** Waits for exactly one run more than `known` and returns it. */
  const newRun = async (known: Run[]): Promise<Run> => {
    // The panel opens when the run starts: its result.json comes when the run ends.
    const runs = await waitUntil(() => Promise.resolve(storedRuns()), (r) => r.length > known.length, 'the new run folder', 120_000);
    const added = runs.filter((r) => !known.some((k) => k.file === r.file));
    assert.equal(added.length, 1, `new runs: ${added.map((r) => r.file).join(', ')}`);
    return added[0];
  };

  /** The webview on screen: other panels' webviews (hidden tabs) are not. */
  const view = (): FrameLocator => page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
  /** The heatmap of a run panel (the comparison view's plot also has class plot). */
  const heatmap = (): Locator => view().locator('.plot-column .plot');
  /** The panel on screen shows `run`: its header names the run's creation time. */
  const showsRun = (run: Run): Promise<void> => view().locator(`header .fact dd[title="${run.result.createdAt}"]`).waitFor();
  const drawnAuc = (plot: Locator): Promise<Matrix> => plot.evaluate((gd) => (gd as HTMLElement & { data: { z: (number | null)[][] }[] }).data[0].z);

  const runsViewRow = (run: Run): Locator => page.locator('.part.sidebar .monaco-list-row', { hasText: `${run.result.model.location} · AUC` }).filter({ hasText: new Date(run.result.createdAt).toLocaleString() });

  let first: Run;
  let otherLocation: Run;
  let otherSeed: Run;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    profile = createProfile('ui-runs');
    await installExtension(profile, VSIX);
    writeJsonl(profile.workspace, DATASET, plantedRows(ROWS, 2024));
    fs.mkdirSync(path.join(profile.workspace, '.vscode'));
    fs.writeFileSync(path.join(profile.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'layerProbe.modelFolder': FIXTURE_MODEL }));

    server = await startCodeServer(profile, { logFile: path.join(OUT, 'code-server.log') });
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    const consoleLog = fs.createWriteStream(path.join(OUT, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    wb = new Workbench(page);
    await page.goto(server.workbenchUrl(profile.workspace));
    await wb.explorerRow(DATASET).waitFor({ timeout: 60_000 });
  });

  after(async () => {
    if (page) await shot('end').catch(() => undefined);
    // The extension's log outlives the profile, for whoever reads a failure.
    if (profile) {
      try {
        fs.writeFileSync(path.join(OUT, 'layer-probe.log'), channelLog(profile, 'Layer Probe'));
      } catch {
        // No log written (the extension never ran).
      }
    }
    await browser?.close();
    await server?.stop();
    if (profile) removeProfile(profile);
  });

  uiTest('probe a dataset from the Explorer: a run folder with its result and a panel titled model · dataset · location', async () => {
    await wb.chooseFromContextMenu(DATASET, 'Probe Dataset…');
    await wb.tabs(title('mlp_out')).waitFor({ timeout: 120_000 });
    first = await newRun([]);
    await heatmap().locator('.main-svg .hm').waitFor({ timeout: 60_000 });
    await wb.notification('Layer Probe').waitFor({ state: 'hidden' });
    assert.equal(first.result.model.location, 'mlp_out');
    assert.equal(first.result.settings.options.seed, 0);
    assert.equal(first.result.model.forwardPassRows, ROWS, 'the first run ran every row through the model');
    await showsRun(first);
    assert.deepEqual(await drawnAuc(heatmap()), first.result.metrics.auc);
    await shot('first-run');
  });

  uiTest('rerun from the panel at another location: the panel says it needs forward passes, the rerun opens its own panel', async () => {
    const rerun = view().locator('details.rerun');
    await rerun.locator('summary').click();
    const plan = rerun.locator('.rerun-plan');
    await plan.filter({ hasText: 'change a setting to rerun' }).waitFor();
    await rerun.locator('#rerun-location').click();
    await rerun.locator('#rerun-location').getByRole('option', { name: 'resid_post', exact: true }).click();
    await plan.filter({ hasText: `needs forward passes (${ROWS} rows)` }).waitFor({ timeout: 60_000 });
    await shot('rerun-location-plan');
    const known = storedRuns();
    await rerun.locator('#rerun-button').click();
    await wb.tabs(title('resid_post')).waitFor({ timeout: 120_000 });
    otherLocation = await newRun(known);
    assert.equal(otherLocation.result.model.location, 'resid_post');
    assert.equal(otherLocation.result.settings.options.seed, 0);
    assert.equal(otherLocation.result.model.forwardPassRows, ROWS);
    await showsRun(otherLocation);
    await heatmap().locator('.main-svg .hm').waitFor();
    await shot('rerun-location');
  });

  uiTest('rerun from the panel with another seed: "no forward pass", and the new run ran none', async () => {
    await wb.tabs(title('mlp_out')).click();
    await showsRun(first);
    const rerun = view().locator('details.rerun');
    // The page reloaded when its tab came back: the controls are closed again.
    if (!(await rerun.evaluate((d) => (d as HTMLDetailsElement).open))) await rerun.locator('summary').click();
    const plan = rerun.locator('.rerun-plan');
    await plan.filter({ hasText: 'change a setting to rerun' }).waitFor();
    await rerun.locator('#rerun-seed input').fill('5');
    await plan.filter({ hasText: `from the activation cache: no forward pass (${ROWS} rows)` }).waitFor({ timeout: 60_000 });
    await shot('rerun-seed-plan');
    const known = storedRuns();
    await rerun.locator('#rerun-button').click();
    await wb.tabs(title('mlp_out')).nth(1).waitFor({ timeout: 120_000 });
    otherSeed = await newRun(known);
    assert.equal(otherSeed.result.settings.options.seed, 5);
    assert.equal(otherSeed.result.model.location, 'mlp_out');
    assert.equal(otherSeed.result.model.forwardPassRows, 0, 'zero forward passes');
    assert.notDeepEqual(otherSeed.result.test.rowIndex, first.result.test.rowIndex, 'another split');
    await showsRun(otherSeed);
    await shot('rerun-seed');
    // The run log says so too.
    assert.match(channelLog(profile, 'Layer Probe'), /Rerun of .*"seed":"5"/);
  });

  uiTest('the Layer Probe view lists the runs; two of them open in two panels at once', async () => {
    await wb.runCommand('View: Close All Editors');
    await wb.allTabs.first().waitFor({ state: 'detached' });
    await page.locator('.part.activitybar .action-item a[aria-label^="Layer Probe"]').click();
    for (const run of [first, otherLocation, otherSeed]) await runsViewRow(run).waitFor();
    await shot('runs-view');
    await runsViewRow(first).click();
    await wb.tabs(title('mlp_out')).waitFor();
    await showsRun(first);
    await runsViewRow(otherLocation).click();
    await wb.tabs(title('resid_post')).waitFor();
    await showsRun(otherLocation);
    await heatmap().locator('.main-svg .hm').waitFor();
    assert.deepEqual(await drawnAuc(heatmap()), otherLocation.result.metrics.auc);
    const tabs = await wb.allTabs.evaluateAll((all) => all.map((t) => t.getAttribute('aria-label')?.split(', ')[0]));
    assert.deepEqual(tabs, [title('mlp_out'), title('resid_post')]);
    await shot('two-panels');
    // Back to the first: its panel still shows its own run.
    await wb.tabs(title('mlp_out')).click();
    await showsRun(first);
    await heatmap().locator('.main-svg .hm').waitFor();
    assert.deepEqual(await drawnAuc(heatmap()), first.result.metrics.auc);
  });

  /** Right-clicks `row` and chooses `label` with the keyboard (see Workbench.chooseFromContextMenu for why not the mouse). */
  const chooseFromRowMenu = async (row: Locator, label: string): Promise<void> => {
    const menu = page.locator('.context-view .monaco-menu');
    await row.click({ button: 'right' });
    await menu.waitFor();
    const count = await menu.locator('.action-item .action-label').count();
    const focused = menu.locator('.action-item.focused .action-label');
    for (let i = 0; i <= count; i++) {
      await page.keyboard.press('ArrowDown');
      if ((await focused.textContent()) === label) {
        await page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden' });
        return;
      }
    }
    throw new Error(`no "${label}" in the context menu: ${(await menu.locator('.action-item .action-label').allTextContents()).join(' | ')}`);
  };

  /** The comparison on screen: which runs are A and B (by their result files) and the drawn matrix. */
  const shownComparison = async (): Promise<{ a: Run; b: Run; z: Matrix; rows: string; plot: Locator }> => {
    const section = view().locator('section.comparison');
    const plot = section.locator('.comparison-plot');
    await plot.locator('.main-svg .hm').waitFor({ timeout: 60_000 });
    const files = await section.locator('.comparison-header dd[title]').evaluateAll((dds) => dds.map((d) => d.getAttribute('title')));
    assert.equal(files.length, 2, `A and B: ${files.join(', ')}`);
    const runs = storedRuns();
    const byFile = (file: string | null): Run => {
      const run = runs.find((r) => r.file === file);
      assert.ok(run, `${file} is not a stored run`);
      return run;
    };
    return {
      a: byFile(files[0]),
      b: byFile(files[1]),
      z: await plot.evaluate((gd) => (gd as HTMLElement & { data: { z: (number | null)[][] }[] }).data[0].z),
      rows: (await section.locator('.pairing').textContent()) ?? '',
      plot,
    };
  };

  uiTest('select the two runs in the view → Compare Runs…: the difference heatmap is A − B of their result files, paired', async () => {
    await runsViewRow(first).click();
    await runsViewRow(otherLocation).click({ modifiers: ['ControlOrMeta'] });
    await waitUntil(() => page.locator('.part.sidebar .monaco-list-row.selected').count(), (n) => n === 2, 'two selected runs');
    await chooseFromRowMenu(runsViewRow(otherLocation), 'Compare Runs…');
    const tab = page.locator('.tabs-container .tab[aria-label*=" − "]');
    await tab.waitFor({ timeout: 60_000 });
    const shown = await shownComparison();
    assert.deepEqual(new Set([shown.a.file, shown.b.file]), new Set([first.file, otherLocation.file]), 'the two selected runs');
    assert.equal((await tab.getAttribute('aria-label'))?.split(', ')[0], `${title(shown.a.result.model.location)} − ${title(shown.b.result.model.location)}`);
    assert.deepEqual(shown.z, difference(shown.a.result.metrics.auc, shown.b.result.metrics.auc));
    // The same test rows (one seed, one dataset): a paired bootstrap.
    assert.match(shown.rows, /^paired: /);
    assert.ok(shown.z.flat().some((d) => d !== null && d !== 0), 'the locations differ somewhere');
    await shot('compare-from-view');
  });

  uiTest('the panel\'s Compare with… → pick the other seed: the difference is this run − that run, unpaired', async () => {
    await wb.tabs(title('mlp_out')).click();
    await showsRun(first);
    await view().locator('button.compare-with').click();
    await wb.quickInput.locator('.quick-input-title', { hasText: `compare ${path.basename(path.dirname(first.file))} with` }).waitFor();
    // The difference with every other run is offered (not with this one); a transfer entry ("Train on
    // this run, test on …") may follow.
    const differenceRow = (location: string): Locator => wb.quickInput.locator(`.quick-input-list .monaco-list-row[aria-label^="${title(location)}"]`);
    await differenceRow('resid_post').waitFor();
    assert.equal(await differenceRow('mlp_out').count(), 1);
    assert.equal(await wb.quickInput.locator(`.quick-input-list .monaco-list-row[aria-label^="${MODEL_NAME}"]`).count(), 2);
    await shot('compare-with-pick');
    await differenceRow('mlp_out').click();
    const tab = wb.tabs(`${title('mlp_out')} − ${title('mlp_out')}`);
    await tab.waitFor({ timeout: 60_000 });
    const shown = await shownComparison();
    assert.equal(shown.a.file, first.file);
    assert.equal(shown.b.file, otherSeed.file);
    assert.deepEqual(shown.z, difference(first.result.metrics.auc, otherSeed.result.metrics.auc));
    // Two seeds split the rows differently: each side's own test rows are resampled.
    assert.match(shown.rows, /^unpaired: /);
    await shot('compare-with');
  });

  /** Export… → `item` → VS Code's save dialog (code-server: the simple one) → `target`, Enter; resolves when the panel says it saved. */
  const exportThroughSaveDialog = async (item: string, dialogTitle: string, defaultName: string, target: string): Promise<void> => {
    await view().locator('#export-button').click();
    await view().getByRole('menuitem', { name: item, exact: true }).click();
    await wb.quickInput.locator('.quick-input-title', { hasText: dialogTitle }).waitFor();
    // The dialog fills its box in steps: typing before it has settled would be overwritten.
    await waitUntil(() => wb.quickInputBox.inputValue(), (v) => v === path.join(profile.workspace, defaultName), 'the save dialog to offer its default file');
    await wb.quickInputBox.fill(target);
    await page.keyboard.press('Enter');
    await wb.quickInput.waitFor({ state: 'hidden' });
    await view().locator('.notice').filter({ hasText: `Saved ${target}.` }).waitFor();
  };

  uiTest('Export… → PNG through the save dialog: the decoded image has the Blues colour of each cell\'s AUC at its centre', async () => {
    await wb.tabs(title('mlp_out')).first().click();
    await showsRun(first);
    await heatmap().locator('.main-svg .hm').waitFor();
    const target = path.join(profile.workspace, 'figure-first.png');
    await exportThroughSaveDialog('PNG image (figure, 2×)', 'Export PNG image', `${MODEL_NAME}-planted-mlp_out-auc.png`, target);
    await shot('exported-png');
    const png = PNG.sync.read(fs.readFileSync(target));
    // Drawn from the figure the CLI would write for this result, at 2×.
    const figure = parseFigure(heatmapViewSvg(toHeatmapView(first.result), 'auc').svg);
    assert.deepEqual([png.width, png.height], [figure.width * 2, figure.height * 2]);
    const auc = first.result.metrics.auc;
    assert.equal(figure.cells.length, auc.length * TOKEN_POSITIONS.length);
    for (const cell of figure.cells) {
      const value = auc[cell.layer][TOKEN_POSITIONS.indexOf(cell.token as (typeof TOKEN_POSITIONS)[number])];
      const expected = value === null ? hexRgb(UNDEFINED_CELL_COLOUR) : bluesRgb(value);
      assertColourClose(pixelAtCentre(png, cell, 2), expected, `layer ${cell.layer} · ${cell.token} (AUC ${value})`);
    }
    // The planted signal makes the picture: the exact-answer cell of layer 2 is dark, the question's last token pale.
    const at = (layer: number, token: string) => figure.cells.find((c) => c.layer === layer && c.token === token)!;
    assert.ok(pixelAtCentre(png, at(2, 'exact_answer_last'), 2)[0] < pixelAtCentre(png, at(2, 'last_q'), 2)[0]);
  });

  uiTest('Export… → SVG through the save dialog: the file parses, one cell per layer × token with its AUC, labelled axes', async () => {
    const target = path.join(profile.workspace, 'figure-first.svg');
    await exportThroughSaveDialog('SVG image (figure)', 'Export SVG image', `${MODEL_NAME}-planted-mlp_out-auc.svg`, target);
    await shot('exported-svg');
    const text = fs.readFileSync(target, 'utf8');
    const figure = parseFigure(text);
    const { layers, tokens, metrics } = first.result;
    assert.equal(figure.cells.length, layers.length * tokens.length);
    for (const cell of figure.cells) assert.equal(cell.value, metrics.auc[cell.layer][tokens.indexOf(cell.token as (typeof tokens)[number])], `${cell.layer} · ${cell.token}`);
    assert.deepEqual(new Set(figure.cells.map((c) => c.layer)), new Set(layers));
    for (const label of [...tokens, ...layers.map(String), 'Token', 'Layer', 'AUC', title('mlp_out')]) assert.ok(figure.texts.includes(label), `label ${label}`);
    // The very figure the CLI writes beside heatmap.html.
    assert.equal(text, heatmapViewSvg(toHeatmapView(first.result), 'auc').svg);
  });
});
