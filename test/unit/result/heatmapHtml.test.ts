import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as vm from 'node:vm';

import { heatmapHtml, inlineScript, inlineStyle, jsonForScriptElement } from '../../../src/contract/heatmapHtml';
import { sampleResult } from './sampleResult';

const EVIL = '</script><script>alert(1)</script>';
const assets = {
  webviewJs: 'window.bundleRan = "</script><!-- <script>";',
  webviewCss: 'body { color: red } /* </style><script>alert(2)</script> */',
};

function countOf(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

describe('heatmapHtml', () => {
  const result = sampleResult();
  result.model.name = `<b>${EVIL}`;
  const html = heatmapHtml(result, assets);

  it('ends each raw-text element where it means to, however the data and bundle read', () => {
    assert.ok(result.test.pieces[3]!.join('').includes(EVIL));
    assert.ok(!html.includes(EVIL));
    assert.equal(countOf(html, /<!--/g), 0);
    // An HTML parser ends <script>/<style> at the first </script / </style after the opening tag.
    const endOf = (open: string, close: RegExp): string => {
      const from = html.indexOf(open) + open.length;
      const rest = html.slice(from);
      const end = rest.search(close);
      return rest.slice(end, end + 30);
    };
    assert.equal(endOf('<style>', /<\/style/i), '</style>\n</head>\n<body>\n<scrip');
    assert.ok(endOf('id="layer-probe-result">', /<\/script/i).startsWith('</script>\n<script nonce='));
    assert.equal(endOf('<script nonce=', /<\/script/i), '</script>\n</body>\n</html>\n');
  });

  it('embeds the result as JSON that parses back to the same value', () => {
    const open = '<script type="application/json" id="layer-probe-result">';
    const start = html.indexOf(open) + open.length;
    const text = html.slice(start, html.indexOf('</script>', start));
    assert.deepEqual(JSON.parse(text), result);
  });

  it('keeps the bundle meaning the same after escaping', () => {
    const open = html.indexOf('<script nonce=');
    const body = html.slice(html.indexOf('>', open) + 1, html.indexOf('</script>', open));
    const context: { window: { bundleRan?: string } } = { window: {} };
    vm.runInNewContext(body, context);
    assert.equal(context.window.bundleRan, '</script><!-- <script>');
  });

  it('runs its script by nonce under a CSP without unsafe-eval', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'unsafe-inline'/);
    assert.doesNotMatch(csp, /unsafe-eval/);
  });

  it('escapes the title', () => {
    assert.match(html, /<title>Layer Probe: &lt;b&gt;&lt;\/script&gt;/);
  });
});

describe('jsonForScriptElement / inlineScript', () => {
  it('leave no "<" in JSON and round-trip', () => {
    const value = { text: `${EVIL}<!-- & \u2028 >` };
    const json = jsonForScriptElement(value);
    assert.ok(!/[<>&\u2028]/.test(json));
    assert.deepEqual(JSON.parse(json), value);
  });

  it('escape </script and <!-- in any case, in strings and regular expressions alike', () => {
    const js = 'var a = "</SCRIPT>", b = /<!--/u.test("<!--"), c = `</script`;';
    const escaped = inlineScript(js);
    assert.ok(!/<\/script|<!--/i.test(escaped));
    const context: Record<string, unknown> = {};
    vm.runInNewContext(`${escaped} out = [a, b, c];`, context);
    assert.deepEqual(JSON.parse(JSON.stringify(context.out)), ['</SCRIPT>', true, '</script']);
  });

  it('drop the source map reference of a development build (the map is not beside the page)', () => {
    assert.equal(inlineScript('var a = 1;\n//# sourceMappingURL=webview.js.map\n'), 'var a = 1;\n');
    assert.equal(inlineStyle('a { b: c }\n/*# sourceMappingURL=webview.css.map */\n'), 'a { b: c }\n');
    assert.equal(inlineScript('var a = "//# sourceMappingURL=x"; f();'), 'var a = "//# sourceMappingURL=x"; f();');
  });
});
