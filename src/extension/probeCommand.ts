import * as fs from 'node:fs';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { ColumnMapping } from '../contract/columns';
import { isRunCancelled, LayerProbeError } from '../contract/errors';
import type { AnswersProvenance, ProbeResult } from '../contract/result';
import { OptionError, type RunOptions } from '../contract/runOptions';
import { type GenerationSummary, RUN_STAGES, type RunStage } from '../contract/workerProtocol';
import { createRunFolder, RESULT_FILE, runFolderName } from '../storage/runFolders';
import { askColumns } from './askColumns';
import { answersFileFor, askToGenerate, type GeneratePlan, generateWithProgress, showAnswersBeside } from './generateStep';
import { HeatmapPanel, type HeatmapPanelOptions } from './panel/heatmapPanel';
import { LiveRun } from './panel/liveRun';
import { pickModelFolder, resolveSettingPath } from './pickModelFolder';
import type { ProviderStatus } from './providerStatus';
import { readRunOptions } from './settings';
import { inspectInWorker, runInWorker, WorkerRunError, type WorkerRunHooks } from './workerRun';

const DATASET_EXTENSIONS = ['.jsonl', '.json', '.csv'];

// Share of the progress bar each stage fills; forward passes and probes dominate every real run.
const STAGE_WEIGHT: Record<RunStage, number> = { generate: 0, dataset: 5, tokenize: 5, model: 10, extract: 45, probe: 25, baselines: 10 };
const STAGE_ORDER = RUN_STAGES;

export interface ProbeOutcome {
  result: ProbeResult;
  panel: HeatmapPanel;
  /** The run folder's result.json. */
  resultFile: string;
}

/**
 * What to do with a raw benchmark without asking (the Generate Answers command, tests): generate with
 * this plan; `generateOnly` stops after the answers file.
 */
export interface ProbeCommandChoices {
  generate?: GeneratePlan;
  generateOnly?: boolean;
}

export interface GenerateOutcome {
  summary: GenerationSummary;
}

/**
 * "Layer Probe: Probe Dataset…": dataset → model folder → (a raw benchmark: generate the answers in the
 * worker, open them beside) → worker run with progress → heatmap panel.
 */
export async function probeDatasetCommand(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  providerStatus: ProviderStatus,
  resource?: vscode.Uri,
  choices: ProbeCommandChoices = {},
): Promise<ProbeOutcome | GenerateOutcome | undefined> {
  const dataset = resource ?? (await pickDataset(choices.generateOnly === true));
  if (!dataset) return undefined;
  if (!DATASET_EXTENSIONS.includes(path.extname(dataset.fsPath).toLowerCase())) {
    void vscode.window.showErrorMessage(`Layer Probe: ${path.basename(dataset.fsPath)} is not a .jsonl, .json or .csv dataset.`);
    return undefined;
  }
  let configured: RunOptions;
  try {
    configured = readRunOptions(dataset);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    output.error(err.message);
    void vscode.window.showErrorMessage(`Layer Probe: ${err.message}. Fix it in the settings to probe.`, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:layer-probe.layer-probe');
    });
    return undefined;
  }
  const modelDir = await pickModelFolder(context, dataset, configured.modelFolder);
  if (!modelDir) return undefined;
  let options: RunOptions = {
    ...configured,
    modelFolder: modelDir,
    // The worker's working directory is not the workspace: resolve here, as the model folder is.
    extractionModel: configured.extractionModel === '' ? '' : resolveSettingPath(dataset, configured.extractionModel),
  };
  output.info(`Run: dataset ${dataset.fsPath}, options ${JSON.stringify(options)}`);

  const distDir = path.join(context.extensionUri.fsPath, 'dist');
  try {
    let datasetFile = dataset.fsPath;
    let answers: AnswersProvenance | undefined;
    const inspection = await inspectInWorker(distDir, { datasetFile, options }, silentHooks(output), neverCancelled);
    if (!inspection.answered || choices.generateOnly) {
      if (inspection.answered) throw new LayerProbeError(`${path.basename(datasetFile)} already holds the model's answers and their labels: probe it instead`);
      if (inspection.kind === undefined) {
        throw new LayerProbeError(
          `${path.basename(datasetFile)} has no model answers and labels, and which benchmark it is cannot be told from its columns ` +
            `(${inspection.columns.join(', ')}): set layerProbe.datasetKind to generate the answers, or probe a file of labelled answers`,
        );
      }
      const plan = choices.generate ?? (await askToGenerate(inspection, modelDir));
      if (!plan) return undefined;
      const outFile = await answersFileFor(context, datasetFile, options, inspection, plan);
      const summary = await generateWithProgress(distDir, { questionsFile: datasetFile, options, outFile, limit: plan.limit }, output);
      const { outFile: _file, rows: _rows, resumed: _resumed, provider: _provider, ...provenance } = summary;
      answers = provenance;
      await showAnswersBeside(summary.outFile);
      if (choices.generateOnly) return { summary };
      datasetFile = summary.outFile;
      // The question file may be in another encoding; the answers generation wrote are UTF-8.
      options = { ...options, encoding: 'utf-8' };
    }
    return await probeAndShow({ context, output, providerStatus }, { datasetFile, options, answers });
  } catch (err) {
    reportRunError(err, output);
    return undefined;
  }
}

