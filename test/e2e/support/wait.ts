// Waiting on conditions the tests cannot subscribe to, and reading what the extension logged.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Profile } from './codeServer';

/** Polls `read` until `done` accepts its value (a condition on the page, not a retry of the test). */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** The text of a log output channel, from its file in the profile's logs. */
export function channelLog(profile: Profile, channel: string): string {
  const found = (fs.readdirSync(profile.userDataDir, { recursive: true }) as string[]).filter((f) => path.basename(f) === `${channel}.log`);
  assert.equal(found.length, 1, `log files of ${channel}: ${found.join(', ')}`);
  return fs.readFileSync(path.join(profile.userDataDir, found[0]), 'utf8');
}
