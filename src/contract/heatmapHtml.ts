// A standalone heatmap page: the result JSON and the panel's own webview bundle inlined into one
// HTML file that works offline from disk (written by the CLI next to result.json, and exported from
// the panel by the extension host, hence plain text code in src/contract). The bundle sees no
// acquireVsCodeApi and answers cell clicks from the embedded result.
import type { ProbeResult } from './result';
import { buildCsp, createNonce, EMBEDDED_RESULT_ID, pageHtml } from './webviewPage';

export interface WebviewAssets {
  /** dist/webview.js */
  webviewJs: string;
  /** dist/webview.css */
  webviewCss: string;
}

export function heatmapHtml(result: ProbeResult, assets: WebviewAssets): string {
  const nonce = createNonce();
  // Inline styles (Plotly) and the one nonce'd script are all this page runs: even if some text
  // escaped its element, an injected <script> would not execute.
  return pageHtml({
    csp: buildCsp(nonce),
    title: `Layer Probe: ${result.model.name} · ${baseName(result.dataset.file)}`,
    head: `<style>\n${inlineStyle(assets.webviewCss)}\n</style>`,
    body:
      `<script type="application/json" id="${EMBEDDED_RESULT_ID}">${jsonForScriptElement(result)}</script>\n` +
      `<script nonce="${nonce}">\n${inlineScript(assets.webviewJs)}\n</script>`,
  });
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

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}
