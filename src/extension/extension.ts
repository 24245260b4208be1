import * as vscode from 'vscode';

import { DEFAULT_RUNS_DIR_NAME, type RunSummary } from '../storage/runFolders';
import { columnsAsked, resetColumnChoicesCommand } from './askColumns';
import { clearActivationCachesCommand } from './clearCaches';
import { compareRunsCommand } from './compareCommand';
import { HeatmapPanel, registerHeatmapPanelSerializer } from './panel/heatmapPanel';
import { activationCacheRoots, extensionRunsRoot, type GenerateOutcome, panelOptions, type ProbeCommandChoices, probeDatasetCommand, type ProbeOutcome, runFailed, runsChanged, setPanelHooks } from './probeCommand';
import { ProviderStatus } from './providerStatus';
import { planRerun, rerun } from './rerunCommand';
import { deleteRunCommand, openRunCommand, revealRunCommand } from './runCommands';
import { runsRoots,RunsView } from './runsView';
import { transferFiles, transferRunsCommand } from './transferCommand';

/** What activate() returns: used by the extension-host integration tests. */
export interface LayerProbeApi {
  /** `choices` answer the raw-benchmark question in advance (tests). */
  probeDataset(resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined>;
  /** The runs the Runs view lists, newest first. */
  listRuns(): RunSummary[];
  /** Fires for every heatmap panel opened (a run's panel opens when the run starts). */
  onDidOpenPanel: vscode.Event<HeatmapPanel>;
  /** Fires with the message of every failed run (the notification's text after "Layer Probe: "). */
  onDidFailRun: vscode.Event<string>;
  /** Fires with the role (prompt, answer, label…) as each column quick pick is shown. */
  onDidAskColumns: vscode.Event<string>;
}

export function activate(context: vscode.ExtensionContext): LayerProbeApi {
  const output = vscode.window.createOutputChannel('Layer Probe', { log: true });
  context.subscriptions.push(output);
  const providerStatus = new ProviderStatus();
  context.subscriptions.push(providerStatus);
  const probeDataset = (resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined> =>
    // A context-menu call passes (uri, selected uris): only a plain object is a choices argument.
    probeDatasetCommand(context, output, providerStatus, resource instanceof vscode.Uri ? resource : undefined, isChoices(choices) ? choices : {});
  const generateAnswers = (resource?: vscode.Uri, choices?: ProbeCommandChoices): Promise<ProbeOutcome | GenerateOutcome | undefined> =>
    probeDataset(resource, { generate: {}, ...(isChoices(choices) ? choices : {}), generateOnly: true });
  context.subscriptions.push(
    vscode.commands.registerCommand('layerProbe.probeDataset', probeDataset),
    vscode.commands.registerCommand('layerProbe.generateAnswers', generateAnswers),
    vscode.commands.registerCommand('layerProbe.clearActivationCaches', () => clearActivationCachesCommand(context, output)),
    vscode.commands.registerCommand('layerProbe.resetColumnChoices', () => resetColumnChoicesCommand(context.workspaceState, (line) => output.info(line))),
    registerHeatmapPanelSerializer(context.extensionUri, panelOptions(output)),
  );

  const runsView = new RunsView(() => runsRoots(extensionRunsRoot(context)));
  const transferContext = { extensionUri: context.extensionUri, output, panelOptions: panelOptions(output), runs: () => runsView.runs(), cacheDir: activationCacheRoots(context)[0] };
  const compareContext = { ...transferContext, transfer: (aFile: string, bFile: string) => transferFiles(transferContext, aFile, bFile) };
  const probeContext = { context, output, providerStatus };
  setPanelHooks({
    compareWith: (resultFile) => compareRunsCommand(compareContext, vscode.Uri.file(resultFile)),
    planRerun: (result, fields) => planRerun(probeContext, result, fields),
    rerun: (result, fields) => rerun(probeContext, result, fields),
  });
  // CLI runs appear in the view as they finish (a run folder's result.json is written last).
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${DEFAULT_RUNS_DIR_NAME}/*/result.json`);
  context.subscriptions.push(
    runsView,
    watcher,
    watcher.onDidCreate(() => runsView.refresh()),
    watcher.onDidDelete(() => runsView.refresh()),
    runsChanged.event(() => runsView.refresh()),
    vscode.window.createTreeView('layerProbe.runs', { treeDataProvider: runsView, canSelectMany: true, showCollapseAll: true }),
    vscode.commands.registerCommand('layerProbe.compareRuns', (first?: unknown, second?: unknown) => compareRunsCommand(compareContext, first, second)),
    vscode.commands.registerCommand('layerProbe.transferRuns', (first?: unknown, second?: unknown) => transferRunsCommand(transferContext, first, second)),
    vscode.commands.registerCommand('layerProbe.refreshRuns', () => runsView.refresh()),
    vscode.commands.registerCommand('layerProbe.openRun', (arg: unknown) => openRunCommand(context.extensionUri, arg, panelOptions(output), output)),
    vscode.commands.registerCommand('layerProbe.deleteRun', async (arg: unknown, confirmed?: boolean) => {
      const deleted = await deleteRunCommand(arg, output, confirmed === true);
      if (deleted) runsView.refresh();
      return deleted;
    }),
    vscode.commands.registerCommand('layerProbe.revealRun', (arg: unknown) => revealRunCommand(arg)),
  );
  return { probeDataset, listRuns: () => runsView.runs(), onDidOpenPanel: HeatmapPanel.onDidOpen, onDidFailRun: runFailed.event, onDidAskColumns: columnsAsked.event };
}

const isChoices = (value: unknown): value is ProbeCommandChoices => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof vscode.Uri);

export function deactivate(): void {}
