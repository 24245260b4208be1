// `layer-probe generate`: a raw benchmark file → a JSONL file of the model's greedy answers, judged by
// the dataset kind's rule, ready for `probe`.

import * as path from 'node:path';

import { isRunCancelled } from '../contract/errors';
import { promptFormatOf, type RunOptionKey } from '../contract/runOptions';
import { generateAnswers } from '../core/generate/generateAnswers';
import { generationMessage } from '../core/generate/generationProgress';
import { DEFAULT_PROMPT_TEMPLATE } from '../core/generate/promptTemplate';
import { timedProgress } from '../core/progress/timedProgress';
import { integerFlag, parseCommandLine, pathFlag, stringFlag } from './commandLine';
import { EXIT_INTERRUPTED } from './exitCodes';
import { refuseInsideModel } from './outputFolder';
import { ProgressPrinter } from './progressPrinter';
import { runOptionFlags, runOptionsFromFlags, runOptionsUsage } from './runFlags';
import { UsageError } from './usageError';

/** The run options that also shape generation: the same prompts (and q_length) as probing will see. */
const GENERATE_RUN_OPTIONS: RunOptionKey[] = [
  'modelFolder',
  'encoding',
  'maxDatasetMB',
  'datasetKind',
  'modelKind',
  'chatTemplate',
  'addGenerationPrompt',
  'executionProvider',
  'extractionModel',
  'extractionSampling',
  'seed',
];

export const GENERATE_USAGE = `Usage: layer-probe generate <questions> --model <dir> [options]

Generates the model's greedy answers to a benchmark file (the paper's data/*.csv layouts, TriviaQA,
HotpotQA, IMDB, NQ, or any question + gold answer file) with the dataset kind's prompt and stop rule,
judges them by the kind's correctness rule, and writes them as JSONL in the paper's model-output
columns with the token ids: the dataset \`probe\` takes. A stopped run resumes where it stopped.

Options:
${runOptionsUsage(GENERATE_RUN_OPTIONS)}
  --out <file>               answers file (default: <questions name>-answers.jsonl next to the questions)
  --template <text>          qa kind only: the prompt, {question} marks the question; \\n and \\t are read
                             as escapes (default ${JSON.stringify(DEFAULT_PROMPT_TEMPLATE)})
  --max-new-tokens <n>       generation length limit (default: the kind's, 100; 200 for math)
  --limit <n>                only the first n questions
  --batch-size <n>           prompts per forward pass (default 16)
  --quiet                    no progress on stderr
`;

export async function runGenerateCommand(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    {
      ...runOptionFlags(GENERATE_RUN_OPTIONS),
      out: { type: 'string' },
      template: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      limit: { type: 'string' },
      'batch-size': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    GENERATE_USAGE,
    { command: 'generate', input: 'question file' },
  );
  if (typeof line === 'number') return line;
  const { values, input: questionsFile } = line;
  const runOptions = runOptionsFromFlags(values, GENERATE_RUN_OPTIONS);
  if (runOptions.modelFolder === '') throw new UsageError('--model <dir> is required');
  const maxNewTokens = integerFlag(values, 'max-new-tokens', 0);
  const batchSize = integerFlag(values, 'batch-size', 1);
  const limit = integerFlag(values, 'limit', 0);

  const questions = path.resolve(questionsFile);
  const outFile = path.resolve(pathFlag(values, 'out') ?? defaultOutFile(questions));
  refuseInsideModel(outFile, runOptions.modelFolder, `the answers file ${outFile}`);
  const quiet = values.quiet === true;
  const printer = new ProgressPrinter(process.stderr, { quiet });
  const timed = timedProgress((stage, done, total, message) => printer.update(stage, done, total, message));
  const abort = new AbortController();
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\nCtrl-C: stopping after the current round of answers (press it again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  let result;
  try {
    result = await generateAnswers({
      questionsFile: questions,
      encoding: runOptions.encoding,
      maxDatasetMB: runOptions.maxDatasetMB,
      modelDir: path.resolve(runOptions.modelFolder),
      outFile,
      datasetKind: runOptions.datasetKind === 'auto' ? undefined : runOptions.datasetKind,
      modelKind: runOptions.modelKind === 'auto' ? undefined : runOptions.modelKind,
      promptFormat: promptFormatOf(runOptions),
      executionProvider: runOptions.executionProvider,
      extractionModel: runOptions.extractionModel === '' ? '' : path.resolve(runOptions.extractionModel),
      extractionSampling: runOptions.extractionSampling,
      seed: runOptions.seed,
      promptTemplate: stringFlag(values, 'template') === undefined ? undefined : readEscapes(stringFlag(values, 'template')!),
      maxNewTokens,
      limit,
      batchSize,
      onProgress: (p) => timed('generate', p.done, p.total, generationMessage(p)),
      log: (line) => printer.log(`  ${line}`),
      signal: abort.signal,
    });
  } catch (err) {
    if (!isRunCancelled(err)) throw err;
    process.stderr.write(`\nlayer-probe: generation stopped; the rows generated so far are kept in ${outFile}.partial: run the same command again to resume\n`);
    return EXIT_INTERRUPTED;
  } finally {
    printer.finish();
    process.off('SIGINT', onInterrupt);
  }

  const correct = result.rows.filter((row) => row.automatic_correctness === 1).length;
  process.stdout.write(
    `${result.rows.length} answers (${result.kind}: ${result.kindReason}; ${result.modelKind} model, stop ids ${result.stopIds.join(', ')}` +
      `${result.resumed > 0 ? `; ${result.resumed} resumed` : ''})\n` +
      `accuracy: ${(result.accuracy * 100).toFixed(1)} % (${correct}/${result.rows.length}); exact answers: ${result.exactAnswers}${extractionCounts(result.extraction)}\n` +
      `answers:  ${outFile}\n`,
  );
  return 0;
}

/** How many rows the extraction model answered in this run, and how many were too long for it. */
export function extractionCounts(counts: { extracted: number; tooLong: number } | undefined): string {
  if (counts === undefined) return '';
  return ` (${counts.extracted} rows extracted${counts.tooLong > 0 ? `; ${counts.tooLong} too long for its position table kept the heuristic` : ''})`;
}

function defaultOutFile(questionsFile: string): string {
  const { dir, name } = path.parse(questionsFile);
  return path.join(dir, `${name}-answers.jsonl`);
}

/** Shells pass "\n" in a quoted argument as two characters; a prompt template almost always means a newline. */
export function readEscapes(text: string): string {
  return text.replace(/\\([nt\\])/g, (_match, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : '\\'));
}
