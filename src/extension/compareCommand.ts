// "Compare Runs": two runs (two selected in the Runs view, one and a pick, or a panel's Compare with…)
// → their difference heatmap in a panel of its own, the bootstrap computed in the worker.

import * as path from 'node:path';

import * as vscode from 'vscode';

import { isRunCancelled } from '../contract/errors';
import type { RunSummary } from '../storage/runFolders';
import { HeatmapPanel, type HeatmapPanelOptions } from './panel/heatmapPanel';
import { runLabel, runOfArgument } from './runsView';
import { compareInWorker } from './workerRun';

export interface CompareContext {
  extensionUri: vscode.Uri;
  output: vscode.LogOutputChannel;
  panelOptions: HeatmapPanelOptions;
  /** The runs to pick the other side from. */
  runs: () => RunSummary[];
  /** Train on A, test on B (transferCommand.ts): offered in the pick beside the plain difference. */
  transfer?: (aFile: string, bFile: string) => Promise<HeatmapPanel | undefined>;
}

interface OtherPick {
  file: string;
  /** Train on A, test on this run, instead of the difference of the two runs' own values. */
  transfer: boolean;
}

/** Asks for the run to compare `a` with; undefined when the user backs out. */
async function pickOther(runs: RunSummary[], aFile: string, offerTransfer: boolean): Promise<OtherPick | undefined> {
  const others = runs.filter((r) => r.resultFile !== aFile);
  if (others.length === 0) {
    void vscode.window.showInformationMessage('Layer Probe: there is no other run to compare with yet.');
    return undefined;
  }
  const a = runs.find((r) => r.resultFile === aFile);
  // A probe of A reads only A's model at A's location: those runs can be tested on.
  const testable = offerTransfer && a ? others.filter((r) => r.model === a.model && r.location === a.location) : [];
  const item = (r: RunSummary, transfer: boolean) => ({
    ...runLabel(r),
    label: `${transfer ? 'Train on this run, test on ' : ''}${r.model} · ${r.dataset} · ${r.location}`,
    detail: `${runLabel(r).label} · ${runLabel(r).description}`,
    file: r.resultFile,
    transfer,
  });
  const separator = (label: string) => ({ label, kind: vscode.QuickPickItemKind.Separator, file: '', transfer: false });
  const items = testable.length > 0
    ? [separator('Difference of the two runs'), ...others.map((r) => item(r, false)), separator('Train on this run, test on another dataset'), ...testable.map((r) => item(r, true))]
    : others.map((r) => item(r, false));
  const picked = await vscode.window.showQuickPick(items, { title: `Layer Probe: compare ${path.basename(path.dirname(aFile))} with…`, matchOnDetail: true });
  return picked ? { file: picked.file, transfer: picked.transfer } : undefined;
}

/**
 * `first`/`second` are what VS Code passes: a tree node and the selected nodes (Runs view), two URIs
 * (tests), or nothing (palette: both picked).
 */
export async function compareRunsCommand(ctx: CompareContext, first?: unknown, second?: unknown): Promise<HeatmapPanel | undefined> {
  const selected = Array.isArray(second) ? second.map(runOfArgument) : [runOfArgument(first), runOfArgument(second)];
  const files = selected.filter((r) => r !== undefined).map((r) => r.resultFile);
  let aFile: string | undefined = files[0];
  if (!aFile) {
    aFile = (await pickOther(ctx.runs(), '', false))?.file;
    if (!aFile) return undefined;
  }
  const other: OtherPick | undefined = files[1] ? { file: files[1], transfer: false } : await pickOther(ctx.runs(), aFile, ctx.transfer !== undefined);
  if (!other) return undefined;
  if (other.transfer && ctx.transfer) return ctx.transfer(aFile, other.file);
  return compareFiles(ctx, aFile, other.file);
}

export async function compareFiles(ctx: CompareContext, aFile: string, bFile: string): Promise<HeatmapPanel | undefined> {
  const distDir = path.join(ctx.extensionUri.fsPath, 'dist');
  try {
    const comparison = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Layer Probe', cancellable: true },
      (progress, token) => {
        progress.report({ message: 'Comparing the two runs (bootstrap of every cell)…' });
        return compareInWorker(distDir, aFile, bFile, { onProgress: () => undefined, log: (line) => ctx.output.info(line), resolveColumns: () => Promise.resolve(undefined) }, token);
      },
    );
    ctx.output.info(`Compared ${aFile} with ${bFile}: ${comparison.pairing} (${comparison.pairingReason})`);
    const panel = HeatmapPanel.open(ctx.extensionUri, ctx.panelOptions);
    panel.showComparison(comparison);
    return panel;
  } catch (err) {
    if (isRunCancelled(err)) return undefined;
    const message = (err as Error).message;
    ctx.output.error(message);
    void vscode.window.showErrorMessage(`Layer Probe: ${message}`);
    return undefined;
  }
}
