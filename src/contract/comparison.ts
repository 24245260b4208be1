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

export interface Comparison {
  a: ComparedRun;
  b: ComparedRun;
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
