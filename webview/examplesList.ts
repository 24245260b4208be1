// The examples behind the selected cell: score, label, misclassification mark, and the prompt +
// answer with the probed token highlighted. Everything from the dataset goes in as text nodes.
import type { ExampleView } from '../src/contract/result';
import { el, replaceChildren } from './dom';
import { exampleSegments, visiblePiece } from './exampleText';

/** Rendered in pages so a large held-out set does not build hundreds of thousands of nodes at once. */
const PAGE_SIZE = 100;

export class ExamplesList {
  readonly element: HTMLElement;

  constructor(private readonly onOpen: (example: ExampleView) => void) {
    this.element = el('section', { className: 'examples', attrs: { 'aria-label': 'Examples of the selected cell' } });
    this.showHint('Click a cell (or focus the heatmap and press Enter) to list the held-out examples behind its probe.');
  }

  showHint(text: string): void {
    replaceChildren(this.element, el('p', { className: 'hint' }, text));
  }

  show(title: string, examples: ExampleView[]): void {
    const errors = examples.filter((example) => example.label === 0).length;
    const missed = examples.filter((example) => example.misclassified).length;
    const list = el('ol', { className: 'example-list' });
    list.addEventListener('keydown', (event) => this.moveFocus(event));
    const more = el('button', { className: 'more', attrs: { type: 'button' } });
    let shown = 0;
    const showMore = (): void => {
      const next = examples.slice(shown, shown + PAGE_SIZE);
      next.forEach((example) => list.appendChild(this.item(example)));
      shown += next.length;
      more.hidden = shown >= examples.length;
      more.textContent = `Show ${Math.min(PAGE_SIZE, examples.length - shown)} more of ${examples.length - shown}`;
    };
    more.addEventListener('click', showMore);
    showMore();
    replaceChildren(
      this.element,
      el('h2', {}, title),
      el(
        'p',
        { className: 'summary' },
        `${examples.length} held-out examples, ${errors} wrong answers, ${missed} misclassified by the probe. ` +
          'Most error-like first (lowest P(correct)).',
      ),
      examples.length === 0 ? el('p', { className: 'hint' }, 'No held-out examples.') : list,
      more,
    );
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

  private text(example: ExampleView): HTMLElement {
    const box = el('div', { className: 'example-text' });
    for (const segment of exampleSegments(example)) {
      if (segment.kind === 'elision') {
        box.appendChild(el('span', { className: 'elision', attrs: { title: `${segment.hiddenPieces} earlier prompt tokens not shown` } }, '…'));
      } else if (segment.kind === 'boundary') {
        box.appendChild(el('span', { className: 'boundary', attrs: { title: 'End of prompt, start of answer', 'aria-hidden': 'true' } }));
      } else if (segment.probed) {
        box.appendChild(el('mark', { className: segment.part, attrs: { title: 'Probed token' } }, visiblePiece(segment.text)));
      } else {
        box.appendChild(el('span', { className: segment.part }, segment.text));
      }
    }
    if (example.probedIndex < 0 || example.probedIndex >= example.pieces.length) {
      box.appendChild(el('span', { className: 'note' }, ` (probed position ${example.probedIndex} is outside the sequence)`));
    }
    return box;
  }

  /** Arrow keys walk the list, so the examples are reachable without tabbing through each one. */
  private moveFocus(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const current = (event.target as HTMLElement).closest('li');
    const next = event.key === 'ArrowDown' ? current?.nextElementSibling : current?.previousElementSibling;
    if (next instanceof HTMLElement) {
      event.preventDefault();
      next.focus();
    }
  }
}
