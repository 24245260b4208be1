// Dataset paths that are not a regular file, and output/cache folders that cannot be used or would
// overwrite an input: each refused at once, naming the path and what is wrong.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { BadCase } from '../harness';
import { goodRows, jsonl, mkfifo, modelFolder, probe, put } from '../makers';

const JSONL = jsonl(goodRows());
const good = (dir: string, name = 'data.jsonl'): string => put(dir, name, JSONL);

/** A dataset path case: `make` creates what the path `file` is. */
function at(id: string, file: string, make: (dir: string) => void, says: (string | RegExp)[], extra: Partial<BadCase> = {}): BadCase {
  return { id: `path/${id}`, setup: make, args: () => probe(file), expect: 'refused', says: [file, ...says], ...extra };
}

/** An output case: a good dataset, `make` prepares the place, `flags` replace --out/--cache-dir. */
function outCase(id: string, make: (dir: string) => void, flags: (dir: string) => string[], says: (string | RegExp)[], extra: Partial<BadCase> = {}): BadCase {
  return {
    id: `output/${id}`,
    setup: (dir) => { good(dir); make(dir); },
    args: (dir) => ['probe', 'data.jsonl', '--model', path.join(dir, 'model'), '--no-baselines', ...flags(dir)],
    expect: 'refused',
    says,
    ...extra,
  };
}
const withModel = (make: (dir: string) => void = () => undefined) => (dir: string): void => { modelFolder(dir); make(dir); };

