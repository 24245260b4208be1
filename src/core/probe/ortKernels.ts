// onnxruntime as the BLAS of the fast probe solvers: the few dense products that dominate a probe's cost
// (the n×n Gram matrix, n×n by n×r products, d×d weighted covariances) run as tiny one-node ONNX graphs on
// MLAS, multithreaded and ~20-70× faster than a JavaScript loop on these machines. Everything else stays in JS.
// Graphs are built once per process (symbolic shapes) and the sessions reused for every cell.
import * as ort from 'onnxruntime-node';

import { attr, OnnxDataType, OnnxModelBuilder } from '../onnx/writer';

/** Row blocks of the Gram graph: only the blocks on or below the diagonal are multiplied (10/16 of X·Xᵀ). */
const GRAM_BLOCKS = 4;

export interface OrtKernelOptions {
  /** onnxruntime intra-op threads; 0 = its default (one per physical core). */
  threads?: number;
  /**
   * A GPU execution provider to put the products on (the forward passes' one, e.g. 'webgpu'); nodes it
   * lacks (float64 MatMul on WebGPU) run on CPU in the same session. When it cannot start, CPU alone.
   */
  provider?: string;
}

export class OrtKernels {
  private constructor(
    private readonly gramSession: ort.InferenceSession,
    private readonly matmulSession: ort.InferenceSession,
    private readonly matmul32Session: ort.InferenceSession,
    private readonly covarianceSession: ort.InferenceSession,
  ) {}

  static async create({ threads = 0, provider = 'cpu' }: OrtKernelOptions = {}): Promise<OrtKernels> {
    if (provider !== 'cpu') {
      try {
        return await OrtKernels.createOn([provider, 'cpu'], threads);
      } catch {
        // The forward passes already said which provider they got; the kernels are correct on CPU too.
      }
    }
    return OrtKernels.createOn(['cpu'], threads);
  }

  private static async createOn(executionProviders: string[], threads: number): Promise<OrtKernels> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Idle pool threads sleep instead of spinning: on a shared machine spinning threads steal the cores
      // the work needs (measured: 2 threads 2–3× slower than 1 while other processes ran).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    const [gramSession, matmulSession, matmul32Session, covarianceSession] = await Promise.all([
      ort.InferenceSession.create(centredGramGraph(), options),
      ort.InferenceSession.create(matmulGraph(OnnxDataType.DOUBLE), options),
      ort.InferenceSession.create(matmulGraph(OnnxDataType.FLOAT), options),
      ort.InferenceSession.create(covarianceGraph(), options),
    ]);
    return new OrtKernels(gramSession, matmulSession, matmul32Session, covarianceSession);
  }

  /**
   * Centres the rows of X (n×d) on their column means μ and returns K = Xc·Xcᵀ, computed in float32 and
   * widened to a float64, exactly symmetric n×n matrix, with μ (float32, the very values subtracted),
   * and, in the same pass over X, Xᵀ·u (float32; the solvers' gradient scale at the origin).
   * float32 Gram entries carry relative errors of ~1e-6: the solver uses K only for search directions
   * and checks the optimum against X itself in float64 (see dualNewton.ts).
   */
  async centredGram(
    X: Float32Array,
    n: number,
    d: number,
    u: Float32Array,
    scratch?: GramScratch,
  ): Promise<{ K: Float64Array; K32: Float32Array; mu: Float32Array; xtu: Float32Array }> {
    if (n < GRAM_BLOCKS) throw new RangeError(`centredGram needs at least ${GRAM_BLOCKS} rows, got ${n}`);
    const sizes = blockSizes(n, GRAM_BLOCKS);
    const out = await this.gramSession.run({
      X: new ort.Tensor('float32', X, [n, d]),
      split: new ort.Tensor('int64', BigInt64Array.from(sizes, BigInt), [GRAM_BLOCKS]),
      u: new ort.Tensor('float32', u, [1, n]),
    });
    // Assembled in float32 (the products' own precision) and widened in one native conversion: a JS
    // loop writing float64 element by element cost ~8 ms per 800 × 800 K, a tenth of a probe.
    const { K, K32 } = scratch?.forRows(n) ?? { K: new Float64Array(n * n), K32: new Float32Array(n * n) };
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    for (let bi = 0; bi < GRAM_BLOCKS; bi++) {
      for (let bj = 0; bj <= bi; bj++) {
        const block = out[`K${bi}${bj}`].data as Float32Array;
        const cols = sizes[bj];
        for (let i = 0; i < sizes[bi]; i++) {
          const row = (starts[bi] + i) * n + starts[bj];
          // Lower triangle only, mirrored below: a diagonal block is not exactly symmetric in float32.
          const jEnd = bi === bj ? i + 1 : cols;
          K32.set(block.subarray(i * cols, i * cols + jEnd), row);
        }
      }
    }
    mirrorLowerTriangle(K32, n);
    K.set(K32);
    return { K, K32, mu: out.mu.data as Float32Array, xtu: out.xtu.data as Float32Array };
  }

  /** A (m×k) · B (k×r), float64, row-major. */
  async matmul(A: Float64Array, m: number, k: number, B: Float64Array, r: number): Promise<Float64Array> {
    const out = await this.matmulSession.run({
      A: new ort.Tensor('float64', A, [m, k]),
      B: new ort.Tensor('float64', B, [k, r]),
    });
    return out.Y.data as Float64Array;
  }

  /**
   * A (m×k) · B (k×r) in float32 (float32 accumulation): half the memory traffic of matmul, for products
   * that only need ~1e-6 relative accuracy (conjugate-gradient steps on a float32 Gram).
   */
  async matmul32(A: Float32Array, m: number, k: number, B: Float32Array, r: number): Promise<Float32Array> {
    const out = await this.matmul32Session.run({
      A: new ort.Tensor('float32', A, [m, k]),
      B: new ort.Tensor('float32', B, [k, r]),
    });
    return out.Y.data as Float32Array;
  }

  /** Yᵀ·Y for row-major Y (n×d), float32 in and out (d×d): the Hessian's data term, for preconditioning. */
  async covariance(Y: Float32Array, n: number, d: number): Promise<Float32Array> {
    const out = await this.covarianceSession.run({ Y: new ort.Tensor('float32', Y, [n, d]) });
    return out.C.data as Float32Array;
  }

  async release(): Promise<void> {
    await Promise.all(
      [this.gramSession, this.matmulSession, this.matmul32Session, this.covarianceSession].map((session) => session.release()),
    );
  }
}

