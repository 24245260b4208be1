// Plot colours follow the VS Code theme. Plotly cannot read CSS variables, so the `--lp-*` variables
// of styles.css (which fall back from `--vscode-*` to a light/dark default for the standalone page)
// are resolved to concrete colours here, and re-resolved whenever the theme changes.
import type { PlotTheme } from './figure';

function resolveColour(probe: HTMLElement, variable: string): string {
  probe.style.color = `var(${variable})`;
  return getComputedStyle(probe).color;
}

/** `rgb(r, g, b)` / `rgba(r, g, b, a)` → the same colour at `alpha`; other syntaxes pass through. */
export function withAlpha(colour: string, alpha: number): string {
  const match = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  return match ? `rgba(${match[1]}, ${match[2]}, ${match[3]}, ${alpha})` : colour;
}

export function readTheme(): PlotTheme {
  const probe = document.createElement('span');
  probe.hidden = true;
  document.body.appendChild(probe);
  try {
    const foreground = resolveColour(probe, '--lp-fg');
    const body = getComputedStyle(document.body);
    return {
      background: resolveColour(probe, '--lp-bg'),
      foreground,
      muted: resolveColour(probe, '--lp-muted'),
      grid: resolveColour(probe, '--lp-border'),
      // A faint wash of the text colour: visibly neither "low" (white-ish) nor "high" (dark blue).
      gap: withAlpha(foreground, 0.14),
      focus: resolveColour(probe, '--lp-focus'),
      hoverBackground: resolveColour(probe, '--lp-hover-bg'),
      hoverForeground: resolveColour(probe, '--lp-hover-fg'),
      hoverBorder: resolveColour(probe, '--lp-hover-border'),
      fontFamily: body.fontFamily,
      fontSize: Number.parseFloat(body.fontSize) || 13,
    };
  } finally {
    probe.remove();
  }
}

/**
 * Calls `onChange` when the theme changes: VS Code swaps the body's `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` class for a change of kind, but switching between two themes of the same
 * kind only rewrites the `--vscode-*` variables in `<html style>`, so both are watched.
 */
export function watchTheme(onChange: () => void): () => void {
  // VS Code rewrites the class and the variables in quick succession: redraw once, after both.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(onChange, 30);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onChange);
  return () => {
    clearTimeout(timer);
    observer.disconnect();
    media.removeEventListener('change', onChange);
  };
}
