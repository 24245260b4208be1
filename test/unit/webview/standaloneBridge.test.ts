import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { HostMessage } from '../../../src/contract/webviewProtocol';
import { standaloneBridge } from '../../../webview/bridge';
import { sampleResult } from '../result/sampleResult';

function nextMessage(bridge: ReturnType<typeof standaloneBridge>): Promise<HostMessage> {
  return new Promise((resolve) => bridge.onMessage(resolve));
}

describe('standaloneBridge (the page without an extension)', () => {
  it('answers ready with the embedded result and cell clicks with that cell\'s examples', async () => {
    const bridge = standaloneBridge(sampleResult());
    assert.equal(bridge.standalone, true);
    const messages: HostMessage[] = [];
    bridge.onMessage((m) => messages.push(m));

    bridge.post({ type: 'ready' });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(messages[0]?.type, 'result');
    assert.equal(messages[0]?.type === 'result' && messages[0].view.model.name, 'tiny-llama');

    bridge.post({ type: 'selectCell', layer: 2, token: 5 });
    bridge.post({ type: 'openExample', rowIndex: 7 }); // nothing to open: no message
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(messages.length, 2);
    const examples = messages[1];
    assert.ok(examples?.type === 'examples');
    assert.deepEqual([examples.layer, examples.token], [2, 5]);
    assert.deepEqual(
      examples.examples.map((e) => e.rowIndex),
      [2, 5, 9, 7],
    );
  });

  it('reports a page without a usable result as an error', async () => {
    const bridge = standaloneBridge('This page has no embedded probe result.');
    const message = nextMessage(bridge);
    bridge.post({ type: 'ready' });
    assert.deepEqual(await message, { type: 'error', message: 'This page has no embedded probe result.' });
  });

  it('keeps state in memory', () => {
    const bridge = standaloneBridge(sampleResult());
    bridge.setState({ metric: 'f1' });
    assert.deepEqual(bridge.getState(), { metric: 'f1' });
  });
});
