// `layer-probe generate`: a raw question file → a JSONL file of the model's greedy answers, ready for `probe`.

import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { promptFormatOf, type RunOptionKey } from '../contract/runOptions';
import { writeAnswersJsonl } from '../core/generate/answersFile';
import { generateAnswers } from '../core/generate/generateAnswers';
import { DEFAULT_PROMPT_TEMPLATE } from '../core/generate/promptTemplate';
import { GOLD_COLUMN_NAMES, QUESTION_COLUMN_NAMES } from '../core/generate/questionFile';
import type { ModelKind } from '../core/tokenize/modelTokenizer';
import { runOptionFlags, runOptionsFromFlags, runOptionsUsage } from './runFlags';

/** The run options that also shape generation: the same prompts (and q_length) as probing will see. */
const GENERATE_RUN_OPTIONS: RunOptionKey[] = ['modelFolder', 'chatTemplate', 'addGenerationPrompt', 'executionProvider'];

export const GENERATE_USAGE = `Usage: layer-probe generate <questions> --model <dir> [options]

Generates the model's greedy answers to a question file (JSONL, JSON or CSV with a question and a gold
answer column) and writes them as JSONL with correctness labels, exact answers and token ids: the
dataset \`probe\` takes.

Options:
${runOptionsUsage(GENERATE_RUN_OPTIONS)}
  --out <file>              answers file (default: <questions name>-answers.jsonl next to the questions)
  --template <text>         prompt, {question} marks the question; \\n and \\t are read as escapes
                            (default ${JSON.stringify(DEFAULT_PROMPT_TEMPLATE)})
  --max-new-tokens <n>      generation length limit (default 100, as the reference; 200 for math)
  --limit <n>               only the first n questions
  --batch-size <n>          prompts per forward pass (default 16)
  --question-column <name>  default: the first of ${QUESTION_COLUMN_NAMES.join(', ')}
  --gold-column <name>      default: the first of ${GOLD_COLUMN_NAMES.join(', ')}
  --kind <base|instruct>    base models stop on the newline token, instruct ones on EOS (default: guessed
                            from the tokenizer's chat template)
  --quiet                   no progress on stderr
`;

export async function runGenerateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...runOptionFlags(GENERATE_RUN_OPTIONS),
      out: { type: 'string' },
      template: { type: 'string' },
      'max-new-tokens': { type: 'string', default: '100' },
      limit: { type: 'string' },
      'batch-size': { type: 'string', default: '16' },
      'question-column': { type: 'string' },
      'gold-column': { type: 'string' },
      kind: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [questionsFile] = positionals;
  const runOptions = runOptionsFromFlags(values as Record<string, string | boolean | undefined>, GENERATE_RUN_OPTIONS);
  if (values.help || !questionsFile || runOptions.modelFolder === '' || positionals.length > 1) {
    process.stderr.write(GENERATE_USAGE);
    return values.help ? 0 : 2;
  }
  const kind = values.kind;
  if (kind !== undefined && kind !== 'base' && kind !== 'instruct') return usageError('--kind must be base or instruct');
  const maxNewTokens = integerOption('max-new-tokens', values['max-new-tokens'], 0);
  const batchSize = integerOption('batch-size', values['batch-size'], 1);
  const limit = values.limit === undefined ? undefined : integerOption('limit', values.limit, 0);
  if (maxNewTokens === undefined || batchSize === undefined || (values.limit !== undefined && limit === undefined)) return 2;

  const questions = path.resolve(questionsFile);
  const outFile = path.resolve(values.out ?? defaultOutFile(questions));
  const quiet = values.quiet;
  let reportedTenth = 0;
  const started = performance.now();
  const result = await generateAnswers({
    questionsFile: questions,
    modelDir: path.resolve(runOptions.modelFolder),
    promptFormat: promptFormatOf(runOptions),
    executionProvider: runOptions.executionProvider,
    promptTemplate: values.template === undefined ? undefined : readEscapes(values.template),
    questionColumn: values['question-column'],
    goldColumn: values['gold-column'],
    maxNewTokens,
    limit,
    batchSize,
    modelKind: kind as ModelKind | undefined,
    onProgress: (done, total) => {
      // About ten lines per run, whatever its size.
      const tenth = Math.floor((done / total) * 10);
      if (quiet || (tenth === reportedTenth && done !== total)) return;
      reportedTenth = tenth;
      process.stderr.write(`[generate] ${done}/${total} questions, ${seconds(started)} s\n`);
    },
  });
  writeAnswersJsonl(outFile, result.rows);

  const correct = result.rows.filter((row) => row.automatic_correctness === 1).length;
  process.stdout.write(
    `${result.rows.length} answers (${result.modelKind} model, stop ids ${result.stopIds.join(', ')}; ` +
      `columns "${result.questionColumn}" / "${result.goldColumn}") in ${seconds(started)} s\n` +
      `accuracy: ${(result.accuracy * 100).toFixed(1)} % (${correct}/${result.rows.length})\n` +
      `answers:  ${outFile}\n`,
  );
  return 0;
}

function defaultOutFile(questionsFile: string): string {
  const { dir, name } = path.parse(questionsFile);
  return path.join(dir, `${name}-answers.jsonl`);
}

/** Shells pass "\n" in a quoted argument as two characters; a prompt template almost always means a newline. */
export function readEscapes(text: string): string {
  return text.replace(/\\([nt\\])/g, (_match, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : '\\'));
}

function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min) {
    usageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
    return undefined;
  }
  return n;
}

function usageError(message: string): number {
  process.stderr.write(`layer-probe generate: ${message}\n`);
  return 2;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
