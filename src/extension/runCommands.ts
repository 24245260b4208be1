// The Runs view's commands: open a run in a panel of its own, delete a run folder, reveal it.

import * as path from 'node:path';

import * as vscode from 'vscode';

import { deleteRunFolder } from '../storage/runFolders';
import { HeatmapPanel, type HeatmapPanelOptions, readResultFile } from './panel/heatmapPanel';
import { runOfArgument } from './runsView';

export async function openRunCommand(extensionUri: vscode.Uri, arg: unknown, options: HeatmapPanelOptions, output: vscode.LogOutputChannel): Promise<HeatmapPanel | undefined> {
  const run = runOfArgument(arg) ?? (await pickRunFolder());
  if (!run) return undefined;
  try {
    return HeatmapPanel.show(extensionUri, await readResultFile(run.resultFile), run.resultFile, options);
  } catch (err) {
    output.error((err as Error).message);
    void vscode.window.showErrorMessage(`Layer Probe: ${(err as Error).message}`);
    return undefined;
  }
}

async function pickRunFolder(): Promise<{ dir: string; resultFile: string } | undefined> {
  const picked = await vscode.window.showOpenDialog({ title: 'Layer Probe: open a run (its result.json)', canSelectMany: false, filters: { 'Layer Probe result': ['json'] } });
  return picked?.[0] ? runOfArgument(picked[0]) : undefined;
}

/** Deletes a run folder after a modal confirmation (`confirmed` skips it: tests). */
export async function deleteRunCommand(arg: unknown, output: vscode.LogOutputChannel, confirmed = false): Promise<boolean> {
  const run = runOfArgument(arg);
  if (!run) return false;
  if (!confirmed) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the run ${path.basename(run.dir)}?`,
      { modal: true, detail: `Its result and heatmap files in ${run.dir} are deleted. The activation cache is kept, so the run can be redone without forward passes.` },
      'Delete',
    );
    if (choice !== 'Delete') return false;
  }
  for (const panel of HeatmapPanel.openPanels) if (panel.shownResultFile === run.resultFile) panel.dispose();
  try {
    const { deleted, kept } = deleteRunFolder(run.dir);
    output.info(`Deleted run ${run.dir} (${deleted} files)${kept.length ? `; kept files that are not the run's: ${kept.join(', ')}` : ''}`);
    return true;
  } catch (err) {
    const message = `cannot delete the run folder ${run.dir}: ${(err as Error).message}`;
    output.error(message);
    void vscode.window.showErrorMessage(`Layer Probe: ${message}`);
    return false;
  }
}

/** Shows the run folder: in the Explorer when it is inside the workspace, else in the OS file manager. */
export async function revealRunCommand(arg: unknown): Promise<void> {
  const run = runOfArgument(arg);
  if (!run) return;
  const uri = vscode.Uri.file(run.dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}
