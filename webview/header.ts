// The panel header: which model, where it was probed, on which data, with how many examples.
import type { HeatmapView } from '../src/contract/heatmapView';
import type { AnswersProvenance } from '../src/contract/result';
import { el, replaceChildren } from './dom';

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

function fact(term: string, value: string, title?: string): HTMLElement {
  const dd = el('dd', title ? { attrs: { title } } : {}, value);
  return el('div', { className: 'fact' }, el('dt', {}, term), dd);
}

export function renderHeader(container: HTMLElement, view: HeatmapView): void {
  const { model, dataset, split } = view;
  const splitText = split.source === 'column' ? 'split column' : `seeded split, seed ${split.seed}`;
  replaceChildren(
    container,
    el('h1', {}, model.name, el('span', { className: 'muted' }, ` · ${model.location}`)),
    el(
      'dl',
      { className: 'facts' },
      fact('Dataset', baseName(dataset.file), dataset.file),
      fact('n', `${dataset.rowsUsed} used of ${dataset.rowsRead} · ${view.nTrain} train / ${view.nTest} test (${splitText})`),
      fact('Model', `${model.numLayers} layers × ${model.hiddenSize}`),
      fact('Provider', model.provider),
      fact('Run', new Date(view.createdAt).toLocaleString(), view.createdAt),
    ),
    ...(view.answers ? [answersFacts(view.answers)] : []),
  );
}

/** How the probed answers were made from the benchmark: the facts a reader needs to trust the labels. */
function answersFacts(answers: AnswersProvenance): HTMLElement {
  return el(
    'dl',
    { className: 'facts answers' },
    fact('Benchmark', `${baseName(answers.benchmarkFile)} · ${answers.kind}`, `${answers.benchmarkFile} (kind: ${answers.kindReason})`),
    fact('Prompt', answers.promptFormat),
    fact('Correct if', answers.correctnessRule),
    fact('Exact answers', answers.exactAnswers),
    fact('Answers', `${(answers.accuracy * 100).toFixed(1)} % correct · ${answers.decoding}`, answers.stopRule),
  );
}
