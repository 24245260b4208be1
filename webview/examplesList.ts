// The examples behind the selected cell: filters (all, errors, misclassified, correct) with counts,
// a text search, one page at a time; each example with its question, gold answer, model answer (the
// exact answer marked), label, P(correct), misclassification mark, and the prompt + answer tokens
// with the probed token highlighted. Everything from the dataset goes in as text nodes.
import type { ExampleView } from '../src/contract/result';
import { el, replaceChildren } from './dom';
import { EXAMPLE_FILTERS, type ExampleFilter, selectExamples } from './examplesFilter';
import { answerParts, exampleSegments, visiblePiece } from './exampleText';

export class ExamplesList {
  readonly element: HTMLElement;
  private examples: ExampleView[] = [];
  /** Kept from cell to cell: looking at the errors of one probe, then of the next, is the usual walk. */
  private filter: ExampleFilter = 'all';
  private search = '';
  private page = 0;
  private readonly list = el('ol', { className: 'example-list' });
  private readonly filterButtons = new Map<ExampleFilter, HTMLButtonElement>();
  private readonly searchBox = el('input', {
    className: 'example-search',
    attrs: { type: 'search', placeholder: 'Search question and answers', 'aria-label': 'Search the examples', spellcheck: 'false' },
  });
  private readonly range = el('span', { className: 'page-range', attrs: { 'aria-live': 'polite' } });
  private readonly previous = el('button', { className: 'pager-button previous', attrs: { type: 'button', 'aria-label': 'Previous page' } }, '‹ Previous');
  private readonly next = el('button', { className: 'pager-button next', attrs: { type: 'button', 'aria-label': 'Next page' } }, 'Next ›');
  private readonly empty = el('p', { className: 'hint empty' });
  private readonly controls: HTMLElement;
  private readonly pager: HTMLElement;

  constructor(private readonly onOpen: (example: ExampleView) => void) {
    this.element = el('section', { className: 'examples', attrs: { 'aria-label': 'Examples of the selected cell' } });
    const filters = el('div', { className: 'example-filters', attrs: { role: 'group', 'aria-label': 'Show' } });
    for (const { id, label, title } of EXAMPLE_FILTERS) {
      const button = el(
        'button',
        { className: `filter filter-${id}`, attrs: { type: 'button', title, 'aria-pressed': 'false', 'data-filter': id } },
        el('span', { className: 'filter-label' }, label),
        el('span', { className: 'count' }),
      );
      button.addEventListener('click', () => {
        this.filter = id;
        this.page = 0;
        this.render();
      });
      this.filterButtons.set(id, button);
      filters.appendChild(button);
    }
    this.searchBox.addEventListener('input', () => {
      this.search = this.searchBox.value;
      this.page = 0;
      this.render();
    });
    this.searchBox.addEventListener('keydown', (event) => {
      // Down from the search box goes to the first example, as in VS Code's filtered lists.
      if (event.key === 'ArrowDown' && this.list.firstElementChild instanceof HTMLElement) {
        event.preventDefault();
        this.list.firstElementChild.focus();
      }
    });
    this.previous.addEventListener('click', () => this.turn(-1));
    this.next.addEventListener('click', () => this.turn(1));
    this.list.addEventListener('keydown', (event) => this.moveFocus(event));
    this.controls = el('div', { className: 'example-controls' }, filters, this.searchBox);
    this.pager = el('nav', { className: 'pager', attrs: { 'aria-label': 'Pages of examples' } }, this.previous, this.range, this.next);
    this.showHint('Click a cell (or focus the heatmap and press Enter) to list the held-out examples behind its probe.');
  }

  showHint(text: string): void {
    this.examples = [];
    replaceChildren(this.element, el('p', { className: 'hint' }, text));
  }

  show(title: string, examples: ExampleView[]): void {
    this.examples = examples;
    this.page = 0;
    const errors = examples.filter((example) => example.label === 0).length;
    const missed = examples.filter((example) => example.misclassified).length;
    replaceChildren(
      this.element,
      el('h2', {}, title),
      el(
        'p',
        { className: 'summary' },
        `${examples.length} held-out examples, ${errors} wrong answers, ${missed} misclassified by the probe. ` +
          'Most error-like first (lowest P(correct)).',
      ),
      examples.length === 0 ? el('p', { className: 'hint' }, 'No held-out examples.') : null,
      examples.length === 0 ? null : this.controls,
      examples.length === 0 ? null : this.pager,
      examples.length === 0 ? null : this.empty,
      examples.length === 0 ? null : this.list,
    );
    this.render();
  }

  private turn(step: number): void {
    this.page += step;
    this.render();
    // Keep the keyboard where it was (a disabled button loses focus): the page's first example.
    if ((step < 0 ? this.previous : this.next).disabled && this.list.firstElementChild instanceof HTMLElement) {
      this.list.firstElementChild.focus();
    }
    this.list.scrollTop = 0;
  }

  /** Redraws counts, pager and the current page (never the controls: the search box keeps its focus). */
  private render(): void {
    const shown = selectExamples(this.examples, { filter: this.filter, search: this.search, page: this.page });
    this.page = shown.page;
    for (const [id, button] of this.filterButtons) {
      button.setAttribute('aria-pressed', String(id === this.filter));
      button.classList.toggle('selected', id === this.filter);
      const count = button.querySelector('.count');
      if (count) count.textContent = String(shown.counts[id]);
    }
    if (this.searchBox.value !== this.search) this.searchBox.value = this.search;
    this.range.textContent = shown.range;
    this.previous.disabled = shown.page === 0;
    this.next.disabled = shown.page >= shown.pageCount - 1;
    this.empty.hidden = shown.total > 0;
    this.empty.textContent = this.search.trim() !== '' ? `No example matches "${this.search.trim()}" here.` : 'No example of this kind.';
    replaceChildren(this.list, ...shown.items.map((example) => this.item(example)));
  }

