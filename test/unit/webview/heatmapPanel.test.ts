// The host side of the panel against a fake `vscode`: queue until ready, replay after a reload,
// examples for a cell, opening the dataset at the row, the CSP of the page.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';

import type { ProbeResult } from '../../../src/contract/result';
import type { HostMessage } from '../../../src/contract/webviewProtocol';
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
});
