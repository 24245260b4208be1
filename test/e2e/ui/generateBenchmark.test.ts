// From a raw benchmark to the heatmap in a real VS Code workbench (packaged VSIX, code-server in
// Debian's chromium), as a user does it: right-click a question file that has no model answers →
// Probe Dataset… → "Generate answers with ‹model› (‹kind›), then probe" → the answers open beside, the
// heatmap opens with the strip of baseline AUCs, the best baseline marked on the colour bar and the
// panel header naming how the answers were made. Screenshots go to .test-output/e2e/ui-generate/.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { launchBrowser, newContext } from '../support/browser';
import { type CodeServer, createProfile, installExtension, type Profile, removeProfile, startCodeServer } from '../support/codeServer';
import { FIXTURES, OUTPUT_DIR, REPO_ROOT } from '../support/paths';
import { channelLog, waitUntil } from '../support/wait';
import { Workbench } from '../support/workbench';

const OUT = path.join(OUTPUT_DIR, 'ui-generate');
const VSIX = path.join(REPO_ROOT, 'layer-probe-linux-x64.vsix');
const MODEL = path.join(FIXTURES, 'models', 'toy-facts-llama');
const MODEL_NAME = path.basename(MODEL);
const QUESTIONS = path.join(FIXTURES, 'datasets', 'toy-facts', 'facts_questions_only.jsonl');
/** Questions answered in the test: enough for 48 test rows, few enough to generate in seconds. */
const ROWS = 240;

