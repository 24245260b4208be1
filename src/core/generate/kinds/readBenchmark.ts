// A raw benchmark file of a known kind → the items the prompt, judge and answers-file code need, with
// the reference's own values (raw_question, correct_answer, extra columns; llmsknow-pipeline.md §4.2).
//
// Records are taken in file order. The reference's own subsampling (TriviaQA's train_test_split to
// 10,000 with random_state 42, HotpotQA's np.random.randint draw with replacement, IMDB's seeded
// shuffle) needs numpy's and sklearn's generators and is not reproduced: `limit` keeps the first rows,
// as the reference's `--n_samples` does after loading.

import type { DatasetKind } from '../../../contract/datasetKinds';
import type { Parsed } from '../../dataset/cellValues';
import { DatasetError } from '../../dataset/errors';
import { readTable } from '../../dataset/readTable';
import { isUnnamedIndexColumn, type Table } from '../../dataset/table';
import { goldAliases, GoldAnswerError } from '../goldAnswers';
import {
  aliasListCell,
  hotpotSentencesCell,
  imdbLabelCell,
  mathGoldCell,
  objectField,
  optionalTextCell,
  textCell,
} from './cells';
import { QA_GOLD_COLUMNS, QA_QUESTION_COLUMNS } from './detectKind';
import { pyFloatStr, pyIntStr } from './pythonText';
import type { Benchmark, BenchmarkItem } from './types';

export interface ReadBenchmarkOptions {
  /** Only the first `limit` records (file order), as the reference's `--n_samples`. */
  limit?: number;
}

export async function readBenchmark(file: string, kind: DatasetKind, options: ReadBenchmarkOptions = {}): Promise<Benchmark> {
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
  }
  return benchmarkFromTable(await readTable(file), kind, options);
}

/** The same from a table already read (detection reads the file first). */
export function benchmarkFromTable(table: Table, kind: DatasetKind, options: ReadBenchmarkOptions = {}): Benchmark {
  const columns = new ColumnFinder(table);
  const readRecord = RECORD_READERS[kind](columns);
  const count = options.limit === undefined ? table.records.length : Math.min(options.limit, table.records.length);
  const items = table.records.slice(0, count).map((record, rowIndex) => {
    const cells = new RecordCells(table, record, rowIndex);
    const item = readRecord(cells);
    if (columns.id !== undefined && record[columns.id] !== undefined) item.id = record[columns.id];
    return item;
  });
  return { file: table.file, kind, columnsUsed: columns.used, items };
}

/** The columns a kind reads, found once per file: exact name first, then case-insensitively. */
class ColumnFinder {
  readonly used: Record<string, string> = {};
  readonly id: string | undefined;
  private readonly named: string[];

  constructor(private readonly table: Table) {
    this.named = table.columns.filter((column) => !isUnnamedIndexColumn(column));
    this.id = this.named.includes('id') ? 'id' : undefined;
  }

  find(candidates: readonly string[]): string | undefined {
    return (
      candidates.find((name) => this.named.includes(name)) ??
      candidates.map((name) => this.named.find((column) => column.toLowerCase() === name.toLowerCase())).find((c) => c !== undefined)
    );
  }

  require(role: string, candidates: readonly string[]): string {
    const column = this.find(candidates);
    if (column === undefined) {
      throw new DatasetError(
        { file: this.table.file },
        `no ${role} column: expected one of ${candidates.join(', ')} (columns: ${this.named.join(', ')})`,
      );
    }
    this.used[role] = column;
    return column;
  }

  optional(role: string, candidates: readonly string[]): string | undefined {
    const column = this.find(candidates);
    if (column !== undefined) this.used[role] = column;
    return column;
  }
}

/** One record's cells; a bad cell is a DatasetError naming file, row, line and column. */
class RecordCells {
  private readonly fromCsv: boolean;

  constructor(
    private readonly table: Table,
    private readonly record: Record<string, unknown>,
    readonly rowIndex: number,
  ) {
    this.fromCsv = table.format === 'csv';
  }

  get line(): number {
    return this.table.lines[this.rowIndex];
  }

  raw(column: string): unknown {
    return this.record[column];
  }

  get<T>(column: string, parse: (value: unknown) => Parsed<T>): T {
    const parsed = parse(this.record[column]);
    if ('problem' in parsed) this.fail(column, parsed.problem);
    return parsed.value;
  }

  text(column: string): string {
    return this.get(column, (value) => textCell(value, this.fromCsv));
  }

  optionalText(column: string | undefined): string | undefined {
    return column === undefined ? undefined : optionalTextCell(this.record[column], this.fromCsv);
  }

  fail(column: string, problem: string): never {
    throw new DatasetError({ file: this.table.file, rowIndex: this.rowIndex, line: this.line, column }, problem);
  }

  base(rawQuestion: string, correctAnswer: BenchmarkItem['correctAnswer'], aliases: string[]): BenchmarkItem {
    return { rowIndex: this.rowIndex, line: this.line, rawQuestion, correctAnswer, aliases };
  }
}

type RecordReader = (cells: RecordCells) => BenchmarkItem;

