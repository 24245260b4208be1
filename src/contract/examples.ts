// The examples behind one heatmap cell: what the panel lists when a cell is clicked.
// Pure (no vscode, no node modules) so the host, the CLI and the standalone webview share it.
import { type ExampleView, type ProbeResult, TEST_TEXT_FIELDS } from './result';
import { TOKEN_POSITIONS } from './types';

/**
 * The cell's held-out examples, most error-like first (ascending P(correct), ties by row), so the
 * probe's strongest "this answer is wrong" calls head the list.
 *
 * @param layer a layer number from `result.layers` (not necessarily its row index).
 * @param tokenIndex a column index into `result.tokens`.
 */
export function examplesForCell(result: ProbeResult, layer: number, tokenIndex: number): ExampleView[] {
  const row = result.layers.indexOf(layer);
  if (row < 0) throw new RangeError(`layer ${layer} is not in this result (layers ${describeRange(result.layers)})`);
  const tokenName = result.tokens[tokenIndex];
  if (!Number.isInteger(tokenIndex) || tokenName === undefined) {
    throw new RangeError(`token column ${tokenIndex} is out of range 0…${result.tokens.length - 1}`);
  }
  // `positions` are stored in TOKEN_POSITIONS order, which may differ from the columns shown
  // (a dataset without some positions has fewer columns), so map by name, not by index.
  const positionSlot = TOKEN_POSITIONS.indexOf(tokenName);
  const scores = result.test.scores[row]?.[tokenIndex];
  if (scores === undefined) throw new RangeError(`no scores for layer ${layer}, token ${tokenName}`);

  const { test } = result;
  const examples: ExampleView[] = test.rowIndex.map((rowIndex, i) => {
    const score = scores[i];
    const label = test.label[i];
    if (score === undefined || label === undefined) {
      throw new RangeError(`example ${i} of layer ${layer}, token ${tokenName} has no score or label`);
    }
    // scikit-learn's predict: "correct" only when the decision value is > 0, i.e. P(correct) > 0.5.
    const predicted = score > 0.5 ? 1 : 0;
    const example: ExampleView = {
      rowIndex,
      line: test.line[i] ?? 0,
      label,
      score,
      misclassified: predicted !== label,
      pieces: test.pieces[i] ?? [],
      qLength: test.qLength[i] ?? 0,
      probedIndex: test.positions[i]?.[positionSlot] ?? -1,
    };
    for (const name of TEST_TEXT_FIELDS) {
      const text = test[name]?.[i];
      if (text !== undefined) example[name] = text;
    }
    return example;
  });
  return examples.sort((a, b) => a.score - b.score || a.rowIndex - b.rowIndex);
}

function describeRange(layers: number[]): string {
  return layers.length === 0 ? 'none' : `${layers[0]}…${layers[layers.length - 1]}`;
}