describe('a raw benchmark in the VS Code workbench: generate the answers, then the heatmap with its baselines', () => {
  let profile: Profile;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let wb: Workbench;
  let benchmark: string;
  let benchmarkSha: string;
  let step = 0;
  /** The editor tab whose title starts with `prefix` (the answers file's name ends in a content key). */
  const tabStartingWith = (prefix: string) => page.locator(`.tabs-container .tab[aria-label^="${prefix}"]`);
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(OUT, `${String(++step).padStart(2, '0')}-${name}.png`) });

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package`);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    profile = createProfile('ui-generate');
    await installExtension(profile, VSIX);
    // The first ROWS questions of the toy-facts benchmark: id, question, gold_answer, no answers.
    const lines = fs.readFileSync(QUESTIONS, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, ROWS);
    benchmark = path.join(profile.workspace, 'questions.jsonl');
    fs.writeFileSync(benchmark, `${lines.join('\n')}\n`);
    benchmarkSha = crypto.createHash('sha256').update(fs.readFileSync(benchmark)).digest('hex');
    fs.mkdirSync(path.join(profile.workspace, '.vscode'));
    fs.writeFileSync(path.join(profile.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'layerProbe.modelFolder': MODEL }));

    server = await startCodeServer(profile, { logFile: path.join(OUT, 'code-server.log') });
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    wb = new Workbench(page);
    await page.goto(server.workbenchUrl(profile.workspace));
    await wb.explorerRow('questions.jsonl').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    if (page) await shot('end').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (profile) removeProfile(profile);
  });

  test('right-click → Probe Dataset… → generate → answers beside, heatmap with the baseline strip', async () => {
    await wb.chooseFromContextMenu('questions.jsonl', 'Probe Dataset…');

    // The file has questions and gold answers only: the extension offers to generate the answers.
    const offer = `Generate answers with ${MODEL_NAME} (qa), then probe`;
    await wb.quickInput.locator('.quick-input-title', { hasText: 'questions.jsonl is a benchmark without the model\'s answers' }).waitFor({ timeout: 60_000 });
    const row = wb.quickInputRow(offer);
    await row.waitFor();
    // 240 questions: no "first 1,000" choice, and the detail says what will be generated and why.
    assert.equal(await wb.quickInput.locator('.quick-input-list .monaco-list-row').count(), 1);
    assert.match((await row.textContent()) ?? '', /240 questions · base prompts · kind qa/);
    await shot('generate-offer');
    await row.click();

    const progress = wb.notification('Layer Probe');
    // Generation reports answers done and the decoding rate; a fast machine may be past it already.
    const generating = progress.filter({ hasText: /Generating answers \d+\/240/ });
    const panelTab = tabStartingWith(`${MODEL_NAME} · questions.jsonl · mlp_out`);
    await generating.or(panelTab).first().waitFor({ timeout: 120_000 });
    await shot('generating');
    await panelTab.waitFor({ timeout: 240_000 });
    await progress.waitFor({ state: 'hidden' });

    // The answers file is open beside the panel, in the extension's storage, never next to the benchmark.
    const answersTab = tabStartingWith(`questions-${MODEL_NAME}-qa-`);
    await answersTab.waitFor();
    assert.match((await answersTab.getAttribute('aria-label')) ?? '', new RegExp(`^questions-${MODEL_NAME}-qa-[0-9a-f]{12}\\.jsonl`));
    assert.deepEqual(fs.readdirSync(profile.workspace).sort(), ['.vscode', 'questions.jsonl']);
    assert.equal(crypto.createHash('sha256').update(fs.readFileSync(benchmark)).digest('hex'), benchmarkSha, 'the benchmark is unchanged');

    const view = wb.webview();
    await view.locator('.plot-column .plot .main-svg .hm').waitFor();
    const axes = await view.locator('.plot-column .plot').evaluate((gd) => (gd as HTMLElement & { data: { x: string[] }[] }).data[0].x);
    assert.deepEqual(axes, [...TOKEN_POSITIONS]);

    // The header names how the answers were made.
    const facts = view.locator('header dl.answers');
    await facts.waitFor();
    const text = (await facts.textContent()) ?? '';
    assert.match(text, /Benchmarkquestions\.jsonl · qa/);
    assert.match(text, /Correct if.*alias/);
    assert.match(text, /Exact answers.*heuristic/);
    const accuracy = /Answers(\d+\.\d) % correct · greedy/.exec(text);
    assert.ok(accuracy, text);
    // Every one of the 240 answered rows was probed.
    assert.match((await view.locator('header').textContent()) ?? '', /240 used of 240 · 192 train \/ 48 test/);

    // The baseline strip: one entry per baseline, their AUCs as numbers, exactly one marked best, and
    // the best is the largest shown.
    const strip = view.locator('section.baselines');
    await strip.locator('li.baseline').first().waitFor();
    assert.equal(await strip.isHidden(), false);
    const entries = await strip.locator('li.baseline').evaluateAll((items) =>
      items.map((li) => ({
        name: li.querySelector('.baseline-name')?.textContent ?? '',
        auc: li.querySelector('.baseline-auc')?.textContent ?? '',
        best: li.classList.contains('best'),
      })),
    );
    assert.ok(entries.length >= 2, JSON.stringify(entries));
    assert.ok(entries.some((e) => /logprob|logit|prob/i.test(e.name)), `no logprob baseline: ${JSON.stringify(entries)}`);
    const best = entries.filter((e) => e.best);
    assert.equal(best.length, 1, JSON.stringify(entries));
    const aucs = entries.map((e) => Number(e.auc)).filter((v) => Number.isFinite(v));
    assert.equal(Number(best[0].auc), Math.max(...aucs));
    // The trained toy model's logprob baseline is strong (≈ 0.97 on all rows): on 48 rows it stays well above chance.
    assert.ok(Number(best[0].auc) > 0.7, JSON.stringify(best[0]));

    // The colour bar carries the best baseline's AUC as a labelled tick.
    const ticks = await waitUntil(
      () => view.locator('.plot-column .plot .colorbar text').allTextContents(),
      (t) => t.some((s) => s.includes('best baseline')),
      'the best baseline tick on the colour bar',
    );
    assert.ok(ticks.some((t) => t.includes(`best baseline ${Number(best[0].auc).toFixed(2)}`)), ticks.join(' | '));
    await shot('heatmap-with-baselines');

    // The run log names the generation and the probe of its answers.
    const log = channelLog(profile, 'Layer Probe');
    assert.match(log, /Answers: 240 rows \(0 resumed\), accuracy \d+\.\d %/);
    assert.match(log, /Done: 192 train \/ 48 test rows, best AUC /);
  });
});
