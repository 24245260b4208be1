// Turns prepared sequences into probe-ready activations for one or more locations: from the activation
// cache where rows are cached, from forward passes (one pass for all locations) where they are not.

import * as path from 'node:path';

import type { ColumnMapping } from '../../contract/columns';
import type { ProbeLocation } from '../../contract/locations';
import type { CacheDtype, ProviderChoice, RunOptions } from '../../contract/runOptions';
import { formatBytes } from '../../storage/cacheFolders';
import { acquireRunLocks, CACHE_LOCK_FILE, type HeldLock } from '../../storage/runLock';
import { ActivationCache } from '../cache/activationCache';
import { cacheFolderName, cacheKeyFor, modelIdentity } from '../cache/cacheKey';
import { ActivationSession, LocationUnavailableError } from '../model/activationSession';
import { providerPlan, quietOnnxruntimeLogging } from '../model/executionProviders';
import { resolveModelFolder } from '../model/modelFolder';
import { modelSizeOnDisk } from '../model/modelSizeOnDisk';
import { resolveCacheDtype } from '../model/weightPrecision';
import type { BlockKind } from '../onnx/layers';
import { formatCount } from '../progress/formatTiming';
import type { PreparedSequence } from '../types';
import { CachedSlabs } from './cachedSlabs';
import { CacheSink, type ChunkPolicy } from './cacheSink';
import { cacheSpaceNote, checkCacheSpace, describeCacheSpace, planCacheSpace, type StatfsLike } from './cacheSpace';
import { PipelineError } from './errors';
import { type ActivationSink, featureStoreSink, runExtraction } from './extractFeatures';
import { FeatureStore } from './featureStore';
import type { SlabSource } from './slabSource';

export interface ActivationRequest {
  datasetFile: string;
  modelDir: string;
  /** Every location to extract; the first is the run's primary location. */
  locations: ProbeLocation[];
  /**
   * Extra locations the model cannot give (e.g. mlp_out of parallel blocks) are dropped with a log line
   * instead of failing the run: they were asked for in a setting, not for this run's result.
   */
  extrasOptional?: boolean;
  executionProvider?: ProviderChoice;
  batchMemoryBytes: number;
  maxBatchSize: number;
  /** Absent: activations are kept in memory only. */
  cache?: {
    dir: string;
    datasetHash: string;
    columns: ColumnMapping;
    /** The run's options: those that change activations are fields of each location's key. */
    options: RunOptions;
    chunkPolicy?: ChunkPolicy;
    /** Free space of the cache's disk (default fs.statfsSync; tests simulate a full disk). */
    statfs?: StatfsLike;
    /** The lock file taken in each cache folder (default run.lock; a shard of `extract` takes its own). */
    lockFile?: string;
  };
}

export interface StageHooks {
  log: (line: string) => void;
  progress: (stage: 'dataset' | 'model' | 'extract', done: number, total: number, message: string) => void;
  signal?: AbortSignal;
  /** Poll interval while another run holds a cache folder (tests shorten it). */
  lockPollMs?: number;
}

export interface Activations {
  sources: Map<ProbeLocation, SlabSource>;
  numLayers: number;
  hiddenSize: number;
  blockKind: BlockKind;
  /** Provider of this run's forward passes, or of the cached ones when none ran. */
  provider: string;
  providersTried: string[];
  /** Rows this run ran through the model (0: every row came from the activation cache). */
  forwardPassRows: number;
}

export class ActivationStage {
  private session: ActivationSession | undefined;
  private providersTried: string[] = [];
  private forwardPassRows = 0;
  private readonly caches = new Map<ProbeLocation, ActivationCache>();
  private locks: HeldLock[] = [];
  /** The request's locations, less optional extras the model turned out not to have. */
  private locations: ProbeLocation[];

  constructor(
    private readonly request: ActivationRequest,
    private readonly hooks: StageHooks,
  ) {
    this.locations = [...request.locations];
  }

  /** The dtype the caches are written in (auto resolved); undefined without a cache. */
  get cacheDtype(): CacheDtype | undefined {
    return this.caches.get(this.locations[0])?.key.options.cacheDtype;
  }

  /** Locations this run extracts (primary first). */
  get extracted(): ProbeLocation[] {
    return [...this.locations];
  }

  /** The cache folder of each extracted location (after beforeTokenize; empty without a cache). */
  get cacheFolders(): string[] {
    return this.locations.flatMap((l) => this.caches.get(l)?.dir ?? []);
  }

