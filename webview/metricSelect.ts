// The metric selector, a `vscode-single-select` (@vscode-elements/elements: the maintained successor
// of the deprecated webview-ui-toolkit, same look as VS Code's own dropdowns).
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';

import { isMetricName, METRIC_NAMES, type MetricName } from '../src/contract/types';
import { el } from './dom';
import { METRIC_INFO } from './metrics';

/** The selector's element; it reports changes through `onChange` (nothing sets it from outside). */
export function createMetricSelect(initial: MetricName, onChange: (metric: MetricName) => void): HTMLElement {
  const select = el('vscode-single-select', { attrs: { id: 'metric', 'aria-label': 'Metric' } });
  for (const name of METRIC_NAMES) {
    const option = el('vscode-option', { attrs: { value: name, description: METRIC_INFO[name].description } }, METRIC_INFO[name].label);
    if (name === initial) option.setAttribute('selected', '');
    select.appendChild(option);
  }
  select.addEventListener('change', () => {
    if (isMetricName(select.value)) onChange(select.value);
  });
  const label = el('label', { className: 'metric-label', attrs: { for: 'metric' } }, 'Metric');
  return el('div', { className: 'metric-select' }, label, select);
}
