// The heatmap webview's HTML shell and its Content Security Policy. No `vscode` import, so browser
// tests can build the same page (with the same CSP) outside VS Code.

/**
 * The panel's CSP. Scripts only by nonce (no inline handlers, no eval). `style-src 'unsafe-inline'`
 * is required by Plotly, which injects <style> elements and inline styles; without it hover and
 * click break. Images allow data: URIs for the same reason (Plotly's generated images).
 */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** 128 random bits in hex: a fresh nonce per page load (hex, so it never needs escaping anywhere). */
export function createNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface WebviewPage {
  cspSource: string;
  nonce: string;
  /** Webview URIs (`webview.asWebviewUri`) of the bundle and its stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function webviewHtml(page: WebviewPage): string {
  const attr = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(buildCsp(page.cspSource, page.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(page.styleUri)}">
<title>${escapeText(page.title)}</title>
</head>
<body>
<script nonce="${attr(page.nonce)}" src="${attr(page.scriptUri)}"></script>
</body>
</html>
`;
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For double-quoted attributes (all of ours), so the CSP's single quotes stay readable. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