  /**
   * Opens the caches, and the model when no cache holds anything yet: a first run then fails on a folder
   * that is not a decoder before tokenizing. Otherwise the model is loaded only if rows turn out to be
   * missing, with only the locations that miss them (a re-run from the cache may never load it).
   * Each cache folder is locked first (one run per cache at a time, until releaseCaches): a run that
   * finds one held by another waits for it, saying so in its progress, and then reads what it cached.
   */
  async beforeTokenize(): Promise<void> {
    const { cache } = this.request;
    if (cache) {
      const model = modelIdentity(this.request.modelDir);
      const keys = this.locations.map((location) => ({
        location,
        key: cacheKeyFor({ options: cache.options, location, datasetHash: cache.datasetHash, columns: cache.columns, model }),
      }));
      this.locks = await acquireRunLocks(
        keys.map(({ location, key }) => ({ file: path.join(cache.dir, cacheFolderName(key), cache.lockFile ?? CACHE_LOCK_FILE), subject: `the ${location} activation cache` })),
        cache.lockFile ? 'extract' : 'probe',
        {
          log: this.hooks.log,
          onWaiting: (message) => this.hooks.progress('dataset', 0, 1, `${message[0].toUpperCase()}${message.slice(1)}`),
          signal: this.hooks.signal,
          pollMs: this.hooks.lockPollMs,
        },
      );
      for (const { location, key } of keys) this.caches.set(location, ActivationCache.open(cache.dir, key, this.hooks.log));
      const dtype = resolveCacheDtype(cache.options.cacheDtype, model.modelFile);
      this.hooks.log(`activation cache dtype ${dtype.dtype} (${dtype.reason})`);
      if ([...this.caches.values()].some((c) => c.dims !== undefined)) return;
    }
    await this.openSession(this.locations);
  }

