// The order the probes are trained in. Each cell is an independent probe on the same split; the order
// decides what a live heatmap shows early — every fourth layer first, then the layers between them by
// halves, so the whole picture is there after a quarter of the work — and which trained cell warm-starts
// which (trainProbes.ts): that changes bits below the stopping tolerance, never the optimum.

/** Layers 0…numLayers−1, coarse to fine: multiples of 4, then of 2, then the rest, each ascending. */
export function coarseToFineLayers(numLayers: number): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  for (const stride of [4, 2, 1]) {
    for (let layer = 0; layer < numLayers; layer += stride) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      order.push(layer);
    }
  }
  return order;
}
