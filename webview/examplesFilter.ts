// What the examples list shows of a cell's examples: the filter (all, errors, misclassified,
// correct), a text search over the question and answers, and one page of the rest. Pure, so the
// counts and page arithmetic are unit-tested without a DOM.
import type { ExampleView } from '../src/contract/result';

export type ExampleFilter = 'all' | 'errors' | 'misclassified' | 'correct';

export const EXAMPLE_FILTERS: readonly { id: ExampleFilter; label: string; title: string }[] = [
  { id: 'all', label: 'All', title: 'Every held-out example' },
  { id: 'errors', label: 'Errors', title: "Wrong answers (label 0)" },
  { id: 'misclassified', label: 'Misclassified', title: "The probe's prediction (P(correct) > 0.5) disagrees with the label" },
  { id: 'correct', label: 'Correct', title: 'Correct answers (label 1)' },
];

/** Rendered in pages so a large held-out set does not build hundreds of thousands of nodes at once. */
export const PAGE_SIZE = 100;

export interface ExampleQuery {
  filter: ExampleFilter;
  /** Case-insensitive text; blank = no search. */
  search: string;
  /** 0-based page; clamped to the pages there are. */
  page: number;
  pageSize?: number;
}

export interface ExamplePage {
  /** The examples on this page, in list order. */
  items: ExampleView[];
  /** Examples that pass the filter and the search. */
  total: number;
  /** The page shown (after clamping) and how many there are (at least 1). */
  page: number;
  pageCount: number;
  /** 0-based index of the page's first example among `total`. */
  offset: number;
  /** How many examples each filter would show with the current search. */
  counts: Record<ExampleFilter, number>;
  /** "1–100 of 200", or "0 of 0". */
  range: string;
}

export function passesFilter(example: ExampleView, filter: ExampleFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'errors':
      return example.label === 0;
    case 'misclassified':
      return example.misclassified;
    case 'correct':
      return example.label === 1;
  }
}

/**
 * Whether the example's text holds every word of `search` (case-insensitive): the question, gold,
 * model and exact answers, or, for a result without them, the prompt + answer text.
 */
export function matchesSearch(example: ExampleView, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return true;
  const fields = [example.question, example.goldAnswer, example.modelAnswer, example.exactAnswer].filter(
    (t): t is string => t !== undefined,
  );
  const haystack = (fields.length > 0 ? fields.join('\n') : example.pieces.join('')).toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function selectExamples(examples: readonly ExampleView[], query: ExampleQuery): ExamplePage {
  const pageSize = Math.max(1, Math.floor(query.pageSize ?? PAGE_SIZE));
  const found = examples.filter((e) => matchesSearch(e, query.search));
  const counts = Object.fromEntries(
    EXAMPLE_FILTERS.map(({ id }) => [id, found.filter((e) => passesFilter(e, id)).length]),
  ) as Record<ExampleFilter, number>;
  const shown = found.filter((e) => passesFilter(e, query.filter));
  const pageCount = Math.max(1, Math.ceil(shown.length / pageSize));
  const page = Math.min(Math.max(0, Math.floor(query.page) || 0), pageCount - 1);
  const offset = page * pageSize;
  const items = shown.slice(offset, offset + pageSize);
  return { items, total: shown.length, page, pageCount, offset, counts, range: pageRange(offset, items.length, shown.length) };
}

/** "1–100 of 200" (an en dash), "7 of 7" for a single example, "0 of 0" for none. */
export function pageRange(offset: number, shown: number, total: number): string {
  if (shown === 0) return `0 of ${total}`;
  const first = offset + 1;
  const last = offset + shown;
  return first === last ? `${first} of ${total}` : `${first}–${last} of ${total}`;
}
