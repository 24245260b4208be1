// The code-server workbench as a user drives it, by what is on screen: Explorer rows, context menus,
// the quick input, notifications, editor tabs, the status bar and the webview's frames.
import type { FrameLocator, Locator, Page } from 'playwright-core';

export class Workbench {
  constructor(readonly page: Page) {}

  explorerRow(name: string): Locator {
    return this.page.locator('.explorer-folders-view .monaco-list-row', { has: this.page.locator('.label-name', { hasText: name }) });
  }

  /**
   * Right-clicks `file` in the Explorer and selects the context menu item `label` with the keyboard
   * (ArrowDown until it has focus, then Enter; `beforeChoosing` runs while it is focused). Not with
   * the mouse: a VS Code menu item attaches its mouseup listener 100 ms after it is rendered (so the
   * right-click's own mouseup cannot trigger it), and a click that comes sooner is silently lost.
   * The menu's key handling is in place as soon as it shows.
   */
  async chooseFromContextMenu(file: string, label: string, beforeChoosing?: () => Promise<unknown>): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const labels = await this.contextMenuLabels(file, label);
    const focused = menu.locator('.action-item.focused .action-label');
    for (let i = 0; i <= labels.length; i++) {
      await this.page.keyboard.press('ArrowDown');
      if ((await focused.textContent()) === label) {
        await beforeChoosing?.();
        await this.page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden' });
        return;
      }
    }
    throw new Error(`could not focus "${label}" in the context menu of ${file}`);
  }

  /**
   * Opens the context menu of `file` and returns its labels, once they include `label`. The workbench
   * shows the Explorer before the server's extension scan is in (web built-ins such as the file icon
   * theme come with the page, the installed VSIX with that scan), and a menu opened earlier lacks
   * the extension's items; nothing on screen tells when the scan is in, so the menu itself is looked
   * at again (closed with Escape) until it has the item or `timeoutMs` passes.
   */
  private async contextMenuLabels(file: string, label: string, timeoutMs = 60_000): Promise<string[]> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.explorerRow(file).click({ button: 'right' });
      await menu.waitFor();
      const labels = (await menu.locator('.action-item .action-label').allTextContents()).filter((l) => l !== '');
      if (labels.includes(label)) return labels;
      if (Date.now() > deadline) throw new Error(`the context menu of ${file} has no "${label}": ${labels.join(' | ')}`);
      await this.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden' });
      await this.page.waitForTimeout(250);
    }
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }

  quickInputRow(text: string): Locator {
    return this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: text });
  }

  /** The quick pick row labelled exactly `label` (its aria-label may add ", <keybinding>"). */
  quickInputRowLabelled(label: string): Locator {
    return this.quickInput.locator(`.quick-input-list .monaco-list-row:is([aria-label="${label}"], [aria-label^="${label}, "])`);
  }

  /**
   * F1, type the command, click it: the Command Palette. Clicked rather than Enter, because fuzzy
   * ranking may put another command first (the marketplace one above "Preferences: Color Theme").
   */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor();
    await this.quickInputBox.fill(`>${title}`);
    await this.quickInputRowLabelled(title).click();
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notification-toast', { hasText: text });
  }

  /** Editor tabs whose title starts with `title` (their aria-label adds ", preview, Editor Group 2"…). */
  tabs(title: string): Locator {
    return this.page.locator(`.tabs-container .tab:is([aria-label="${title}"], [aria-label^="${title}, "])`);
  }

  /** Every editor tab. */
  get allTabs(): Locator {
    return this.page.locator('.tabs-container .tab');
  }

  /** The status bar's "Ln X, Col Y (N selected)" of the active editor. */
  get cursorStatus(): Locator {
    return this.page.locator('[id="status.editor.selection"]');
  }

  /** The document inside the (single) webview panel: VS Code nests it in two iframes. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** A `--vscode-*` colour of the workbench's current theme, e.g. `editor-background`. */
  themeColour(name: string): Promise<string> {
    return this.page.locator('.monaco-workbench').evaluate((el, variable) => {
      // Resolve through a probe element, so hex and rgba() both come back as rgb()/rgba().
      const probe = document.createElement('span');
      probe.style.color = `var(${variable})`;
      el.appendChild(probe);
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    }, `--vscode-${name}`);
  }
}
