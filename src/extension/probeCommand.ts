import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CACHE_DTYPES, type CacheDtype } from '../core/cache/cacheKey';
import type { RunInput, RunStage } from '../core/pipeline/runProbe';
import type { ProbeResult } from '../core/result/types';
import { PROBE_LOCATIONS, type ProbeLocation } from '../core/types';
import { askColumns } from './askColumns';
import { HeatmapPanel, type HeatmapPanelOptions } from './panel/heatmapPanel';
import { pickModelFolder } from './pickModelFolder';
import { configuredBatchMemoryBytes, configuredPromptFormat, configuredProvider, readRunSettings, SECTION } from './settings';
import type { ProviderStatus } from './providerStatus';
import { RunCancelled, runInWorker } from './workerRun';

const DATASET_EXTENSIONS = ['.jsonl', '.json', '.csv'];

// Share of the progress bar each stage fills; forward passes and probes dominate every real run.
const STAGE_WEIGHT: Record<RunStage, number> = { dataset: 5, tokenize: 5, model: 10, extract: 50, probe: 30 };
const STAGE_ORDER: RunStage[] = ['dataset', 'tokenize', 'model', 'extract', 'probe'];

export interface ProbeOutcome {
  result: ProbeResult;
  panel: HeatmapPanel;
}

/** "Layer Probe: Probe Dataset…": dataset → model folder → worker run with progress → heatmap panel. */
export async function probeDatasetCommand(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  providerStatus: ProviderStatus,
  resource?: vscode.Uri,
): Promise<ProbeOutcome | undefined> {
  const dataset = resource ?? (await pickDataset());
  if (!dataset) return undefined;
  if (!DATASET_EXTENSIONS.includes(path.extname(dataset.fsPath).toLowerCase())) {
    void vscode.window.showErrorMessage(`Layer Probe: ${path.basename(dataset.fsPath)} is not a .jsonl, .json or .csv dataset.`);
    return undefined;
  }
  const modelDir = await pickModelFolder(context, dataset);
  if (!modelDir) return undefined;
  const settings = readRunSettings(dataset);
  output.info(`Run: dataset ${dataset.fsPath}, model ${modelDir}, ${JSON.stringify(settings)}`);

  const distDir = path.join(context.extensionUri.fsPath, 'dist');
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Layer Probe', cancellable: true },
      (progress, token) => {
        let reported = 0;
        return runInWorker(
          distDir,
          {
            datasetFile: dataset.fsPath,
            modelDir,
            settings,
            executionProvider: configuredProvider(dataset),
            promptFormat: configuredPromptFormat(dataset),
            batchMemoryBytes: configuredBatchMemoryBytes(dataset),
            ...cacheInput(context, dataset, settings.location),
          },
          {
            onProgress: (stage, done, total, message) => {
              const before = STAGE_ORDER.slice(0, STAGE_ORDER.indexOf(stage)).reduce((s, st) => s + STAGE_WEIGHT[st], 0);
              const target = before + (total > 0 ? (STAGE_WEIGHT[stage] * done) / total : 0);
              progress.report({ message, increment: Math.max(0, target - reported) });
              reported = Math.max(reported, target);
            },
            log: (line) => output.info(line),
            resolveColumns: (detection) => askColumns(detection),
          },
          token,
        );
      },
    );
    providerStatus.show(result.model.provider, result.model.providersTried);
    const resultFile = await saveResult(context, result, output);
    const panel = HeatmapPanel.show(context.extensionUri, result, resultFile, panelOptions(output));
    const best = bestCell(result);
    output.info(`Done: ${result.nTrain} train / ${result.nTest} test rows${best ? `, best AUC ${best}` : ''}`);
    return { result, panel };
  } catch (err) {
    if (err instanceof RunCancelled) {
      output.info('Run cancelled by the user.');
      return undefined;
    }
    const message = err instanceof Error ? err.message : String(err);
    output.error(message);
    void vscode.window.showErrorMessage(`Layer Probe: ${message}`, 'Show Log').then((choice) => {
      if (choice) output.show(true);
    });
    return undefined;
  }
}

/** Where activations are cached (workspace storage, else global storage) and what else to extract. */
export function activationCacheRoots(context: vscode.ExtensionContext): string[] {
  const roots = [context.storageUri, context.globalStorageUri].filter((u): u is vscode.Uri => u !== undefined);
  return roots.map((u) => path.join(u.fsPath, 'activations'));
}

function cacheInput(
  context: vscode.ExtensionContext,
  scope: vscode.Uri,
  location: ProbeLocation,
): Pick<RunInput, 'cacheDir' | 'cacheDtype' | 'extraLocations'> {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  if (!cfg.get<boolean>('activationCache', true)) return {};
  const dtype = cfg.get<string>('cacheDtype', 'float32');
  const extra = cfg.get<string[]>('extraLocations', []);
  return {
    cacheDir: activationCacheRoots(context)[0],
    cacheDtype: CACHE_DTYPES.includes(dtype as CacheDtype) ? (dtype as CacheDtype) : 'float32',
    // Taken from the same forward passes and cached: switching `layerProbe.location` later re-probes from disk.
    extraLocations: (Array.isArray(extra) ? extra : []).filter(
      (l): l is ProbeLocation => PROBE_LOCATIONS.includes(l as ProbeLocation) && l !== location,
    ),
  };
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && DATASET_EXTENSIONS.includes(path.extname(active.fsPath).toLowerCase())) return active;
  const picked = await vscode.window.showOpenDialog({
    title: 'Layer Probe: choose a dataset of model answers',
    canSelectMany: false,
    filters: { Datasets: ['jsonl', 'json', 'csv'] },
  });
  return picked?.[0];
}

export const panelOptions = (output: vscode.LogOutputChannel): HeatmapPanelOptions => ({
  log: (level, message) => (level === 'error' ? output.error(`webview: ${message}`) : output.info(`webview: ${message}`)),
});

/** Keeps the result in the workspace's extension storage, so a restored panel can show it again. */
async function saveResult(context: vscode.ExtensionContext, result: ProbeResult, output: vscode.LogOutputChannel): Promise<string> {
  const storage = context.storageUri ?? context.globalStorageUri;
  const dir = path.join(storage.fsPath, 'results');
  await fs.promises.mkdir(dir, { recursive: true });
  const stamp = result.createdAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${result.model.name}-${result.model.location}-${stamp}.json`);
  await fs.promises.writeFile(file, JSON.stringify(result));
  output.info(`Result saved to ${file}`);
  return file;
}

function bestCell(result: ProbeResult): string | undefined {
  let best: { v: number; layer: number; token: string } | undefined;
  result.metrics.auc.forEach((row, layer) =>
    row.forEach((v, t) => {
      if (v !== null && (!best || v > best.v)) best = { v, layer, token: result.tokens[t] };
    }),
  );
  return best && `${best.v.toFixed(3)} at layer ${best.layer}, ${best.token}`;
}
