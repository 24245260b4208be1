// The extension's half of "from a raw benchmark to the heatmap": asking whether to generate, where the
// answers file goes, and running generation in the worker with progress. The answers file lives in the
// extension's storage (never beside or over the user's benchmark), under a name derived from the file's
// content and every option that shapes the answers: a cancelled run resumes from its `.partial` file, and
// a finished one is reused instead of generated again.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as vscode from 'vscode';

import { REFERENCE_SAMPLE_LIMIT, type RunOptions } from '../contract/runOptions';
import type { DatasetInspection, GenerationSummary } from '../contract/workerProtocol';
import { generateInWorker } from './workerRun';

/** How much of the benchmark to answer: every question, or the first `limit`. */
export interface GeneratePlan {
  limit?: number;
}

/** The options that change what `generate` writes (the others only change probing). */
const GENERATION_KEYS = ['modelFolder', 'datasetKind', 'modelKind', 'chatTemplate', 'addGenerationPrompt', 'extractionModel', 'extractionSampling'] as const;

export async function answersFileFor(context: vscode.ExtensionContext, benchmark: string, options: RunOptions, inspection: DatasetInspection, plan: GeneratePlan): Promise<string> {
  const content = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(benchmark)) content.update(chunk as Buffer);
  const shaping: Record<string, unknown> = Object.fromEntries(GENERATION_KEYS.map((k) => [k, options[k]]));
  if (options.extractionSampling) shaping.seed = options.seed;
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify({ content: content.digest('hex'), kind: inspection.kind, limit: plan.limit ?? null, ...shaping }))
    .digest('hex')
    .slice(0, 12);
  const storage = context.storageUri ?? context.globalStorageUri;
  const model = path.basename(options.modelFolder);
  const name = `${path.parse(benchmark).name}-${model}-${inspection.kind ?? 'qa'}${plan.limit ? `-first${plan.limit}` : ''}-${key}.jsonl`;
  return path.join(storage.fsPath, 'answers', name);
}

/** Asks what to do with a raw benchmark; undefined when the user declines. */
export async function askToGenerate(inspection: DatasetInspection, modelFolder: string): Promise<GeneratePlan | undefined> {
  const model = path.basename(modelFolder);
  const questions = `${inspection.rows.toLocaleString('en-US')} questions`;
  const detail = `${questions} · ${inspection.modelKind} prompts · kind ${inspection.kind} (${inspection.kindReason})`;
  type Item = vscode.QuickPickItem & { plan: GeneratePlan };
  const items: Item[] = [{ label: `Generate answers with ${model} (${inspection.kind}), then probe`, detail, plan: {} }];
  if (inspection.rows > REFERENCE_SAMPLE_LIMIT) {
    items.push({
      label: `Generate answers to the first ${REFERENCE_SAMPLE_LIMIT.toLocaleString('en-US')} questions, then probe`,
      detail: `faster; the probes sample ${REFERENCE_SAMPLE_LIMIT.toLocaleString('en-US')} rows by default (the reference's n_samples)`,
      plan: { limit: REFERENCE_SAMPLE_LIMIT },
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `Layer Probe: ${path.basename(inspection.file)} is a benchmark without the model's answers`,
    placeHolder: 'The probes need the model\'s own answers, judged by the benchmark\'s rule',
    ignoreFocusOut: true,
  });
  return picked?.plan;
}

/**
 * Generates (or resumes, or reuses) the answers with a cancellable progress notification. Cancelling
 * rejects with RunCancelled and keeps the rows written so far for the next run.
 */
export async function generateWithProgress(
  distDir: string,
  request: { questionsFile: string; options: RunOptions; outFile: string; limit?: number },
  output: vscode.LogOutputChannel,
): Promise<GenerationSummary> {
  // The summary is kept beside a finished answers file (both in the extension's storage) for reuse.
  const summaryFile = `${request.outFile}.summary.json`;
  if (fs.existsSync(request.outFile) && fs.existsSync(summaryFile)) {
    try {
      const summary = JSON.parse(await fs.promises.readFile(summaryFile, 'utf8')) as GenerationSummary;
      output.info(`Answers already generated with these options: ${request.outFile}`);
      return summary;
    } catch {
      // Unreadable: generated again below.
    }
  }
  // A finished file without its summary (an interrupted write): generate again rather than guess.
  if (fs.existsSync(request.outFile)) await fs.promises.rm(request.outFile);
  if (fs.existsSync(`${request.outFile}.partial`)) output.info(`Resuming the answers of an earlier, stopped run: ${request.outFile}.partial`);
  const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Layer Probe', cancellable: true }, (progress, token) => {
    let reported = 0;
    return generateInWorker(
      distDir,
      request,
      {
        onProgress: (_stage, done, total, message) => {
          const target = total > 0 ? (100 * done) / total : 0;
          progress.report({ message, increment: Math.max(0, target - reported) });
          reported = Math.max(reported, target);
        },
        log: (line) => output.info(line),
        resolveColumns: () => Promise.resolve(undefined),
      },
      token,
    );
  });
  await fs.promises.writeFile(summaryFile, JSON.stringify(summary));
  output.info(`Answers: ${summary.rows} rows (${summary.resumed} resumed), accuracy ${(summary.accuracy * 100).toFixed(1)} %, ${summary.outFile}`);
  return summary;
}

/** Opens the answers file beside the current editor, without taking the focus from the panel. */
export async function showAnswersBeside(file: string): Promise<void> {
  await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}