const RECORD_READERS: Record<DatasetKind, (columns: ColumnFinder) => RecordReader> = {
  qa: (columns) => {
    const question = columns.require('question', QA_QUESTION_COLUMNS);
    const gold = columns.require('gold', QA_GOLD_COLUMNS);
    return (cells) => {
      const value = cells.raw(gold);
      // A JSON alias array may hold numbers (years); they are aliases as text.
      const list = Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'number' ? String(v) : v)) : undefined;
      const correctAnswer = list !== undefined ? cells.get(gold, () => aliasListCell(list)) : cells.text(gold);
      return cells.base(cells.text(question), correctAnswer, aliasesOf(cells, gold, correctAnswer));
    };
  },
  triviaqa: (columns) => {
    const question = columns.require('question', ['Question', 'question']);
    // TriviaQA's JSON keeps the aliases inside the Answer object; flattened exports have a column.
    const gold = columns.optional('aliases', ['Answer.Aliases', 'answer.aliases', 'aliases']) ?? columns.require('gold', QA_GOLD_COLUMNS);
    return (cells) => {
      const value = cells.raw(gold);
      const list = objectField(value, 'aliases') ?? value;
      const aliases = cells.get(gold, () => aliasListCell(list));
      if (aliases.length === 0) cells.fail(gold, 'the alias list is empty');
      return cells.base(cells.text(question), aliases, aliasesOf(cells, gold, aliases));
    };
  },
  movies: (columns) => shortAnswerReader(columns, ['Question', 'question'], ['Answer', 'answer']),
  hotpotqa: (columns) => shortAnswerReader(columns, ['question', 'Question'], ['answer', 'Answer']),
  hotpotqa_with_context: (columns) => {
    const question = columns.require('question', ['question', 'Question']);
    const gold = columns.require('gold', ['answer', 'Answer']);
    const context = columns.require('context', ['context', 'Context']);
    return (cells) => {
      // load_hotpotqa: every sentence of every paragraph followed by '\n', then the question. This is
      // the reference's raw_question too (it is built before raw_question is taken).
      const sentences = cells.get(context, hotpotSentencesCell);
      const rawQuestion = sentences.map((sentence) => sentence + '\n').join('') + cells.text(question);
      const answer = cells.text(gold);
      return cells.base(rawQuestion, answer, aliasesOf(cells, gold, answer));
    };
  },
  math: (columns) => {
    const question = columns.require('question', ['question', 'Question']);
    const gold = columns.require('gold', ['answer', 'Answer']);
    return (cells) => {
      const label = cells.get(gold, mathGoldCell);
      return cells.base(cells.text(question), label, [...new Set([pyFloatStr(label), pyIntStr(label)])]);
    };
  },
  winobias: (columns) => {
    const sentence = columns.require('sentence', ['sentence']);
    const q = columns.require('q', ['q']);
    const qInstruct = columns.require('q_instruct', ['q_instruct']);
    const gold = columns.require('gold', ['answer']);
    const incorrect = columns.require('incorrect_answer', ['incorrect_answer']);
    const stereotype = columns.optional('stereotype', ['stereotype']);
    const type = columns.optional('type', ['type']);
    return (cells) => {
      const answer = cells.text(gold);
      const typeText = cells.optionalText(type);
      return {
        ...cells.base(cells.text(sentence), answer, [answer]),
        incorrectAnswer: cells.text(incorrect),
        stereotype: cells.optionalText(stereotype),
        // pandas reads the 1/2 column as integers and writes them back as such.
        type: typeText !== undefined && /^-?\d+$/.test(typeText) ? Number(typeText) : typeText,
        q: cells.text(q),
        qInstruct: cells.text(qInstruct),
      };
    };
  },
  winogrande: (columns) => {
    const question = columns.require('question', ['Question', 'question']);
    const gold = columns.require('gold', ['Answer', 'answer']);
    const wrong = columns.require('wrong_answer', ['Wrong_Answer', 'wrong_answer']);
    return (cells) => {
      const answer = cells.text(gold);
      return { ...cells.base(cells.text(question), answer, [answer]), incorrectAnswer: cells.text(wrong) };
    };
  },
  mnli: (columns) => {
    const question = columns.require('question', ['Question', 'question']);
    const gold = columns.require('gold', ['Answer', 'answer']);
    const origin = columns.optional('origin', ['Origin', 'origin']);
    return (cells) => {
      // A label outside entailment/neutral/contradiction is not refused: the reference judges it 0.
      const answer = cells.text(gold);
      return { ...cells.base(cells.text(question), answer, [answer]), origin: cells.optionalText(origin) };
    };
  },
  imdb: (columns) => {
    const review = columns.require('review', ['text', 'review']);
    const label = columns.require('label', ['label', 'sentiment']);
    return (cells) => {
      const value = cells.get(label, imdbLabelCell);
      return cells.base(cells.text(review), value, [value === 1 ? 'positive' : 'negative']);
    };
  },
  natural_questions_with_context: (columns) => {
    const question = columns.require('question', ['Question', 'question']);
    const gold = columns.require('gold', ['Answer', 'answer']);
    const context = columns.require('context', ['Context', 'context']);
    return (cells) => {
      const answer = cells.text(gold);
      return { ...cells.base(cells.text(question), answer, aliasesOf(cells, gold, answer)), context: cells.text(context) };
    };
  },
};

/** Question + one gold string, kept exactly as in the file (movies' stray spaces included). */
function shortAnswerReader(columns: ColumnFinder, questionNames: string[], goldNames: string[]): RecordReader {
  const question = columns.require('question', questionNames);
  const gold = columns.require('gold', goldNames);
  return (cells) => {
    const answer = cells.text(gold);
    return cells.base(cells.text(question), answer, aliasesOf(cells, gold, answer));
  };
}

function aliasesOf(cells: RecordCells, column: string, gold: string | string[]): string[] {
  let aliases: string[];
  try {
    aliases = goldAliases(gold);
  } catch (err) {
    if (err instanceof GoldAnswerError) cells.fail(column, err.message);
    throw err;
  }
  if (aliases.length === 0) cells.fail(column, 'the gold answer has no non-blank alias');
  return aliases;
}
