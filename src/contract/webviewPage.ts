// The HTML shell of every page that runs the webview bundle — the panel inside VS Code and the
// standalone heatmap.html the CLI writes — with its Content-Security-Policy, nonce and escaping. One
// copy, so the two pages cannot drift apart in what they allow.

// Web Crypto is a global in browsers and in Node ≥ 19 (the extension host and the CLI); declared here
// because the contract compiles without DOM or Node types.
declare const crypto: { getRandomValues(array: Uint8Array): Uint8Array };

/** The id of the `<script type="application/json">` element in which the standalone page embeds the result. */
export const EMBEDDED_RESULT_ID = 'layer-probe-result';

/**
 * The CSP: scripts only by nonce (no inline handlers, no eval). `style-src 'unsafe-inline'` is required
 * by Plotly, which injects <style> elements and inline styles (hover and click break without it); images
 * allow data: URIs for Plotly's generated images. `cspSource` (the webview's resource origin) is absent
 * for the standalone page, which loads nothing.
 */
export function buildCsp(nonce: string, cspSource?: string): string {
  const from = (what: string): string => (cspSource ? `${cspSource} ${what}` : what).trim();
  return [
    "default-src 'none'",
    `img-src ${from('data:')}`,
    `style-src ${from("'unsafe-inline'")}`,
    ...(cspSource ? [`font-src ${cspSource}`] : []),
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** 128 random bits in hex: a fresh nonce per page load (hex, so it never needs escaping anywhere). */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For double-quoted attributes (all of ours), so the CSP's single quotes stay readable. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

export interface PageParts {
  csp: string;
  title: string;
  /** Raw HTML for <head> after the title (a stylesheet link or an inline <style>). */
  head: string;
  /** Raw HTML for <body> (the scripts). */
  body: string;
}

export function pageHtml(parts: PageParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(parts.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeText(parts.title)}</title>
${parts.head}
</head>
<body>
${parts.body}
</body>
</html>
`;
}

export interface WebviewPage {
  cspSource: string;
  nonce: string;
  /** Webview URIs (`webview.asWebviewUri`) of the bundle and its stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
}

/** The panel's page: the bundle and stylesheet loaded from the extension's dist folder. */
export function webviewHtml(page: WebviewPage): string {
  return pageHtml({
    csp: buildCsp(page.nonce, page.cspSource),
    title: page.title,
    head: `<link rel="stylesheet" href="${escapeAttribute(page.styleUri)}">`,
    body: `<script nonce="${escapeAttribute(page.nonce)}" src="${escapeAttribute(page.scriptUri)}"></script>`,
  });
}