/** A failed or cancelled run, told in the log (and a notification for a failure). */
export function reportRunError(err: unknown, output: vscode.LogOutputChannel): void {
  if (isRunCancelled(err)) {
    output.info('Run cancelled by the user.');
    if (err.message === 'generation cancelled') output.info('The answers generated so far are kept: the same run resumes from them.');
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  runFailed.fire(message);
  output.error(message);
  if (err instanceof WorkerRunError) for (const cause of err.causes) output.error(`  caused by ${cause}`);
  void vscode.window.showErrorMessage(`Layer Probe: ${message}`, 'Show Log').then((choice) => {
    if (choice) output.show(true);
  });
}

export interface ProbeContext {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  providerStatus: ProviderStatus;
}

/**
 * Probes answered rows in the worker with a progress notification, into a new run folder, and shows the
 * result in a panel of its own. Throws (RunCancelled when cancelled); the run folder is removed again
 * when the run ends without a result.
 */
export async function probeAndShow(
  { context, output, providerStatus }: ProbeContext,
  { datasetFile, options, answers, columns }: { datasetFile: string; options: RunOptions; answers?: AnswersProvenance; columns?: Partial<ColumnMapping> },
): Promise<ProbeOutcome> {
  const distDir = path.join(context.extensionUri.fsPath, 'dist');
  const modelDir = options.modelFolder;
  let runFolder: string | undefined;
  let live: LiveRun | undefined;
  try {
    // The run's folder, made before the work so a storage problem shows at once; removed again if empty.
    runFolder = createRunFolder(extensionRunsRoot(context), runFolderName(path.basename(modelDir), answers?.benchmarkFile ?? datasetFile, options.location, new Date()));
    const outDir = runFolder;
    // The run's own panel opens now and fills in as the probes finish; its result replaces the live view.
    const title = `${path.basename(path.resolve(modelDir))} · ${path.basename(answers?.benchmarkFile ?? datasetFile)} · ${options.location}`;
    live = new LiveRun(HeatmapPanel.open(context.extensionUri, panelOptions(output)), title);
    const liveRun = live;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Layer Probe', cancellable: true },
      (progress, token) => {
        let reported = 0;
        return runInWorker(
          distDir,
          // Extra locations come from the same forward passes and are cached: switching
          // `layerProbe.location` to one later re-probes from disk.
          { datasetFile, options, cacheDir: activationCacheRoots(context)[0], outDir, ...(answers ? { answers } : {}), ...(columns ? { columns } : {}) },
          {
            onProgress: (stage, done, total, message) => {
              const before = STAGE_ORDER.slice(0, STAGE_ORDER.indexOf(stage)).reduce((s, st) => s + STAGE_WEIGHT[st], 0);
              const target = before + (total > 0 ? (STAGE_WEIGHT[stage] * done) / total : 0);
              progress.report({ message, increment: Math.max(0, target - reported) });
              reported = Math.max(reported, target);
              liveRun.onStage(message, Math.min(1, reported / 100));
            },
            log: (line) => output.info(line),
            onCell: (cell) => {
              if (cell.location === options.location) liveRun.onCell(cell);
            },
            resolveColumns: (detection, columns) => askColumns(detection, columns, { datasetFile, state: context.workspaceState, log: (line) => output.info(line) }),
          },
          token,
        );
      },
    );
    providerStatus.show(result);
    const resultFile = path.join(outDir, RESULT_FILE);
    // The run folder keeps the answers it probed, so it stands alone when the storage copy is reused or cleared.
    if (answers) await fs.promises.copyFile(datasetFile, path.join(outDir, path.basename(datasetFile)));
    output.info(`Run folder: ${outDir}`);
    runsChanged.fire();
    // The live panel, unless the user closed it during the run.
    const panel = live.panel.isOpen ? live.panel : HeatmapPanel.open(context.extensionUri, panelOptions(output));
    panel.showResult(result, resultFile);
    const best = bestCell(result);
    output.info(`Done: ${result.nTrain} train / ${result.nTest} test rows${best ? `, best AUC ${best}` : ''}`);
    return { result, panel, resultFile };
  } catch (err) {
    // A failed or cancelled run leaves no panel: the notification and the log say what happened.
    live?.panel.dispose();
    if (runFolder) removeIfEmpty(runFolder);
    throw err;
  }
}

