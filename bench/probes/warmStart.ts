// Warm starts measured: a chain of layer-like cells (activationLike.ts's activationLayers) fitted cold and
// warm-started from the previous cell's dual weights, alternating cold/warm per cell, same process:
//   node --import tsx bench/probes/warmStart.ts [nTrain] [d] [--cells N] [--step S | --independent] [--threads N]
import type { DualNewtonFit, DualStart } from '../../src/core/probe/dualNewton';
import { fitLogisticFast } from '../../src/core/probe/logistic';
import { OrtKernels } from '../../src/core/probe/ortKernels';
import { activationLayers } from './activationLike';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
  const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const n = Number(positional[0] ?? 800);
  const d = Number(positional[1] ?? 4096);
  const cells = flag('--cells', 8);
  const step = args.includes('--independent') ? 1 : flag('--step', 0.3);
  const threads = flag('--threads', 1);
  const { Xs, y } = activationLayers(n, d, cells, 0, step);
  const kernels = await OrtKernels.create({ threads });
  const fit = (X: Float32Array, start?: DualStart): Promise<DualNewtonFit> =>
    fitLogisticFast(X, n, d, y, { solver: 'newton-dual', kernels, warmStart: start }) as Promise<DualNewtonFit>;
  await fit(Xs[0]); // warm-up
  console.log(`${n}×${d}, ${cells} cells, step ${step}, threads ${threads}`);
  let prev: DualStart | undefined;
  const sums = { cold: 0, warm: 0 };
  for (let l = 0; l < cells; l++) {
    const results: Record<string, { ms: number; fit: DualNewtonFit }> = {};
    for (const mode of l % 2 === 0 ? ['cold', 'warm'] : ['warm', 'cold']) {
      const t0 = performance.now();
      const f = await fit(Xs[l], mode === 'warm' ? prev : undefined);
      results[mode] = { ms: performance.now() - t0, fit: f };
    }
    const { cold, warm } = results;
    if (l > 0) {
      sums.cold += cold.ms;
      sums.warm += warm.ms;
    }
    const line = (m: { ms: number; fit: DualNewtonFit }): string =>
      `${m.ms.toFixed(0)} ms (${m.fit.iterations} Newton, ${m.fit.cgSteps} CG, ${m.fit.refinements} exact; Gram ${m.fit.phaseMs.gram.toFixed(0)}, sketch ${m.fit.phaseMs.sketch.toFixed(0)}, A ${m.fit.phaseMs.gramNewton.toFixed(0)}, B ${m.fit.phaseMs.exact.toFixed(0)})`;
    console.log(
      `cell ${l}: cold ${line(cold)} | warm${warm.fit.warmStarted ? '' : ' (start refused)'} ${line(warm)} | ` +
        `Δobjective ${(warm.fit.objective - cold.fit.objective).toExponential(2)} (${cold.fit.objective.toPrecision(12)}), converged ${cold.fit.converged}/${warm.fit.converged}`,
    );
    prev = warm.fit.dual;
  }
  console.log(`cells 1…${cells - 1}: cold ${(sums.cold / (cells - 1)).toFixed(0)} ms, warm ${(sums.warm / (cells - 1)).toFixed(0)} ms per probe`);
  await kernels.release();
}

void main();