export const fileSystemCases: BadCase[] = [
  at('directory', 'folder.jsonl', (d) => fs.mkdirSync(path.join(d, 'folder.jsonl')), [/directory/]),
  at('fifo', 'pipe.jsonl', (d) => mkfifo(path.join(d, 'pipe.jsonl')), [/FIFO|pipe/]),
  at('fifo-csv', 'pipe.csv', (d) => mkfifo(path.join(d, 'pipe.csv')), [/FIFO|pipe/]),
  at('dev-zero', '/dev/zero', () => undefined, [/unsupported file type/]),
  at('dev-null', '/dev/null', () => undefined, [/unsupported file type/]),
  at('dev-urandom-link', 'urandom.csv', (d) => fs.symlinkSync('/dev/urandom', path.join(d, 'urandom.csv')), [/device/]),
  at('link-to-dev-zero', 'zero.jsonl', (d) => fs.symlinkSync('/dev/zero', path.join(d, 'zero.jsonl')), [/device/]),
  at('link-to-fifo', 'tofifo.jsonl', (d) => { mkfifo(path.join(d, 'p')); fs.symlinkSync('p', path.join(d, 'tofifo.jsonl')); }, [/FIFO|pipe/]),
  at('link-to-directory', 'todir.jsonl', (d) => fs.symlinkSync('/tmp', path.join(d, 'todir.jsonl')), [/directory/]),
  at('unix-socket', 'sock.jsonl', (d) => { execFileSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', path.join(d, 'sock.jsonl')]); }, [/socket/]),
  at('dangling-link', 'dangling.csv', (d) => fs.symlinkSync('nowhere.csv', path.join(d, 'dangling.csv')), [/does not exist/]),
  at('symlink-loop', 'loop.jsonl', (d) => { fs.symlinkSync('loop2.jsonl', path.join(d, 'loop.jsonl')); fs.symlinkSync('loop.jsonl', path.join(d, 'loop2.jsonl')); }, [/loop|too many/i]),
  at('self-link', 'self.jsonl', (d) => fs.symlinkSync('self.jsonl', path.join(d, 'self.jsonl')), [/loop|too many/i]),
  at('missing-file', 'missing.jsonl', () => undefined, [/does not exist/]),
  at('trailing-slash-on-file', 'data.jsonl/', (d) => good(d), [], { expect: 'accepted', says: [] }),
  at('path-through-a-file', 'data.jsonl/inner.jsonl', (d) => good(d), [/not a directory|a file/]),
  at('proc-self-mem', 'mem.jsonl', (d) => fs.symlinkSync('/proc/self/mem', path.join(d, 'mem.jsonl')), [/mem/]),
  at('proc-zero-size-file', '/proc/version', () => undefined, [/version/]),
  at('no-extension', 'data', (d) => good(d, 'data'), [/\.jsonl|\.csv|extension|kind/i]),
  at('txt-extension', 'data.txt', (d) => good(d, 'data.txt'), [/\.jsonl|\.csv|extension|kind/i]),
  at('parquet-extension', 'data.parquet', (d) => good(d, 'data.parquet'), [/\.jsonl|\.csv|extension|kind/i]),
  { id: 'path/empty-dataset-path', args: () => probe(''), expect: 'refused', says: [/dataset/] },
  { id: 'path/unicode-and-spaces-name', setup: (d) => good(d, 'données du ✓ test.jsonl'), args: () => probe('données du ✓ test.jsonl'), expect: 'accepted', says: [] },
  { id: 'path/uppercase-extension', setup: (d) => good(d, 'DATA.JSONL'), args: () => probe('DATA.JSONL'), expect: 'accepted', says: [] },
  { id: 'path/dataset-through-symlinked-folder', setup: (d) => { good(d, 'real/data.jsonl'); fs.symlinkSync('real', path.join(d, 'linked')); }, args: () => probe('linked/data.jsonl'), expect: 'accepted', says: [] },

  // --- output and cache folders
  outCase('out-is-a-file', withModel((d) => put(d, 'out.txt', 'x')), () => ['--out', 'out.txt', '--cache-dir', 'cache'], ['out.txt', /file/]),
  outCase('out-under-a-file', withModel((d) => put(d, 'file.txt', 'x')), () => ['--out', 'file.txt/out', '--cache-dir', 'cache'], ['file.txt', /file/]),
  outCase('out-under-proc', withModel(), () => ['--out', '/proc/layer-probe-out', '--cache-dir', 'cache'], ['/proc/layer-probe-out']),
  outCase('out-is-proc-self', withModel(), () => ['--out', '/proc/self', '--cache-dir', 'cache'], ['/proc/self']),
  outCase('out-under-sys', withModel(), () => ['--out', '/sys/layer-probe-out', '--cache-dir', 'cache'], ['/sys/layer-probe-out']),
  outCase('out-is-dev-null', withModel(), () => ['--out', '/dev/null', '--cache-dir', 'cache'], ['/dev/null']),
  outCase('out-is-a-fifo', withModel((d) => mkfifo(path.join(d, 'outpipe'))), () => ['--out', 'outpipe', '--cache-dir', 'cache'], ['outpipe']),
  outCase('out-dangling-link', withModel((d) => fs.symlinkSync('gone/out', path.join(d, 'outlink'))), () => ['--out', 'outlink', '--cache-dir', 'cache'], ['outlink']),
  outCase('out-symlink-loop', withModel((d) => { fs.symlinkSync('o2', path.join(d, 'o1')); fs.symlinkSync('o1', path.join(d, 'o2')); }), () => ['--out', 'o1', '--cache-dir', 'cache'], ['o1']),
  outCase('out-name-too-long', withModel(), () => ['--out', `out/${'n'.repeat(300)}`, '--cache-dir', 'cache'], [/n{300}/, /long/i]),
  outCase('out-empty', withModel(), () => ['--out=', '--cache-dir', 'cache'], [/--out needs a path/]),
  outCase('cache-dir-empty', withModel(), () => ['--out', 'out', '--cache-dir='], [/--cache-dir needs a path/]),
  outCase('out-inside-model', withModel(), () => ['--out', 'model/run', '--cache-dir', 'cache'], ['model', /model folder/]),
  outCase('out-is-model-folder', withModel(), () => ['--out', 'model', '--cache-dir', 'cache'], ['model', /model folder/]),
  outCase('out-via-link-into-model', withModel((d) => fs.symlinkSync('model', path.join(d, 'm2'))), () => ['--out', 'm2/run', '--cache-dir', 'cache'], [/model folder/]),
  outCase('cache-inside-model', withModel(), () => ['--out', 'out', '--cache-dir', 'model/cache'], ['model', /model folder/]),
  outCase('cache-is-a-file', withModel((d) => put(d, 'cachefile', 'x')), () => ['--out', 'out', '--cache-dir', 'cachefile'], ['cachefile', /file/]),
  outCase('cache-under-proc', withModel(), () => ['--out', 'out', '--cache-dir', '/proc/layer-probe-cache'], ['/proc/layer-probe-cache']),
  outCase('cache-is-the-dataset', withModel(), () => ['--out', 'out', '--cache-dir', 'data.jsonl'], ['data.jsonl']),
  outCase('out-is-the-dataset', withModel(), () => ['--out', 'data.jsonl', '--cache-dir', 'cache'], ['data.jsonl']),
  outCase('out-has-a-result', withModel((d) => put(d, 'out/result.json', '{"kept":true}')), () => ['--out', 'out', '--cache-dir', 'cache'], ['result.json', /--force/]),
  {
    id: 'output/dataset-named-result-json-in-out',
    setup: (d) => { put(d, 'runs/result.json', JSON.stringify(goodRows())); modelFolder(d); },
    args: (d) => ['probe', 'runs/result.json', '--model', path.join(d, 'model'), '--no-baselines', '--out', 'runs', '--cache-dir', 'cache', '--force'],
    expect: 'refused', says: ['result.json', /input|dataset/], mayWrite: ['runs'],
  },
  {
    id: 'output/dataset-named-heatmap-csv-in-out',
    setup: (d) => { put(d, 'runs/heatmap.csv', `question,model_answer,correct\n${goodRows().map((r) => `"${String(r.question)}","${String(r.model_answer)}",${String(r.correct)}`).join('\n')}\n`); modelFolder(d); },
    args: (d) => ['probe', 'runs/heatmap.csv', '--model', path.join(d, 'model'), '--no-baselines', '--out', 'runs', '--cache-dir', 'cache'],
    expect: 'refused', says: ['heatmap.csv', /input|dataset/], mayWrite: ['runs'],
  },
  {
    id: 'output/dataset-named-baselines-csv-in-out',
    setup: (d) => { put(d, 'runs/baselines.csv', `question,model_answer,correct\n${goodRows().map((r) => `"${String(r.question)}","${String(r.model_answer)}",${String(r.correct)}`).join('\n')}\n`); modelFolder(d); },
    args: (d) => ['probe', 'runs/baselines.csv', '--model', path.join(d, 'model'), '--out', 'runs', '--cache-dir', 'cache'],
    expect: 'refused', says: ['baselines.csv', /input|dataset/], mayWrite: ['runs'],
  },
  {
    id: 'output/dataset-link-named-result-json',
    setup: (d) => { good(d); fs.mkdirSync(path.join(d, 'runs')); fs.symlinkSync('../data.jsonl', path.join(d, 'runs', 'result.json')); modelFolder(d); },
    args: (d) => ['probe', 'data.jsonl', '--model', path.join(d, 'model'), '--no-baselines', '--out', 'runs', '--cache-dir', 'cache', '--force'],
    expect: 'refused', says: ['data.jsonl', /input|dataset/], mayWrite: ['runs'],
  },
  {
    id: 'output/out-beside-dataset-accepted',
    setup: (d) => { good(d, 'runs/data.jsonl'); modelFolder(d); },
    args: (d) => ['probe', 'runs/data.jsonl', '--model', path.join(d, 'model'), '--no-baselines', '--out', 'runs', '--cache-dir', 'cache'],
    expect: 'accepted', says: [], mayWrite: ['runs'],
  },
  {
    id: 'output/cache-equals-out-accepted',
    setup: (d) => { good(d); modelFolder(d); },
    args: (d) => ['probe', 'data.jsonl', '--model', path.join(d, 'model'), '--no-baselines', '--out', 'out', '--cache-dir', 'out'],
    expect: 'accepted', says: [],
  },
];
