import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

import { DatasetError } from './errors';

export async function readFileBytes(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    throw new DatasetError({ file }, `cannot read the file (${(err as Error).message})`);
  }
}

/** sha256 (hex) of the file's bytes, read as a stream so large datasets are not held in memory; `onBytes` gets the bytes hashed so far. */
export async function contentHash(file: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      onBytes?.((done += (chunk as Buffer).length));
    }
  } catch (err) {
    throw new DatasetError({ file }, `cannot read the file (${(err as Error).message})`);
  }
  return hash.digest('hex');
}
