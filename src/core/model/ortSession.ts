// Creating onnxruntime-node sessions from model bytes, with execution-provider fallback.

import * as fs from 'node:fs';
import { InferenceSession } from 'onnxruntime-node';
import { parseModel, type OnnxGraph } from '../onnx/graph';
import { resolveModelFolder, type ModelFolder } from './modelFolder';

export class SessionCreateError extends Error {
  override name = 'SessionCreateError';
}

export interface OrtSessionHandle {
  session: InferenceSession;
  /** The execution provider that accepted the model ('cpu', 'cuda', …). */
  provider: string;
}

/**
 * Loads model bytes with the first execution provider that works, in the given order.
 * `modelDir` is where external weight files live: bytes have no path of their own, and without this
 * option onnxruntime refuses external data ("escapes working directory").
 */
export async function createOrtSession(
  bytes: Uint8Array,
  modelDir: string,
  fileLabel: string,
  executionProviders: string[] = ['cpu'],
): Promise<OrtSessionHandle> {
  const failures: string[] = [];
  for (const provider of executionProviders) {
    try {
      const session = await InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // Errors only: warnings (e.g. about pruned initializers or fp16 fallbacks) are not actionable.
        logSeverityLevel: 3,
        extra: { session: { model_external_initializers_file_folder_path: modelDir } },
      });
      return { session, provider };
    } catch (err) {
      failures.push(`${provider}: ${(err as Error).message}`);
    }
  }
  throw new SessionCreateError(`${fileLabel}: onnxruntime could not load the model (${failures.join('; ')})`);
}

export interface OriginalSession extends OrtSessionHandle {
  folder: ModelFolder;
  graph: OnnxGraph;
}

/** A session on the model exactly as exported (no rewrite): the reference the rewrite is checked against. */
export async function openOriginalSession(dir: string, executionProviders?: string[]): Promise<OriginalSession> {
  const folder = resolveModelFolder(dir);
  const bytes = fs.readFileSync(folder.modelFile);
  const graph = parseModel(bytes, folder.modelFile);
  const handle = await createOrtSession(bytes, dir, folder.modelFile, executionProviders);
  return { ...handle, folder, graph };
}
