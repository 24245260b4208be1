// The baselines' per-row scores, kept beside the activation caches so that a re-run from cached
// activations needs no model for its baselines either. One folder per key — the dataset, the model
// identity, the sequence rule and the prompt format (what changes a row's token ids and p(True)
// prompts) — holding baselines.json: rowIndex → the row's ids hash and scores.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ColumnMapping } from '../../contract/columns';
import type { PromptFormat } from '../../contract/runOptions';
import { CACHE_FORMAT_VERSION, canonicalJson, type ModelIdentity } from '../cache/cacheKey';
import { idsHash } from '../cache/chunkFile';
import { SEQUENCE_RULE } from '../tokenize/sequence';
import type { PreparedSequence } from '../types';
import type { RowBaselineScores } from './runBaselines';

export const BASELINES_FILE = 'baselines.json';

interface Stored {
  key: unknown;
  rows: Record<string, { idsHash: number; scores: RowBaselineScores }>;
}

export interface BaselineKeyParts {
  datasetHash: string;
  columns: ColumnMapping;
  model: ModelIdentity;
  promptFormat: PromptFormat;
}

function keyOf(parts: BaselineKeyParts): unknown {
  return { kind: 'baselines', format: CACHE_FORMAT_VERSION, dataset: { contentHash: parts.datasetHash, columns: parts.columns }, model: parts.model, sequenceRule: SEQUENCE_RULE, promptFormat: parts.promptFormat };
}

export class BaselineCache {
  private constructor(
    readonly file: string,
    private readonly key: unknown,
    private stored: Stored,
  ) {}

  static open(root: string, parts: BaselineKeyParts): BaselineCache {
    const key = keyOf(parts);
    const file = path.join(BaselineCache.folder(root, parts), BASELINES_FILE);
    let stored: Stored = { key, rows: {} };
    try {
      const read = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored;
      if (canonicalJson(read.key) === canonicalJson(key) && typeof read.rows === 'object' && read.rows !== null) stored = read;
    } catch {
      // Missing or unreadable: computed again and rewritten.
    }
    return new BaselineCache(file, key, stored);
  }

  /** The folder of `parts`' key under `root` (where its lock goes too). */
  static folder(root: string, parts: BaselineKeyParts): string {
    const hash = crypto.createHash('sha256').update(canonicalJson(keyOf(parts))).digest('hex').slice(0, 16);
    return path.join(root, `baselines-${hash}`);
  }

  /** The cached scores of each sequence whose token ids are unchanged; undefined for the others. */
  lookup(sequences: readonly PreparedSequence[]): (RowBaselineScores | undefined)[] {
    return sequences.map((s) => {
      const hit = this.stored.rows[String(s.rowIndex)];
      return hit && hit.idsHash === idsHash(s.ids) ? hit.scores : undefined;
    });
  }

  /** Records every row's scores and rewrites the file atomically. */
  save(sequences: readonly PreparedSequence[], scores: readonly RowBaselineScores[]): void {
    sequences.forEach((s, i) => {
      this.stored.rows[String(s.rowIndex)] = { idsHash: idsHash(s.ids), scores: scores[i] };
    });
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ key: this.key, rows: this.stored.rows }));
    fs.renameSync(tmp, this.file);
  }
}
