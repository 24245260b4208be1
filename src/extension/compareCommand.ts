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
}

/** Asks for the run to compare `a` with; undefined when the user backs out. */
async function pickOther(runs: RunSummary[], aFile: string): Promise<string | undefined> {
  const others = runs.filter((r) => r.resultFile !== aFile);
  if (others.length === 0) {
    void vscode.window.showInformationMessage('Layer Probe: there is no other run to compare with yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    others.map((r) => ({ ...runLabel(r), label: `${r.model} · ${r.dataset} · ${r.location}`, detail: `${runLabel(r).label} · ${runLabel(r).description}`, file: r.resultFile })),
    { title: `Layer Probe: compare ${path.basename(path.dirname(aFile))} with…`, matchOnDetail: true },
  );
  return picked?.file;
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
    aFile = await pickOther(ctx.runs(), '');
    if (!aFile) return undefined;
  }
  const bFile = files[1] ?? (await pickOther(ctx.runs(), aFile));
  if (!bFile) return undefined;
  return compareFiles(ctx, aFile, bFile);
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
