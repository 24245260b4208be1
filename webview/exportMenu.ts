// The panel's Export… control: a menu button (WAI-ARIA menu button pattern) listing the formats.
// Keyboard: Enter, Space or ↓ opens it on the first entry (↑ on the last), ↑/↓/Home/End move,
// Enter or Space chooses, Escape closes back to the button, Tab closes and moves on.
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, type ExportFormat, isExportFormat } from '../src/contract/exportFormats';
import { el } from './dom';

const MENU_ID = 'export-menu';

export class ExportMenu {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private readonly items: HTMLButtonElement[];

  constructor(private readonly onChoose: (format: ExportFormat) => void) {
    this.button = el(
      'button',
      {
        className: 'export-button',
        attrs: { type: 'button', id: 'export-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': MENU_ID, title: 'Export the heatmap: figure, table, result or standalone page' },
      },
      'Export…',
    );
    this.items = EXPORT_FORMATS.map((format) =>
      el('button', { className: 'export-item', attrs: { type: 'button', role: 'menuitem', tabindex: '-1', 'data-format': format } }, EXPORT_FORMAT_INFO[format].label),
    );
    this.menu = el('div', { className: 'export-items', attrs: { id: MENU_ID, role: 'menu', 'aria-labelledby': 'export-button' } }, ...this.items);
    this.menu.hidden = true;
    this.element = el('div', { className: 'export-menu' }, this.button, this.menu);

    this.button.addEventListener('click', () => (this.isOpen ? this.close(false) : this.open(0)));
    this.button.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.open(event.key === 'ArrowDown' ? 0 : this.items.length - 1);
      }
    });
    this.menu.addEventListener('keydown', (event) => this.onMenuKey(event));
    this.menu.addEventListener('click', (event) => {
      const item = (event.target as Element | null)?.closest('[role="menuitem"]');
      const format = item?.getAttribute('data-format');
      if (!isExportFormat(format)) return;
      this.close(true);
      this.onChoose(format);
    });
    // Focus or a click leaving the control closes the menu.
    this.element.addEventListener('focusout', (event) => {
      if (this.isOpen && !this.element.contains(event.relatedTarget as Node | null)) this.close(false);
    });
    document.addEventListener('pointerdown', (event) => {
      if (this.isOpen && !this.element.contains(event.target as Node | null)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return !this.menu.hidden;
  }

  private open(index: number): void {
    this.menu.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.items[index]?.focus();
  }

  private close(focusButton: boolean): void {
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (focusButton) this.button.focus();
  }

  private onMenuKey(event: KeyboardEvent): void {
    const current = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const last = this.items.length - 1;
    const move: Record<string, number> = {
      ArrowDown: current >= last ? 0 : current + 1,
      ArrowUp: current <= 0 ? last : current - 1,
      Home: 0,
      End: last,
    };
    if (event.key in move) {
      event.preventDefault();
      this.items[move[event.key]]?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.close(true);
    } else if (event.key === 'Tab') {
      // From the button, the browser's own Tab then moves on to what follows the control.
      this.close(true);
    }
  }
}
