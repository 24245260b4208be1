// A whole heatmap's probes as the pipeline trains them (trainProbes: cell order, warm starts, bootstrap,
// worker threads), one worker vs several, next to scikit-learn's default LogisticRegression() on cells of
// the same heatmap, in ONE run on the same matrices:
//   node --import tsx bench/probes/heatmapWall.ts [--cases 800x200x4096x32,...] [--workers 2] [--sk-cells 8]
// A case is train rows × test rows × features × layers; its heatmap has layers × 15 cells. The cells of a
// layer are activationLayers' layer-like matrices (neighbouring layers' coordinates turn by ~17°); the 15
// tokens of a layer share its matrix (each cell is still fitted on its own). scikit-learn fits --sk-cells
// of the heatmap's cells (spread over the layers), between our runs, and its median per cell is
// multiplied by the heatmap's cell count. Prints a Markdown table and the load average.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { TOKEN_POSITIONS } from '../../src/contract/types';
import type { SlabSource } from '../../src/core/pipeline/slabSource';
import { trainProbes } from '../../src/core/pipeline/trainProbes';
import { LOGISTIC_DEFAULTS } from '../../src/core/probe/logistic';
import { activationLayers } from './activationLike';
import { fmt, lineReader } from './benchIo';

const DEFAULT_CASES = '800x200x4096x32,4000x1000x4096x2,800x200x896x32,8000x2000x768x4';
const CHAIN_STEP = 0.3;

interface Case {
  nTrain: number;
  nTest: number;
  d: number;
  layers: number;
}

/** One matrix per layer, shared by the layer's 15 tokens. */
class LayerChain implements SlabSource {
  readonly numRows: number;
  constructor(
    readonly numLayers: number,
    readonly hiddenSize: number,
    private readonly Xs: Float32Array[],
  ) {
    this.numRows = Xs[0].length / hiddenSize;
  }
  slab(layer: number): Float32Array {
    return this.Xs[layer];
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];


async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const cases: Case[] = arg('--cases', DEFAULT_CASES).split(',').map((spec) => {
    const [nTrain, nTest, d, layers] = spec.split('x').map(Number);
    return { nTrain, nTest, d, layers };
  });
  const workers = Number(arg('--workers', '2'));
  const skCells = Number(arg('--sk-cells', '8'));
  const dir = mkdtempSync(join(tmpdir(), 'probe-heatmap-bench-'));
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before)`);
  writeFileSync(join(dir, 'cases.json'), '[]');
  const server = spawn('/usr/bin/python3', ['bench/probes/bench_sklearn.py', '--serve', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const nextLine = lineReader(server.stdout);
  const rows = [
    `| case (train/test × d, layers) | cells | ours, 1 worker (all threads): wall (CPU) | ours, ${workers} workers: wall (CPU) | workers' speed-up | Newton steps per cell | sklearn default per cell, median of ${skCells} (CPU) | sklearn default × cells | ours (best) vs default | all converged |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  try {
    const caseList: object[] = [];
    for (const [k, c] of cases.entries()) {
      const { Xs, y } = activationLayers(c.nTrain + c.nTest, c.d, c.layers, k, CHAIN_STEP);
      const source = new LayerChain(c.layers, c.d, Xs);
      const cells = c.layers * TOKEN_POSITIONS.length;
      const skLayers = Array.from({ length: Math.min(skCells, c.layers) }, (_, i) => Math.floor((i * c.layers) / Math.min(skCells, c.layers)));
      caseList.length = 0;
      for (const l of skLayers) {
        const file = `c${k}_l${l}`;
        writeFileSync(join(dir, `${file}.X.f32`), Buffer.from(Xs[l].buffer, Xs[l].byteOffset, Xs[l].byteLength));
        writeFileSync(join(dir, `${file}.y.u8`), y);
        caseList.push({ name: file, file, nTrain: c.nTrain, nTest: c.nTest, d: c.d, reps: 0, repsDefault: 0, repsConverged: 0 });
      }
      writeFileSync(join(dir, 'cases.json'), JSON.stringify(caseList));
      server.stdin.write('reload\n');
      const trainRows = Array.from({ length: c.nTrain }, (_, i) => i);
      const testRows = Array.from({ length: c.nTest }, (_, i) => c.nTrain + i);
      const heatmap = async (w: number): Promise<{ wall: number; cpu: number; converged: boolean; iterations: number }> => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const grid = await trainProbes(source, trainRows, testRows, y, { ...LOGISTIC_DEFAULTS, seed: 0, workers: w });
        const wall = performance.now() - t0;
        const u = process.cpuUsage(c0);
        if (grid.workers !== w) throw new Error(`asked for ${w} workers, trainProbes used ${grid.workers}`);
        return { wall, cpu: (u.user + u.system) / 1000, converged: grid.converged.flat().every(Boolean), iterations: grid.iterations.flat().reduce((a, b) => a + b, 0) / cells };
      };
      // Ours with workers, ours in one thread, then scikit-learn (its first call warmed up apart).
      const many = await heatmap(workers);
      const one = await heatmap(1);
      const sk: { seconds: number; cpu_seconds: number }[] = [];
      server.stdin.write(`c${k}_l${skLayers[0]} default\n`);
      await nextLine();
      for (const l of skLayers) {
        server.stdin.write(`c${k}_l${l} default\n`);
        sk.push(JSON.parse(await nextLine()) as { seconds: number; cpu_seconds: number });
      }
      const skCell = median(sk.map((s) => s.seconds)) * 1000;
      const skCpu = median(sk.map((s) => s.cpu_seconds)) * 1000;
      const best = Math.min(many.wall, one.wall);
      rows.push(
        `| ${c.nTrain}/${c.nTest} × ${c.d}, ${c.layers} | ${cells} | ${fmt(one.wall)} (${fmt(one.cpu)}) | ${fmt(many.wall)} (${fmt(many.cpu)}) | ${(one.wall / many.wall).toFixed(2)}× | ${one.iterations.toFixed(1)} Newton | ${fmt(skCell)} (${fmt(skCpu)}) | ${fmt(skCell * cells)} | **${((skCell * cells) / best).toFixed(2)}×** | ${one.converged && many.converged ? 'yes' : 'NO'} |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    server.stdin.end();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)\n`);
  console.log(rows.join('\n'));
}

void main();
