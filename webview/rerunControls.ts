// The panel's rerun controls: location, seed, sample limit and test fraction (vscode-elements), what a
// rerun with them would cost (the host reads the activation cache: "from the activation cache: no
// forward pass" or "needs forward passes (N rows)"), and a Rerun button.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

import type { HeatmapView } from '../src/contract/heatmapView';
import { PROBE_LOCATIONS } from '../src/contract/locations';
import type { RerunFields } from '../src/contract/rerun';
import { el, replaceChildren } from './dom';

type Field = HTMLElement & { value: string };

export class RerunControls {
  readonly element = el('details', { className: 'rerun' });
  private readonly location = el('vscode-single-select', { attrs: { id: 'rerun-location', 'aria-label': 'Location' } }) as Field;
  private readonly seed = el('vscode-textfield', { attrs: { id: 'rerun-seed', type: 'number', min: '0', 'aria-label': 'Seed' } }) as Field;
  private readonly samples = el('vscode-textfield', { attrs: { id: 'rerun-samples', type: 'number', min: '0', placeholder: 'default', 'aria-label': 'Samples (0 = all)' } }) as Field;
  private readonly testFraction = el('vscode-textfield', { attrs: { id: 'rerun-test-fraction', type: 'number', min: '0', max: '1', step: '0.05', 'aria-label': 'Test fraction' } }) as Field;
  private readonly plan = el('span', { className: 'rerun-plan', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly button = el('vscode-button', { attrs: { id: 'rerun-button', disabled: '' } }, 'Rerun') as HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The fields last asked about (or shown): a textfield's change event on blur repeats its input events' edit. */
  private asked = '';

  constructor(
    private readonly onPlan: (fields: RerunFields) => void,
    private readonly onRerun: (fields: RerunFields) => void,
  ) {
    for (const location of PROBE_LOCATIONS) this.location.appendChild(el('vscode-option', { attrs: { value: location } }, location));
    const field = (label: string, id: string, control: HTMLElement): HTMLElement =>
      el('div', { className: 'rerun-field' }, el('label', { attrs: { for: id } }, label), control);
    replaceChildren(
      this.element,
      el('summary', {}, 'Rerun with other settings'),
      el(
        'div',
        { className: 'rerun-fields' },
        field('Location', 'rerun-location', this.location),
        field('Seed', 'rerun-seed', this.seed),
        field('Samples (0 = all)', 'rerun-samples', this.samples),
        field('Test fraction', 'rerun-test-fraction', this.testFraction),
        el('div', { className: 'rerun-action' }, this.button, this.plan),
      ),
    );
    for (const control of [this.location, this.seed, this.samples, this.testFraction]) {
      control.addEventListener('change', () => this.changed());
      control.addEventListener('input', () => this.changed());
    }
    this.element.hidden = true;
    this.button.addEventListener('click', () => {
      if (this.button.hasAttribute('disabled')) return;
      this.button.setAttribute('disabled', '');
      this.plan.textContent = 'starting the rerun…';
      this.onRerun(this.fields());
    });
  }

  /** Starts from the shown run's settings. */
  show(view: HeatmapView): void {
    this.location.value = view.model.location;
    this.seed.value = String(view.split.seed);
    this.samples.value = view.split.sampleLimit === null ? '' : String(view.split.sampleLimit);
    this.testFraction.value = String(view.split.testFraction);
    this.plan.textContent = 'change a setting to rerun';
    this.button.setAttribute('disabled', '');
    this.asked = JSON.stringify(this.fields());
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }

  /** The host's answer to the last fields sent. */
  showPlan(text: string, problem: boolean): void {
    this.plan.textContent = text;
    this.plan.classList.toggle('error', problem);
    const same = text === 'the same settings as this run';
    if (problem || same) this.button.setAttribute('disabled', '');
    else this.button.removeAttribute('disabled');
  }

  fields(): RerunFields {
    return { location: this.location.value, seed: this.seed.value, sampleLimit: this.samples.value, testFraction: this.testFraction.value };
  }

  private changed(): void {
    // Typing then clicking Rerun blurs the field, whose change event comes between mousedown and
    // click: with nothing new to ask, the plan shown and the enabled button stay (else the click is lost).
    const fields = JSON.stringify(this.fields());
    if (fields === this.asked) return;
    this.asked = fields;
    this.button.setAttribute('disabled', '');
    this.plan.textContent = 'checking the activation cache…';
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onPlan(this.fields()), 250);
  }
}
