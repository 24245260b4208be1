// `layer-probe judge`: a file of answers generated elsewhere (vLLM, the paper's scripts) → the labels and
// exact answers `generate` would give them, in the paper's model-output layout, ready for `probe`.

import * as path from 'node:path';

import type { RunOptionKey } from '../contract/runOptions';
import { judgeAnswersFile } from '../core/generate/judge/judgeAnswersFile';
import { parseCommandLine, pathFlag, stringFlag } from './commandLine';
import { readEscapes } from './generateCommand';
import { runOptionFlags, runOptionsFromFlags, runOptionsUsage } from './runFlags';

/** The run options judging reads: the benchmark, and the model that wrote the answers. */
const JUDGE_RUN_OPTIONS: RunOptionKey[] = ['encoding', 'maxDatasetMB', 'datasetKind', 'modelKind', 'extractionModel', 'extractionSampling', 'seed', 'executionProvider', 'modelFolder'];

export const JUDGE_USAGE = `Usage: layer-probe judge <answers-file> [--dataset-kind <kind>] [--model-kind base|instruct] [options]

Labels answers generated elsewhere with the code \`generate\` uses: each answer judged by the dataset
kind's correctness rule, its exact answer found as generate finds it. The file (CSV, JSONL or JSON) is
either a raw benchmark file with a model_answer column, or the paper's model-output layout (raw_question,
question, model_answer, correct_answer, …). The kind is told from the columns (and the paper's file
name, {model}-answers-{dataset}.csv); the model kind must be given unless --model or that file name
tells it. Wrong rows' exact answers come from --extraction-model (default: --model when it is an
instruct model with a chat template of its own), else from the heuristic short answer. Writes the
paper's model-output columns with automatic_correctness, exact_answer, valid_exact_answer and
exact_answer_source, the input's other columns kept (input_output_ids included, when present).

Options:
${runOptionsUsage(JUDGE_RUN_OPTIONS)}
                           judge: the model that wrote the answers, optional; its folder name is
                           the reference's model_name, its tokenizer tells base/instruct and the end
                           tokens
  --out <file>             judged file (default: <answers name>-judged.<ext> next to it; .csv,
                           .jsonl or .json, written in that format)
  --force                  replace --out if it exists (the answers file itself is never written)
  --template <text>        qa rows of a raw benchmark file: the prompt generate used, {question}
                           marks the question (default "Q: {question}\\nA:")
  --quiet                  no log on stderr
`;

export async function runJudgeCommand(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      ...runOptionFlags(JUDGE_RUN_OPTIONS),
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      template: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    JUDGE_USAGE,
    { command: 'judge', input: 'answers file' },
  );
  if (typeof line === 'number') return line;
  const { values, input: answersFile } = line;
  const runOptions = runOptionsFromFlags(values, JUDGE_RUN_OPTIONS);
  const quiet = values.quiet === true;

  const result = await judgeAnswersFile({
    answersFile: path.resolve(answersFile),
    outFile: pathFlag(values, 'out') === undefined ? undefined : path.resolve(pathFlag(values, 'out')!),
    force: values.force === true,
    datasetKind: runOptions.datasetKind === 'auto' ? undefined : runOptions.datasetKind,
    modelKind: runOptions.modelKind === 'auto' ? undefined : runOptions.modelKind,
    modelDir: runOptions.modelFolder === '' ? undefined : path.resolve(runOptions.modelFolder),
    promptTemplate: stringFlag(values, 'template') === undefined ? undefined : readEscapes(stringFlag(values, 'template')!),
    extractionModel: runOptions.extractionModel === '' ? '' : path.resolve(runOptions.extractionModel),
    extractionSampling: runOptions.extractionSampling,
    seed: runOptions.seed,
    encoding: runOptions.encoding,
    maxDatasetMB: runOptions.maxDatasetMB,
    executionProvider: runOptions.executionProvider,
    log: (line) => quiet || process.stderr.write(`  ${line}\n`),
  });

  const n = result.rows.length;
  const correct = Math.round(result.accuracy * n);
  const counts = Object.entries(result.sources)
    .filter(([, count]) => count > 0)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  const changed =
    result.labelsChanged === undefined ? '' : `; ${result.labelsChanged} of ${n} labels differ from the file's own automatic_correctness`;
  process.stdout.write(
    `${n} answers judged (${result.kind}: ${result.kindReason}; ${result.modelKind} model: ${result.modelKindReason}; ${result.layout} layout)\n` +
      `accuracy: ${(result.accuracy * 100).toFixed(1)} % (${correct}/${n})${changed}\n` +
      `exact answers: ${result.exactAnswers} (rows by source: ${counts}` +
      `${result.extractionTooLong ? `; ${result.extractionTooLong} too long for the extraction model kept the heuristic` : ''})\n` +
      `judged:   ${result.outFile}\n`,
  );
  return 0;
}