/**
 * Memory for centredGram's n × n results, reused from fit to fit by a caller that fits one probe at a time
 * (a probe worker thread, trainProbes' own thread). Fresh memory costs a page fault per 4 KiB when first
 * touched — on these VMs ~3 ms per MiB: 0.6 s of the 0.8 s spent after the Gram's product at n = 4000,
 * ~20 ms at n = 800. The K of one fit is valid until the next fit with the same scratch starts.
 */
export class GramScratch {
  private buffers: { K: Float64Array; K32: Float32Array } | undefined;

  forRows(n: number): { K: Float64Array; K32: Float32Array } {
    if (this.buffers?.K.length !== n * n) this.buffers = { K: new Float64Array(n * n), K32: new Float32Array(n * n) };
    return this.buffers;
  }
}

/** Copies the lower triangle of the n×n row-major K onto the upper, in 32×32 tiles (cache-friendly). */
function mirrorLowerTriangle(K: Float32Array, n: number): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    for (let j0 = 0; j0 <= i0; j0 += T) {
      const iEnd = Math.min(i0 + T, n);
      for (let i = i0; i < iEnd; i++) {
        const jEnd = Math.min(j0 + T, i);
        for (let j = j0; j < jEnd; j++) K[j * n + i] = K[i * n + j];
      }
    }
  }
}

/** Near-equal sizes summing to n, largest first. */
function blockSizes(n: number, blocks: number): number[] {
  return Array.from({ length: blocks }, (_, i) => Math.floor(n / blocks) + (i < n % blocks ? 1 : 0));
}

function centredGramGraph(): Uint8Array {
  const b = new OnnxModelBuilder({ opsetVersion: 17 });
  b.addInput('X', OnnxDataType.FLOAT, ['n', 'd']);
  b.addInput('split', OnnxDataType.INT64, [GRAM_BLOCKS]);
  b.addInput('u', OnnxDataType.FLOAT, [1, 'n']);
  b.addNode({ opType: 'MatMul', inputs: ['u', 'X'], outputs: ['xtu2'] });
  b.addNode({ opType: 'Squeeze', inputs: ['xtu2', 'axis0'], outputs: ['xtu'] });
  b.addOutput('xtu', OnnxDataType.FLOAT, ['d']);
  b.addNode({ opType: 'ReduceMean', inputs: ['X'], outputs: ['mu2'], attributes: { axes: attr.ints([0]), keepdims: attr.int(1) } });
  b.addNode({ opType: 'Sub', inputs: ['X', 'mu2'], outputs: ['Xc'] });
  b.addNode({ opType: 'Squeeze', inputs: ['mu2', 'axis0'], outputs: ['mu'] });
  b.addInt64Initializer('axis0', [1], [0]);
  const parts = Array.from({ length: GRAM_BLOCKS }, (_, i) => `X${i}`);
  b.addNode({ opType: 'Split', inputs: ['Xc', 'split'], outputs: parts, attributes: { axis: attr.int(0) } });
  for (let i = 0; i < GRAM_BLOCKS; i++) {
    for (let j = 0; j <= i; j++) {
      b.addNode({ opType: 'Gemm', inputs: [parts[i], parts[j]], outputs: [`K${i}${j}`], attributes: { transB: attr.int(1) } });
      b.addOutput(`K${i}${j}`, OnnxDataType.FLOAT, [`n${i}`, `n${j}`]);
    }
  }
  b.addOutput('mu', OnnxDataType.FLOAT, ['d']);
  return b.toBytes();
}

function matmulGraph(type: typeof OnnxDataType.FLOAT | typeof OnnxDataType.DOUBLE): Uint8Array {
  const b = new OnnxModelBuilder({ opsetVersion: 17 });
  b.addInput('A', type, ['m', 'k']);
  b.addInput('B', type, ['k', 'r']);
  b.addNode({ opType: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] });
  b.addOutput('Y', type, ['m', 'r']);
  return b.toBytes();
}

function covarianceGraph(): Uint8Array {
  const b = new OnnxModelBuilder({ opsetVersion: 17 });
  b.addInput('Y', OnnxDataType.FLOAT, ['n', 'd']);
  b.addNode({ opType: 'Gemm', inputs: ['Y', 'Y'], outputs: ['C'], attributes: { transA: attr.int(1) } });
  b.addOutput('C', OnnxDataType.FLOAT, ['d', 'd']);
  return b.toBytes();
}

const shared = new Map<string, Promise<OrtKernels>>();

/** One set of sessions per thread count and provider, per process: sessions take milliseconds to create, cells are many. */
export function sharedOrtKernels(threads = 0, provider = 'cpu'): Promise<OrtKernels> {
  const key = `${threads} ${provider}`;
  let kernels = shared.get(key);
  if (!kernels) {
    kernels = OrtKernels.create({ threads, provider });
    shared.set(key, kernels);
    // A failed creation must not be cached forever.
    kernels.catch(() => shared.delete(key));
  }
  return kernels;
}
