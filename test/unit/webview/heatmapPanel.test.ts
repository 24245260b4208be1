// The host side of the panel against a fake `vscode`: queue until ready, replay after a reload,
// examples for a cell, opening the dataset at the row, the CSP of the page.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, beforeEach, describe, it } from 'node:test';

import { heatmapCsv } from '../../../src/contract/heatmapCsv';
import { heatmapViewSvg } from '../../../src/contract/heatmapFigure';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { parseProbeResult, type ProbeResult } from '../../../src/contract/result';
import { EMBEDDED_RESULT_ID } from '../../../src/contract/webviewPage';
import type { ExportedMessage, HostMessage } from '../../../src/contract/webviewProtocol';
import { sampleResult } from '../result/sampleResult';
import { calls, fakeVscode, type FakeWebviewPanel, installFakeVscode } from './fakeVscode';

installFakeVscode();
// The module is imported after installFakeVscode() (it requires 'vscode' at load), so only its type is static.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type PanelModule = typeof import('../../../src/extension/panel/heatmapPanel');
let HeatmapPanel: PanelModule['HeatmapPanel'];
const extensionUri = fakeVscode.Uri.file('/ext') as never;

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const types = (panel: FakeWebviewPanel): string[] => panel.posted.map((m) => (m as HostMessage).type);

