// A model folder opened for activation extraction: the graph is parsed, its layers found, and a
// rewritten copy (outputs = the requested activations of every layer) is loaded into onnxruntime.

import * as path from 'node:path';

import type { InferenceSession } from 'onnxruntime-node';

import { LayerProbeError } from '../../contract/errors';
import { PROBE_LOCATIONS, type ProbeLocation } from '../../contract/locations';
import { checkExternalData } from '../onnx/externalData';
import { type BlockKind, findLayers, type LayerMap, type LayerTensors } from '../onnx/layers';
import { parseDecoderGraph } from '../onnx/mergedDecoder';
import { rewriteForActivations } from '../onnx/rewrite';
import { buildFeeds, checkFeedable, type FeedSpec, feedSpecOf, ModelInputError } from './feeds';
import { type ModelFolder, readModelGraph, resolveModelFolder } from './modelFolder';
import { createOrtSession } from './ortSession';
import { tensorToFloat32 } from './tensorData';

export interface ActivationSessionOptions {
  locations: ProbeLocation[];
  /** Also return logits (needed to generate or score answers; costs the lm_head). */
  keepLogits?: boolean;
  /** Tried in order; the first that loads the model is used. Default ['cpu']. */
  executionProviders?: string[];
}

export interface ActivationBatch {
  /** Padded length: every array below is laid out [batch, seqLen, …]. */
  seqLen: number;
  /** Real (unpadded) length of each row. */
  lengths: number[];
  /** Per requested location, one [batch, seqLen, hiddenSize] array per layer. */
  activations: Partial<Record<ProbeLocation, Float32Array[]>>;
  /** [batch, seqLen, vocabSize] when the session keeps logits. */
  logits?: Float32Array;
}

export class ActivationSessionError extends LayerProbeError {
  override name = 'ActivationSessionError';
}

/**
 * The model cannot give `location`: resid_mid of parallel blocks (there is no stream between attention
 * and MLP), or attn_out / mlp_out / mlp_in of parallel blocks whose branches cannot be told apart.
 */
export class LocationUnavailableError extends ActivationSessionError {
  override name = 'LocationUnavailableError';

  constructor(
    message: string,
    readonly location: ProbeLocation,
  ) {
    super(message);
  }
}

const LOCATION_FIELD: Record<ProbeLocation, keyof LayerTensors> = {
  mlp_out: 'mlpOut',
  resid_post: 'residPost',
  mlp_in: 'mlpIn',
  attn_out: 'attnOut',
  resid_pre: 'residPre',
  resid_mid: 'residMid',
};

/** Locations every layer of `layerMap` has a tensor for, in PROBE_LOCATIONS order. */
export function availableLocations(layerMap: LayerMap): ProbeLocation[] {
  return PROBE_LOCATIONS.filter((loc) => layerMap.layers.every((layer) => layer[LOCATION_FIELD[loc]] !== undefined));
}

/**
 * Tensor name of `location` in each layer. Two locations may name the same tensor (resid_pre of layer
 * l + 1 is resid_post of layer l).
 */
export function locationTensors(layerMap: LayerMap, location: ProbeLocation, fileLabel: string): string[] {
  return layerMap.layers.map((layer, i) => {
    const name = layer[LOCATION_FIELD[location]];
    if (name === undefined) {
      const available = `locations this model has: ${availableLocations(layerMap).join(', ')}`;
      const message =
        location === 'resid_mid'
          ? `${fileLabel}: location 'resid_mid' (the residual stream between attention and MLP) does not exist ` +
            `in this model: its blocks are ${layerMap.blockKind}, attention and MLP both read the block's input ` +
            `(resid_pre) and are added to it together, so no stream lies between them (${available})`
          : `${fileLabel}: location '${location}' is not available for layer ${i} of this model ` +
            `(${layerMap.blockKind} blocks whose sum could not be split into an attention and an MLP branch; ${available})`;
      throw new LocationUnavailableError(message, location);
    }
    return name;
  });
}

