// What a dataset path must be before anything reads it: a regular file (or a symlink to one) of a
// bounded size. A device, FIFO or socket would block or never end a read (/dev/zero, a named pipe),
// and a directory or a huge file would fail late or exhaust memory: all are refused at once.
import * as fs from 'node:fs';

import { RUN_OPTIONS } from '../../contract/runOptions';
import { DatasetError } from './errors';

const MIB = 1024 * 1024;

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Throws a DatasetError naming the path unless it is a readable regular file of at most `maxMB` MiB. */
export function checkDatasetFile(file: string, maxMB: number = RUN_OPTIONS.maxDatasetMB.default): void {
  let stat: fs.Stats;
  try {
    // stat follows symlinks: a link to a regular file is fine, a dangling one is "does not exist".
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'the file does not exist (check the path)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied: the file cannot be read by this user'
      : code === 'ENOTDIR' ? 'a part of the path is a file, not a folder'
      : code === 'ELOOP' ? 'the path is a symbolic link loop'
      : `the file cannot be read (${code ?? (err as Error).message})`;
    throw new DatasetError({ file }, why);
  }
  if (!stat.isFile()) throw new DatasetError({ file }, `this is ${kindOf(stat)}; a dataset must be a regular file (.jsonl, .json or .csv)`);
  if (stat.size > maxMB * MIB) {
    throw new DatasetError(
      { file },
      `the file is ${formatBytes(stat.size)}, above the limit of ${formatBytes(maxMB * MIB)}: raise layerProbe.maxDatasetMB / --max-dataset-mb to read it, or split it`,
    );
  }
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new DatasetError({ file }, 'permission denied: the file cannot be read by this user');
  }
}