describe('HeatmapPanel (host side)', () => {
  before(async () => {
    ({ HeatmapPanel } = await import('../../../src/extension/panel/heatmapPanel'));
  });
  beforeEach(() => {
    for (const panel of HeatmapPanel.openPanels) panel.dispose();
    calls.panels.length = 0;
    calls.shown.length = 0;
    calls.revealed.length = 0;
  });

  it('serves the bundle under a nonce CSP with dist and media as the only resource roots', () => {
    HeatmapPanel.show(extensionUri, sampleResult());
    const fake = calls.panels[0]!;
    const html = fake.webview.html;
    const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.equal(
      csp,
      `default-src 'none'; img-src https://fake.vscode-cdn.net data:; style-src https://fake.vscode-cdn.net 'unsafe-inline'; ` +
        `font-src https://fake.vscode-cdn.net; script-src 'nonce-${nonce}'`,
    );
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://fake.vscode-cdn.net/ext/dist/webview.js">`));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/fake.vscode-cdn.net\/ext\/dist\/webview.css">/);
    assert.deepEqual(
      fake.webview.options.localResourceRoots?.map((u) => u.fsPath),
      ['/ext/dist', '/ext/media'],
    );
    assert.equal(fake.webview.options.enableScripts, true);
    // The tab icon comes from media/, which the VSIX carries (test/package/checkVsix.mjs).
    assert.deepEqual([fake.iconPath?.light.fsPath, fake.iconPath?.dark.fsPath], ['/ext/media/heatmap-light.svg', '/ext/media/heatmap-dark.svg']);
  });

  it('holds messages until the webview is ready, then sends the result view', async () => {
    const panel = HeatmapPanel.show(extensionUri, sampleResult(), '/store/result.json');
    const fake = calls.panels[0]!;
    await tick();
    assert.deepEqual(fake.posted, []);
    assert.equal(panel.lastPostedResult, undefined);
    fake.receive.fire({ type: 'ready' });
    await tick();
    assert.deepEqual(types(fake), ['result']);
    const message = fake.posted[0] as Extract<HostMessage, { type: 'result' }>;
    assert.equal(message.resultFile, '/store/result.json');
    assert.equal(message.view.model.name, 'tiny-llama');
    assert.ok(!('test' in message.view));
    assert.equal(panel.lastPostedResult, message.view);
    assert.equal(fake.title, 'tiny-llama · answers.jsonl · mlp_out');
  });

  it('each run gets its own panel; showing a run already open reveals its panel instead of opening another', () => {
    const a = HeatmapPanel.show(extensionUri, sampleResult(), '/runs/a/result.json');
    const other = { ...sampleResult(), model: { ...sampleResult().model, location: 'resid_post' as const } };
    const b = HeatmapPanel.show(extensionUri, other, '/runs/b/result.json');
    assert.notEqual(a, b);
    assert.equal(calls.panels.length, 2);
    assert.deepEqual(HeatmapPanel.openPanels, [a, b]);
    assert.deepEqual(calls.panels.map((p) => p.title), ['tiny-llama · answers.jsonl · mlp_out', 'tiny-llama · answers.jsonl · resid_post']);
    assert.equal(HeatmapPanel.currentPanel, b);
    assert.equal(HeatmapPanel.show(extensionUri, sampleResult(), '/runs/a/result.json'), a);
    assert.equal(calls.panels.length, 2, 'no third panel');
    // Closing one leaves the other, which becomes the current panel.
    b.dispose();
    assert.deepEqual(HeatmapPanel.openPanels, [a]);
    assert.equal(HeatmapPanel.currentPanel, a);
    assert.equal(a.shownResultFile, '/runs/a/result.json');
  });

  it('answers selectCell with the examples of that cell', async () => {
    const panel = HeatmapPanel.show(extensionUri, sampleResult());
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    fake.receive.fire({ type: 'selectCell', layer: 2, token: 5 });
    await tick();
    assert.deepEqual(types(fake), ['result', 'examples']);
    const examples = panel.lastPostedExamples;
    assert.deepEqual([examples?.layer, examples?.token], [2, 5]);
    assert.deepEqual(
      examples?.examples.map((e) => [e.rowIndex, e.score, e.probedIndex]),
      [
        [2, 0.25, 3],
        [5, 0.35, 3],
        [9, 0.65, 3],
        [7, 0.95, 3],
      ],
    );
  });

  it('replays what it shows when a hidden webview comes back and says ready again', async () => {
    HeatmapPanel.show(extensionUri, sampleResult());
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    await tick();
    fake.hide();
    HeatmapPanel.currentPanel?.showStatus('Probing…', 0.5);
    await tick();
    assert.deepEqual(types(fake), ['result']);
    fake.visible = true;
    fake.receive.fire({ type: 'ready' });
    await tick();
    assert.deepEqual(types(fake), ['result', 'status']);
  });

  it('never keeps a result it no longer has: status and error clear it', async () => {
    const panel = HeatmapPanel.show(extensionUri, sampleResult());
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    panel.showError('The run failed', 'worker exited');
    fake.receive.fire({ type: 'selectCell', layer: 0, token: 0 });
    await tick();
    assert.deepEqual(types(fake), ['result', 'error']);
    assert.equal(panel.currentResult, undefined);
  });

  it('opens the dataset beside the panel with the row\'s start line selected and centred', async () => {
    const result: ProbeResult = sampleResult();
    HeatmapPanel.show(extensionUri, result);
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    fake.receive.fire({ type: 'openExample', rowIndex: 5 }); // line 6
    await tick();
    await tick();
    assert.equal(calls.shown.length, 1);
    const shown = calls.shown[0]!;
    assert.equal(shown.uri, '/data/answers.jsonl');
    assert.equal(shown.options.viewColumn, fakeVscode.ViewColumn.Beside);
    assert.deepEqual(
      [shown.options.selection.start.line, shown.options.selection.start.character, shown.options.selection.end.character],
      [5, 0, 'line 6'.length],
    );
    assert.deepEqual([calls.revealed[0]?.range.start.line, calls.revealed[0]?.type], [5, fakeVscode.TextEditorRevealType.InCenter]);
  });

  it('ignores malformed messages and rows it does not know', async () => {
    const logged: string[] = [];
    const panel = HeatmapPanel.show(extensionUri, sampleResult(), undefined, { log: (_, message) => logged.push(message) });
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    fake.receive.fire({ type: 'selectCell', layer: 'x' });
    fake.receive.fire({ type: 'openExample', rowIndex: 99 });
    fake.receive.fire({ type: 'log', level: 'warn', message: 'from the webview' });
    await tick();
    assert.deepEqual(types(fake), ['result']);
    assert.equal(calls.shown.length, 0);
    assert.equal(logged.length, 2);
    assert.match(logged[0]!, /malformed/);
    assert.equal(logged[1], 'webview: from the webview');
    assert.equal(panel.lastPostedExamples, undefined);
  });

  it('forgets a panel the user closes', () => {
    HeatmapPanel.show(extensionUri, sampleResult(), '/runs/a/result.json');
    calls.panels[0]!.dispose();
    assert.equal(HeatmapPanel.currentPanel, undefined);
    assert.deepEqual(HeatmapPanel.openPanels, []);
    // Shown again: a new panel, since the old one is gone.
    HeatmapPanel.show(extensionUri, sampleResult(), '/runs/a/result.json');
    assert.equal(calls.panels.length, 2);
  });

  describe('Export…', () => {
    // A tiny PNG: the signature and an IHDR chunk are all the host checks.
    const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    let dir: string;
    let ext: string;

    /** A panel showing the sample, ready, with a workspace folder holding the dataset. */
    function exportPanel(): FakeWebviewPanel {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-export-'));
      ext = path.join(dir, 'ext');
      fs.mkdirSync(path.join(ext, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(ext, 'dist', 'webview.js'), 'console.log("the bundle");\n');
      fs.writeFileSync(path.join(ext, 'dist', 'webview.css'), 'body { color: red; }\n');
      const workspace = path.join(dir, 'work');
      fs.mkdirSync(workspace);
      fakeVscode.workspace.workspaceFolders = [{ uri: fakeVscode.Uri.file(workspace) }];
      const result = sampleResult();
      result.dataset.file = path.join(workspace, 'data', 'answers.jsonl');
      HeatmapPanel.show(fakeVscode.Uri.file(ext) as never, result);
      const fake = calls.panels[0]!;
      fake.receive.fire({ type: 'ready' });
      return fake;
    }
    const lastExported = (fake: FakeWebviewPanel): ExportedMessage => fake.posted.at(-1) as ExportedMessage;
    const exportAs = async (fake: FakeWebviewPanel, message: object, answer: string | undefined): Promise<ExportedMessage> => {
      calls.saveAnswer = answer === undefined ? undefined : fakeVscode.Uri.file(answer);
      await HeatmapPanel.currentPanel!.handleMessageForTesting({ type: 'export', metric: 'auc', ...message });
      return lastExported(fake);
    };

    beforeEach(() => {
      calls.saveDialogs.length = 0;
      calls.written.length = 0;
      calls.errors.length = 0;
    });

    it('asks with a save dialog named <model>-<dataset>-<location>-auc.png in the workspace folder and writes the PNG there', async () => {
      const fake = exportPanel();
      const target = path.join(dir, 'work', 'figure.png');
      const reply = await exportAs(fake, { format: 'png', data: PNG.toString('base64') }, target);
      assert.deepEqual(reply, { type: 'exported', format: 'png', outcome: 'saved', message: `Saved ${target}.` });
      const dialog = calls.saveDialogs[0]!;
      assert.equal(dialog.defaultUri?.fsPath, path.join(dir, 'work', 'tiny-llama-answers-mlp_out-auc.png'));
      assert.deepEqual(dialog.filters, { 'PNG image': ['png'] });
      assert.deepEqual(fs.readFileSync(target), PNG);
      assert.deepEqual(calls.written, [target]);
    });

    it('writes the SVG the webview drew, and makes CSV (paper layout, the metric shown), result JSON and standalone HTML from the result', async () => {
      const fake = exportPanel();
      const result = HeatmapPanel.currentPanel!.currentResult!;
      const svg = heatmapViewSvg(toHeatmapView(result)).svg;
      const out = (name: string): string => path.join(dir, 'work', name);
      assert.equal((await exportAs(fake, { format: 'svg', data: svg }, out('a.svg'))).outcome, 'saved');
      assert.equal(fs.readFileSync(out('a.svg'), 'utf8'), svg);
      assert.equal((await exportAs(fake, { format: 'csv', metric: 'acc' }, out('a.csv'))).outcome, 'saved');
      assert.equal(fs.readFileSync(out('a.csv'), 'utf8'), heatmapCsv(result, 'acc'));
      assert.equal(calls.saveDialogs[1]!.defaultUri?.fsPath, out('tiny-llama-answers-mlp_out-acc.csv'));
      assert.equal((await exportAs(fake, { format: 'json' }, out('a.json'))).outcome, 'saved');
      assert.deepEqual(parseProbeResult(fs.readFileSync(out('a.json'), 'utf8')), result);
      assert.equal(calls.saveDialogs[2]!.defaultUri?.fsPath, out('tiny-llama-answers-mlp_out-result.json'));
      assert.equal((await exportAs(fake, { format: 'html' }, out('a.html'))).outcome, 'saved');
      const html = fs.readFileSync(out('a.html'), 'utf8');
      assert.ok(html.includes('console.log("the bundle");'), 'the extension\'s own bundle, inlined');
      assert.ok(html.includes('body { color: red; }'));
      assert.ok(html.includes(`id="${EMBEDDED_RESULT_ID}"`));
      assert.equal(calls.saveDialogs[3]!.defaultUri?.fsPath, out('tiny-llama-answers-mlp_out-heatmap.html'));
    });

    it('writes nothing when the user cancels, and says so', async () => {
      const fake = exportPanel();
      const reply = await exportAs(fake, { format: 'csv' }, undefined);
      assert.deepEqual(reply, { type: 'exported', format: 'csv', outcome: 'cancelled', message: 'Export cancelled.' });
      assert.deepEqual(calls.written, []);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'work')), []);
    });

    it('reports a failed write as a message (and a VS Code error), never a crash', async () => {
      const fake = exportPanel();
      const target = path.join(dir, 'no-such-folder', 'x.csv');
      const reply = await exportAs(fake, { format: 'csv' }, target);
      assert.equal(reply.outcome, 'failed');
      assert.match(reply.message, new RegExp(`^Could not save ${target.replace(/[.\\]/g, '\\$&')}: .*ENOENT`));
      assert.equal(calls.errors.length, 1);
      assert.ok(!fs.existsSync(target));
    });

    it('refuses what is not a PNG before asking, and a panel without a result exports nothing', async () => {
      const fake = exportPanel();
      const reply = await exportAs(fake, { format: 'png', data: Buffer.from('GIF89a').toString('base64') }, path.join(dir, 'x.png'));
      assert.deepEqual([reply.outcome, reply.message], ['failed', 'Could not export the PNG image: the panel sent no PNG image']);
      assert.equal(calls.saveDialogs.length, 0);
      HeatmapPanel.currentPanel!.showStatus('Probing…');
      const none = await exportAs(fake, { format: 'json' }, path.join(dir, 'x.json'));
      assert.deepEqual([none.outcome, none.message], ['failed', 'This panel shows no result to export.']);
      assert.deepEqual(calls.written, []);
      // A malformed export (no figure data) is dropped like any malformed message.
      const before = fake.posted.length;
      await HeatmapPanel.currentPanel!.handleMessageForTesting({ type: 'export', format: 'svg', metric: 'auc' });
      assert.equal(fake.posted.length, before);
    });

    it('names the benchmark when the answers were generated, and uses the dataset\'s folder without a workspace', async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-export-'));
      fakeVscode.workspace.workspaceFolders = undefined;
      const result = sampleResult();
      result.dataset.file = path.join(dir, 'store', 'answers-123.jsonl');
      result.model.name = 'Org/Model <b>&x';
      result.answers = {
        benchmarkFile: path.join(dir, 'bench', 'movie_qa_test.csv'),
        kind: 'movies',
        kindReason: 'given',
        modelKind: 'base',
        promptFormat: 'plain',
        correctnessRule: 'gold in answer',
        stopRule: 'newline',
        exactAnswers: 'rule',
        decoding: 'greedy',
        accuracy: 0.5,
      };
      HeatmapPanel.show(extensionUri, result);
      const fake = calls.panels[0]!;
      fake.receive.fire({ type: 'ready' });
      await exportAs(fake, { format: 'csv' }, undefined);
      assert.equal(calls.saveDialogs[0]!.defaultUri?.fsPath, path.join(dir, 'bench', 'Org_Model_b_x-movie_qa_test-mlp_out-auc.csv'));
    });
  });
});
