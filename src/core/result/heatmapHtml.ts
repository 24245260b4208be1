// A standalone heatmap page: the result JSON and the panel's own webview bundle inlined into one
// HTML file that works offline from disk (written by the CLI next to result.json). The bundle sees
// no acquireVsCodeApi and answers cell clicks from the embedded result.
import type { ProbeResult } from './types';

export interface WebviewAssets {
  /** dist/webview.js */
  webviewJs: string;
  /** dist/webview.css */
  webviewCss: string;
}

/** Must match EMBEDDED_RESULT_ID in webview/bridge.ts, which reads the result back. */
const RESULT_ELEMENT_ID = 'layer-probe-result';

export function heatmapHtml(result: ProbeResult, assets: WebviewAssets): string {
  const nonce = randomNonce();
  // Inline styles (Plotly) and the one nonce'd script are all this page runs: even if some text
  // escaped its element, an injected <script> would not execute.
  const csp = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'`;
  const title = `Layer Probe: ${result.model.name} · ${baseName(result.dataset.file)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtmlText(title)}</title>
<style>
${inlineStyle(assets.webviewCss)}
</style>
</head>
<body>
<script type="application/json" id="${RESULT_ELEMENT_ID}">${jsonForScriptElement(result)}</script>
<script nonce="${nonce}">
${inlineScript(assets.webviewJs)}
</script>
</body>
</html>
`;
}

/**
 * JSON that cannot end its <script> element early or open an HTML comment: every `<`, `>` and `&`
 * is written as a \u escape, which is only ever needed inside JSON strings, where it parses back
 * to the same character. U+2028/2029 are escaped for the benefit of JS parsers that treat the
 * text as a script.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Script text safe inside <script>…</script>: `</script` and `<!--` (which would end the element
 * or switch the HTML parser into its "escaped" states) become `\x3C/script` / `\x3C!--`. Both can
 * only occur in strings, templates, regular expressions or comments of the bundle, where `\x3C` is
 * read as the same `<` (esbuild already avoids `</script` in strings; this covers the rest).
 */
export function inlineScript(js: string): string {
  return withoutSourceMapReference(js).replace(/<(?=\/script|!--)/gi, '\\x3C');
}

/** CSS text safe inside <style>…</style>; `\/` is an escaped `/` in CSS strings and comments. */
export function inlineStyle(css: string): string {
  return withoutSourceMapReference(css).replace(/<\/(style)/gi, '<\\/$1');
}

/** A development build ends with a source map comment; the map is not beside the HTML file. */
function withoutSourceMapReference(text: string): string {
  return text.replace(/(?:^|\n)(?:\/\/# sourceMappingURL=[^\n]*|\/\*# sourceMappingURL=[^*]*\*\/)\s*$/, '\n');
}

export function escapeHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}

function randomNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
