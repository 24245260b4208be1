// "Compare: Train on A, Test on B…": run A's probes refitted on its train rows and scored on run B's test
// rows (the paper's generalisation question), computed in the worker — forward passes only for rows the
// activation cache lacks — and shown as a difference heatmap (transfer − B's own AUC) in a panel.

import * as path from 'node:path';

import * as vscode from 'vscode';

import { isRunCancelled } from '../contract/errors';
import type { RunSummary } from '../storage/runFolders';
import type { CompareContext } from './compareCommand';
import { HeatmapPanel } from './panel/heatmapPanel';
import { runLabel, runOfArgument } from './runsView';
import { transferInWorker } from './workerRun';

export interface TransferContext extends CompareContext {
  /** The activation cache root the extension's runs use. */
  cacheDir?: string;
}

/** The run to test on: another run of A's model at A's location (the only ones a probe of A can read). */
async function pickTestRun(runs: RunSummary[], aFile: string): Promise<string | undefined> {
  const a = runs.find((r) => r.resultFile === aFile);
  const candidates = runs.filter((r) => r.resultFile !== aFile && (!a || (r.model === a.model && r.location === a.location)));
  if (candidates.length === 0) {
    const which = a ? ` of ${a.model} at ${a.location}` : '';
    void vscode.window.showInformationMessage(`Layer Probe: there is no other run${which} to test on: probe another dataset with that model and location first.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((r) => ({ label: `${r.model} · ${r.dataset} · ${r.location}`, detail: `${runLabel(r).label} · ${runLabel(r).description}`, file: r.resultFile })),
    { title: `Layer Probe: train on ${path.basename(path.dirname(aFile))}, test on…`, matchOnDetail: true },
  );
  return picked?.file;
}

async function pickTrainRun(runs: RunSummary[]): Promise<string | undefined> {
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Layer Probe: there are no runs yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: `${r.model} · ${r.dataset} · ${r.location}`, detail: `${runLabel(r).label} · ${runLabel(r).description}`, file: r.resultFile })),
    { title: 'Layer Probe: train on…', matchOnDetail: true },
  );
  return picked?.file;
}

/** Arguments as for Compare Runs: a tree node and the selection (the first selected is A), two URIs, or nothing. */
export async function transferRunsCommand(ctx: TransferContext, first?: unknown, second?: unknown): Promise<HeatmapPanel | undefined> {
  const selected = Array.isArray(second) ? second.map(runOfArgument) : [runOfArgument(first), runOfArgument(second)];
  const files = selected.filter((r) => r !== undefined).map((r) => r.resultFile);
  const aFile = files[0] ?? (await pickTrainRun(ctx.runs()));
  if (!aFile) return undefined;
  const bFile = files[1] ?? (await pickTestRun(ctx.runs(), aFile));
  if (!bFile) return undefined;
  return transferFiles(ctx, aFile, bFile);
}

export async function transferFiles(ctx: TransferContext, aFile: string, bFile: string): Promise<HeatmapPanel | undefined> {
  const distDir = path.join(ctx.extensionUri.fsPath, 'dist');
  try {
    const comparison = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Layer Probe: train on A, test on B', cancellable: true },
      (progress, token) => {
        progress.report({ message: 'Reading the two runs…' });
        return transferInWorker(
          distDir,
          { aFile, bFile, cacheDir: ctx.cacheDir },
          {
            onProgress: (_stage, _done, _total, message) => progress.report({ message }),
            log: (line) => ctx.output.info(line),
            resolveColumns: () => Promise.resolve(undefined),
          },
          token,
        );
      },
    );
    const rows = comparison.transfer?.forwardPassRows ?? 0;
    ctx.output.info(`Trained on ${aFile}, tested on ${bFile}: ${rows === 0 ? 'every activation from the cache' : `${rows} rows through the model`}`);
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
