// Two runs compared cell by cell: what the worker computes and the comparison panel draws.

import type { TokenPositionName } from './types';

/** One side of a comparison: enough to label it and to show its own values on hover. */
export interface ComparedRun {
  resultFile: string;
  /** `model · dataset · location`, the run's panel title. */
  title: string;
  model: string;
  dataset: string;
  location: string;
  seed: number;
  numLayers: number;
  nTest: number;
  auc: (number | null)[][];
  aucInterval: ([number, number] | null)[][];
}

/**
 * What makes a comparison a transfer ("train on A, test on B", the paper's generalisation question):
 * side `a` of the comparison is then the probe of every cell trained on A's train rows as A's run trained
 * it, scored on B's test rows; side `b` is B's own probe on the same rows, so the difference is
 * transfer − in-domain and its bootstrap is paired.
 */
export interface TransferInfo {
  /** Run A as it is (its own AUC on its own test rows, for the hover). */
  trainedOn: ComparedRun;
  /** A's train rows the probes were fitted on. */
  nTrain: number;
  /** `trained on <A's dataset>, tested on <B's dataset>`: the panel's heading. */
  title: string;
  /** Rows that had to go through the model because the activation cache did not hold them (0: all cached). */
  forwardPassRows: number;
}

export interface Comparison {
  a: ComparedRun;
  b: ComparedRun;
  /** Present when `a` is run A's probes scored on B's test rows (see TransferInfo); absent: two runs' own values. */
  transfer?: TransferInfo;
  /**
   * 'paired': the two runs scored the same test rows (same dataset content, same rows), so each bootstrap
   * resample draws the same rows for both; 'unpaired': each side's own test rows are resampled
   * independently (`pairingReason` says why they differ).
   */
  pairing: 'paired' | 'unpaired';
  pairingReason: string;
  /** Test rows both runs scored (the rows a paired bootstrap resamples). */
  sharedRows: number;
  /** How heatmap rows pair layers: by index (equal layer counts) or by relative depth (the shallower model's layers). */
  layerAlignment: 'index' | 'relative-depth';
  /** Row r of the matrices compares A's layer layerPairs[r][0] with B's layer layerPairs[r][1]. */
  layerPairs: [number, number][];
  tokens: TokenPositionName[];
  /** AUC of A − AUC of B per cell, the runs' own values; null when either is undefined. */
  diff: (number | null)[][];
  /** Bootstrap 95 % interval of the difference; null when too few resamples held both classes on both sides. */
  interval: ([number, number] | null)[][];
  /** The interval excludes 0. */
  significant: boolean[][];
  resamples: number;
  seed: number;
}