/** Where activations are cached (workspace storage, else global storage) and what else to extract. */
export function activationCacheRoots(context: vscode.ExtensionContext): string[] {
  const roots = [context.storageUri, context.globalStorageUri].filter((u): u is vscode.Uri => u !== undefined);
  return roots.map((u) => path.join(u.fsPath, 'activations'));
}

async function pickDataset(benchmark: boolean): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && DATASET_EXTENSIONS.includes(path.extname(active.fsPath).toLowerCase())) return active;
  const picked = await vscode.window.showOpenDialog({
    title: benchmark ? 'Layer Probe: choose a benchmark (questions and gold answers)' : 'Layer Probe: choose a dataset (model answers, or a benchmark to answer)',
    canSelectMany: false,
    filters: { Datasets: ['jsonl', 'json', 'csv'] },
  });
  return picked?.[0];
}

/** What a panel's buttons run (compare, rerun); set once by activate(), where those commands live. */
type PanelHooks = Pick<HeatmapPanelOptions, 'compareWith' | 'planRerun' | 'rerun'>;
let panelHooks: PanelHooks = {};
export function setPanelHooks(hooks: PanelHooks): void {
  panelHooks = hooks;
}

export const panelOptions = (output: vscode.LogOutputChannel): HeatmapPanelOptions => ({
  log: (level, message) => (level === 'error' ? output.error(`webview: ${message}`) : output.info(`webview: ${message}`)),
  compareWith: (file) => panelHooks.compareWith?.(file) ?? Promise.resolve(undefined),
  planRerun: (result, fields) => panelHooks.planRerun?.(result, fields) ?? Promise.resolve({ text: 'rerun is not available', problem: true }),
  rerun: (result, fields) => panelHooks.rerun?.(result, fields) ?? Promise.resolve(undefined),
});

/** Where the extension's own runs go: a folder per run in the workspace's extension storage. */
export function extensionRunsRoot(context: vscode.ExtensionContext): string {
  return path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs');
}

/** Removes a run folder that ended without a result (nothing in it). */
function removeIfEmpty(dir: string): void {
  try {
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch {
    // Gone already.
  }
}

/** Fires with the message of every failed run, as the notification shows it (tests check the words). */
export const runFailed = new vscode.EventEmitter<string>();

/** Fires when a run folder is added (the Runs view refreshes). */
export const runsChanged = new vscode.EventEmitter<void>();

const neverCancelled = { onCancellationRequested: (): void => undefined };

const silentHooks = (output: vscode.LogOutputChannel): WorkerRunHooks => ({
  onProgress: () => undefined,
  log: (line) => output.info(line),
  resolveColumns: () => Promise.resolve(undefined),
});

function bestCell(result: ProbeResult): string | undefined {
  let best: { v: number; layer: number; token: string } | undefined;
  result.metrics.auc.forEach((row, layer) =>
    row.forEach((v, t) => {
      if (v !== null && (!best || v > best.v)) best = { v, layer, token: result.tokens[t] };
    }),
  );
  return best && `${best.v.toFixed(3)} at layer ${best.layer}, ${best.token}`;
}
