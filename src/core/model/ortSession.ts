// Creating onnxruntime-node sessions from model bytes, with execution-provider fallback.

import * as path from 'node:path';

import { InferenceSession } from 'onnxruntime-node';

import { LayerProbeError } from '../../contract/errors';
import { checkExternalData, placeExternalData } from '../onnx/externalData';
import { describeNode, type OnnxGraph, parseModel } from '../onnx/graph';
import { providerFailureHint } from './executionProviders';
import { type ModelFolder, readModelGraph, resolveModelFolder } from './modelFolder';

export class SessionCreateError extends LayerProbeError {
  override name = 'SessionCreateError';
}

export interface OrtSessionHandle {
  session: InferenceSession;
  /** The execution provider that accepted the model ('cpu', 'cuda', …). */
  provider: string;
  /** `provider: why it would not start` for each provider tried before the one that did: the run log says why it fell back. */
  fallbacks?: string[];
}

/**
 * Loads model bytes with the first execution provider that works, in the given order.
 * `modelDir` is where external weight files live: bytes have no path of their own, and without this
 * option onnxruntime refuses external data ("escapes working directory"). Data files that are symlinks
 * out of `modelDir` (the Hugging Face hub cache) are read from where they resolve: see placeExternalData.
 * With `graph`, a failure naming an operator (`domain:Op(version)`) also names the first node of that type.
 */
export async function createOrtSession(
  bytes: Uint8Array,
  modelDir: string,
  fileLabel: string,
  executionProviders: string[] = ['cpu'],
  graph?: OnnxGraph,
): Promise<OrtSessionHandle> {
  const placed = placeExternalData(bytes, modelDir, fileLabel);
  const failures: string[] = [];
  for (const provider of executionProviders) {
    try {
      const session = await InferenceSession.create(placed.bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // Errors only: warnings (e.g. about pruned initializers or fp16 fallbacks) are not actionable.
        logSeverityLevel: 3,
        extra: { session: { model_external_initializers_file_folder_path: placed.folder } },
      });
      return { session, provider, fallbacks: failures };
    } catch (err) {
      // trimEnd: WebGPU's no-adapter message ends in a newline, which would put the hint on a line of its own.
      const message = (err as Error).message.trimEnd();
      failures.push(`${provider}: ${message}${providerFailureHint(provider, message)}`);
    }
  }
  const message = failures.join('; ');
  const culprit = graph && nodeOfOperatorIn(message, graph);
  const where = culprit ? `; node ${describeNode(culprit)}` : '';
  throw new SessionCreateError(`${fileLabel}: onnxruntime could not load the model (${message})${where}`);
}

/** onnxruntime names unknown or unsupported operators `domain:OpType(version)` but not the node. */
function nodeOfOperatorIn(message: string, graph: OnnxGraph): OnnxGraph['nodes'][number] | undefined {
  for (const m of message.matchAll(/([\w.]*):(\w+)\(-?\d+\)/g)) {
    const node = graph.nodes.find((n) => n.opType === m[2] && (n.domain === m[1] || (m[1] === '' && n.domain === 'ai.onnx')));
    if (node) return node;
  }
  return undefined;
}

export interface OriginalSession extends OrtSessionHandle {
  folder: ModelFolder;
  graph: OnnxGraph;
}

/**
 * A session on the model exactly as exported (no rewrite): the reference the rewrite is checked against.
 * A merged decoder stays merged: buildFeeds sets its `use_cache_branch` to false.
 */
export async function openOriginalSession(dir: string, executionProviders?: string[]): Promise<OriginalSession> {
  const folder = resolveModelFolder(dir);
  const bytes = readModelGraph(folder.modelFile);
  const graph = parseModel(bytes, folder.modelFile);
  const modelDir = path.dirname(folder.modelFile);
  checkExternalData(graph, modelDir);
  const handle = await createOrtSession(bytes, modelDir, folder.modelFile, executionProviders, graph);
  return { ...handle, folder, graph };
}