  async extract(sequences: PreparedSequence[]): Promise<Activations> {
    const missing = new Map<ProbeLocation, number[]>();
    for (const location of this.locations) {
      const cache = this.caches.get(location);
      const rows = cache ? cache.resolve(sequences) : sequences.map((_, i) => i);
      if (cache) this.hooks.log(`activation cache ${location}: ${sequences.length - rows.length} of ${sequences.length} rows cached (${cache.dir})`);
      if (rows.length > 0) missing.set(location, rows);
    }
    const union = [...new Set([...missing.values()].flat())].sort((a, b) => a - b);
    this.forwardPassRows = union.length;
    const stores = new Map<ProbeLocation, FeatureStore>();
    if (union.length > 0) {
      const session = this.session ?? (await this.openSession([...missing.keys()]));
      // Opening may have dropped optional extras the model does not have.
      for (const location of missing.keys()) if (!this.locations.includes(location)) missing.delete(location);
      this.checkVocabulary(session, sequences);
      const dims = { numLayers: session.numLayers, hiddenSize: session.hiddenSize, blockKind: session.blockKind };
      const sinks: Partial<Record<ProbeLocation, ActivationSink>> = {};
      for (const [location, rows] of missing) {
        const cache = this.caches.get(location);
        if (cache) {
          sinks[location] = new CacheSink(cache, sequences, new Set(rows), dims, session.provider, this.request.cache?.chunkPolicy);
        } else {
          const store = new FeatureStore(dims.numLayers, sequences.length, dims.hiddenSize);
          stores.set(location, store);
          sinks[location] = featureStoreSink(store, sequences);
        }
      }
      const cached = sequences.length - union.length;
      const notes = [...(cached > 0 ? [`${cached} cached`] : []), ...this.checkCacheSpace(missing, dims)];
      const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
      this.hooks.progress('extract', 0, union.length, `Forward passes 0/${formatCount(union.length)} rows${note}`);
      await runExtraction(session, sequences, union, sinks, {
        batchMemoryBytes: this.request.batchMemoryBytes,
        maxBatchSize: this.request.maxBatchSize,
        signal: this.hooks.signal,
        onBatch: (done, total) => this.hooks.progress('extract', done, total, `Forward passes ${formatCount(done)}/${formatCount(total)} rows${note}`),
      });
    } else {
      const loaded = this.session ? '' : ', the model is not loaded';
      this.hooks.log(`all ${sequences.length} rows are cached for ${this.locations.join(', ')}: no forward pass${loaded}`);
      this.hooks.progress('extract', sequences.length, sequences.length, `Activations of ${sequences.length} rows read from the cache`);
    }
    return this.collect(sequences, stores);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  /** Lets the next run use the cache folders (after the probes, which read the cached slabs from disk). */
  releaseCaches(): void {
    for (const lock of this.locks) lock.release();
    this.locks = [];
  }

  private collect(sequences: PreparedSequence[], stores: Map<ProbeLocation, FeatureStore>): Activations {
    const primary = this.locations[0];
    const dims = this.session ?? this.caches.get(primary)?.dims;
    if (!dims) throw new PipelineError(`${this.request.modelDir}: no activations were extracted`);
    const sources = new Map<ProbeLocation, SlabSource>();
    for (const location of this.locations) {
      const cache = this.caches.get(location);
      sources.set(location, cache ? new CachedSlabs(cache, sequences, dims.numLayers, dims.hiddenSize) : stores.get(location)!);
    }
    const cachedProviders = this.caches.get(primary)?.providers ?? [];
    return {
      sources,
      numLayers: dims.numLayers,
      hiddenSize: dims.hiddenSize,
      blockKind: dims.blockKind,
      provider: this.session?.provider ?? cachedProviders.join('+'),
      providersTried: this.providersTried,
      forwardPassRows: this.forwardPassRows,
    };
  }

  private async openSession(wanted: ProbeLocation[]): Promise<ActivationSession> {
    const { modelDir } = this.request;
    const loading = `${path.basename(modelDir)}${describeModelSize(modelDir)}`;
    this.hooks.progress('model', 0, 1, `Loading ${loading}`);
    const plan = providerPlan(this.request.executionProvider ?? 'auto');
    const providers = plan.order;
    for (const why of plan.skipped) this.hooks.log(`execution provider skipped: ${why}`);
    quietOnnxruntimeLogging();
    const primary = this.locations[0];
    let locations = [...wanted];
    let session: ActivationSession | undefined;
    while (!session) {
      try {
        // Nothing left to extract but the optional extras the model lacks: the primary is loaded for nothing (rare).
        session = await ActivationSession.open(modelDir, { locations: locations.length > 0 ? locations : [primary], executionProviders: providers });
      } catch (err) {
        // An extra location the model cannot give (resid_mid of parallel blocks, say) is dropped alone;
        // the others, and the primary, are still extracted.
        const extra = err instanceof LocationUnavailableError && err.location !== primary && locations.includes(err.location) ? err.location : undefined;
        if (!extra || !this.request.extrasOptional) throw err;
        this.hooks.log(`extra location ${extra} dropped: ${(err as Error).message}`);
        this.caches.delete(extra);
        this.locations = this.locations.filter((l) => l !== extra);
        locations = locations.filter((l) => l !== extra);
      }
    }
    this.session = session;
    this.hooks.progress('model', 1, 1, `Loaded ${loading}`);
    this.providersTried = providers.slice(0, providers.indexOf(session.provider) + 1);
    const log = this.hooks.log;
    log(`model ${modelDir}: ${session.numLayers} layers × ${session.hiddenSize}, ${session.blockKind} blocks`);
    for (const why of session.providerFallbacks) log(`execution provider fell back: ${why}`);
    if (session.provider !== providers[0]) {
      log(`execution provider ${providers[0]} is not available here; running on ${session.provider} (tried ${this.providersTried.join(' → ')})`);
    } else {
      log(`execution provider ${session.provider}`);
    }
    return session;
  }

  /**
   * States the cache the forward passes will write (rows still missing per location) and the free space
   * of its disk, and refuses before any pass when it does not fit. Returns the progress line's note.
   */
  private checkCacheSpace(missing: Map<ProbeLocation, number[]>, dims: { numLayers: number; hiddenSize: number }): string[] {
    const { cache } = this.request;
    const shapes = [...missing].flatMap(([location, rows]) => {
      const c = this.caches.get(location);
      return c ? [{ location, shape: { rows: rows.length, ...dims, dtype: c.key.options.cacheDtype } }] : [];
    });
    if (!cache || shapes.length === 0) return [];
    const plan = planCacheSpace(cache.dir, shapes, cache.statfs);
    this.hooks.log(describeCacheSpace(plan));
    checkCacheSpace(plan);
    return [cacheSpaceNote(plan)];
  }

  private checkVocabulary(session: ActivationSession, sequences: PreparedSequence[]): void {
    let maxId = 0;
    for (const s of sequences) for (const id of s.ids) if (id > maxId) maxId = id;
    if (session.vocabSize !== undefined && maxId >= session.vocabSize) {
      throw new PipelineError(
        `${this.request.modelDir}: token id ${maxId} is outside the model's vocabulary (${session.vocabSize} rows in its embedding); the tokenizer does not match the model`,
      );
    }
  }
}

/** " (1.2 GB on disk)" for the load's progress line; empty when the folder is unreadable (open says why). */
function describeModelSize(modelDir: string): string {
  try {
    return ` (${formatBytes(modelSizeOnDisk(resolveModelFolder(modelDir).modelFile))} on disk)`;
  } catch {
    return '';
  }
}