export class ActivationSession {
  private constructor(
    private readonly session: InferenceSession,
    readonly folder: ModelFolder,
    readonly layerMap: LayerMap,
    readonly locations: ProbeLocation[],
    private readonly tensorsByLocation: Map<ProbeLocation, string[]>,
    private readonly feedSpec: FeedSpec,
    readonly keepLogits: boolean,
    readonly provider: string,
    readonly hiddenSize: number,
    readonly vocabSize: number | undefined,
    /** optimum merged decoders: the If nodes whose no-cache branch is what runs (empty otherwise). */
    readonly inlinedIf: string[],
    /** `provider: why it would not start` for each provider tried before `provider`. */
    readonly providerFallbacks: string[] = [],
  ) {}

  get numLayers(): number {
    return this.layerMap.numLayers;
  }

  get blockKind(): BlockKind {
    return this.layerMap.blockKind;
  }

  get modelFile(): string {
    return this.folder.modelFile;
  }

  static async open(dir: string, options: ActivationSessionOptions): Promise<ActivationSession> {
    const folder = resolveModelFolder(dir);
    const label = folder.modelFile;
    // Every check that can fail on a bad model runs before onnxruntime sees it, and names the file.
    const { graph, inlinedIf } = parseDecoderGraph(readModelGraph(label), label);
    const feedSpec = feedSpecOf(graph);
    checkFeedable(feedSpec);
    const layerMap = findLayers(graph, { expectedLayers: folder.numLayers, fileLabel: label });
    const locations = [...new Set(options.locations)];
    const tensorsByLocation = new Map(locations.map((loc) => [loc, locationTensors(layerMap, loc, label)]));
    const keepLogits = options.keepLogits ?? false;
    const modelDir = path.dirname(label);
    checkExternalData(graph, modelDir);
    const bytes = rewriteForActivations(graph, layerMap, {
      tensors: [...tensorsByLocation.values()].flat(),
      keepLogits,
    });
    const { session, provider, fallbacks } = await createOrtSession(bytes, modelDir, label, options.executionProviders, graph);

    const hiddenSize = layerMap.embedding?.hiddenSize ?? folder.hiddenSize;
    if (hiddenSize === undefined) {
      await session.release();
      throw new ActivationSessionError(`${label}: hidden size unknown (no embedding table in the graph, none in the config)`);
    }
    const logitsDim = graph.outputs.find((o) => o.name === layerMap.logits)?.dims?.at(-1)?.value;
    const vocabSize = layerMap.embedding?.vocabSize ?? logitsDim ?? folder.vocabSize;
    // The rewritten graph keeps the original's inputs. Only their description is kept, not the
    // parsed graph, whose buffer holds the embedded weights when the file had to be read whole.
    return new ActivationSession(
      session,
      folder,
      layerMap,
      locations,
      tensorsByLocation,
      feedSpec,
      keepLogits,
      provider,
      hiddenSize,
      vocabSize,
      inlinedIf,
      fallbacks,
    );
  }

  /** One forward pass over right-padded rows of token ids. */
  async run(batch: number[][]): Promise<ActivationBatch> {
    const { feeds, seqLen, lengths } = buildFeeds(this.feedSpec, batch, this.vocabSize);
    const fetches = [...new Set([...this.tensorsByLocation.values()].flat())];
    if (this.keepLogits) fetches.push(this.layerMap.logits);
    const outputs = await this.session.run(feeds, fetches);

    const rows = batch.length;
    // Tensors shared by two locations (resid_pre of layer l + 1 = resid_post of layer l) are fetched once;
    // each location still gets arrays of its own, so no consumer sees another location's array.
    const converted = new Map<string, Float32Array>();
    const valuesOf = (name: string): Float32Array => {
      const seen = converted.get(name);
      if (seen) return seen.slice();
      const data = tensorToFloat32(outputs[name], `${this.modelFile}: tensor '${name}'`);
      if (data.length !== rows * seqLen * this.hiddenSize) {
        throw new ModelInputError(
          `${this.modelFile}: tensor '${name}' has shape [${outputs[name].dims}], ` +
            `expected [${rows}, ${seqLen}, ${this.hiddenSize}]`,
        );
      }
      converted.set(name, data);
      return data;
    };
    const activations: Partial<Record<ProbeLocation, Float32Array[]>> = {};
    for (const [location, names] of this.tensorsByLocation) activations[location] = names.map(valuesOf);
    const result: ActivationBatch = { seqLen, lengths, activations };
    if (this.keepLogits) {
      result.logits = tensorToFloat32(outputs[this.layerMap.logits], `${this.modelFile}: logits`);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