  private item(example: ExampleView): HTMLElement {
    const correct = example.label === 1;
    const meta = el(
      'div',
      { className: 'example-meta' },
      el('span', { className: 'score', attrs: { title: "The probe's P(correct)" } }, `P(correct) ${example.score.toFixed(3)}`),
      el('span', { className: `badge ${correct ? 'correct' : 'error'}` }, correct ? 'correct' : 'error'),
      example.misclassified &&
        el('span', { className: 'misclassified', attrs: { title: "The probe's prediction disagrees with the label" } }, '✗ misclassified'),
      el('span', { className: 'where' }, `row ${example.rowIndex} · line ${example.line}`),
    );
    const item = el(
      'li',
      {
        className: `example ${correct ? 'is-correct' : 'is-error'}${example.misclassified ? ' is-misclassified' : ''}`,
        attrs: {
          tabindex: '0',
          role: 'button',
          'aria-label': `P(correct) ${example.score.toFixed(3)}, ${correct ? 'correct' : 'error'}${
            example.misclassified ? ', misclassified' : ''
          }, row ${example.rowIndex}, line ${example.line}. Enter opens the row in the dataset.`,
        },
      },
      meta,
      this.fields(example),
      this.text(example),
    );
    item.addEventListener('click', () => this.onOpen(example));
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.onOpen(example);
      }
    });
    return item;
  }

  /** Question, gold answer and model answer (exact answer marked); nothing for a result without them. */
  private fields(example: ExampleView): HTMLElement | null {
    const { question, goldAnswer, modelAnswer, exactAnswer } = example;
    if (question === undefined && modelAnswer === undefined) return null;
    const row = (className: string, term: string, ...value: (Node | string)[]): HTMLElement =>
      el('div', { className: `field ${className}` }, el('dt', {}, term), el('dd', {}, ...value));
    const rows: HTMLElement[] = [];
    if (question !== undefined) {
      rows.push(row('question', 'Question', el('span', { className: 'clamp', attrs: { title: question } }, question)));
    }
    if (goldAnswer !== undefined && goldAnswer !== '') rows.push(row('gold', 'Gold', goldAnswer));
    if (modelAnswer !== undefined) {
      const parts = answerParts(modelAnswer, exactAnswer);
      if (parts.found) {
        rows.push(row('model', 'Model', parts.before, el('mark', { className: 'exact', attrs: { title: 'Exact answer' } }, parts.exact), parts.after));
      } else {
        rows.push(row('model', 'Model', modelAnswer));
        // An exact answer the model's text does not contain verbatim (an extraction model's rewording).
        if (exactAnswer !== undefined && exactAnswer.trim() !== '') {
          rows.push(row('exact', 'Exact', el('mark', { className: 'exact', attrs: { title: 'Exact answer (not found in the answer)' } }, exactAnswer)));
        }
      }
    }
    return el('dl', { className: 'example-fields' }, ...rows);
  }

  private text(example: ExampleView): HTMLElement {
    const box = el('div', { className: 'example-text', attrs: { title: 'Prompt and answer tokens; the probed token is highlighted' } });
    for (const segment of exampleSegments(example)) {
      if (segment.kind === 'elision') {
        box.appendChild(el('span', { className: 'elision', attrs: { title: `${segment.hiddenPieces} earlier prompt tokens not shown` } }, '…'));
      } else if (segment.kind === 'boundary') {
        box.appendChild(el('span', { className: 'boundary', attrs: { title: 'End of prompt, start of answer', 'aria-hidden': 'true' } }));
      } else if (segment.probed) {
        box.appendChild(el('mark', { className: `probed ${segment.part}`, attrs: { title: 'Probed token' } }, visiblePiece(segment.text)));
      } else {
        box.appendChild(el('span', { className: segment.part }, segment.text));
      }
    }
    if (example.probedIndex < 0 || example.probedIndex >= example.pieces.length) {
      box.appendChild(el('span', { className: 'note' }, ` (probed position ${example.probedIndex} is outside the sequence)`));
    }
    return box;
  }

  /**
   * Arrow keys walk the list, so the examples are reachable without tabbing through each one; at a
   * page's end they turn the page, Home/End go to its first and last example.
   */
  private moveFocus(event: KeyboardEvent): void {
    const current = (event.target as HTMLElement).closest('li');
    if (!current) return;
    let target: Element | null | undefined;
    if (event.key === 'ArrowDown') target = current.nextElementSibling;
    else if (event.key === 'ArrowUp') target = current.previousElementSibling;
    else if (event.key === 'Home') target = this.list.firstElementChild;
    else if (event.key === 'End') target = this.list.lastElementChild;
    else return;
    event.preventDefault();
    if (target instanceof HTMLElement) {
      target.focus();
    } else if (event.key === 'ArrowDown' && !this.next.disabled) {
      this.turn(1);
      if (this.list.firstElementChild instanceof HTMLElement) this.list.firstElementChild.focus();
    } else if (event.key === 'ArrowUp' && !this.previous.disabled) {
      this.turn(-1);
      if (this.list.lastElementChild instanceof HTMLElement) this.list.lastElementChild.focus();
    } else if (event.key === 'ArrowUp') {
      this.searchBox.focus();
    }
  }
}
