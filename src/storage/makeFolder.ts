// Creating the folders a run writes to, and checking they can be written, with failures told in
// words (which path, what is wrong, what to do) instead of raw errno text. Hand-written rather than
// fs.mkdirSync({ recursive: true }): on Linux that call never returns for a path under /proc (Node
// loops on the kernel's answer), and it cannot say which level of the path failed.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../contract/errors';

/** A folder could not be created or written; the message names it and says what to do. */
export class FolderError extends LayerProbeError {
  override readonly name = 'FolderError';
}

/** What an errno means for a path, in words, with the code in parentheses. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'it exists as a file, not a folder',
    ENOENT: 'a part of the path does not exist',
    ENAMETOOLONG: 'the path is too long',
    ELOOP: 'the path has a symbolic link loop',
    EISDIR: 'it is a folder',
  };
  const text = code ? words[code] : undefined;
  return text ? `${text} (${code})` : (err as Error).message;
}

const ADVICE = 'choose a folder you can write to';

/**
 * Creates `dir` and its missing parents, one level at a time. `role` names the folder for the user
 * ("the --out folder", "the activation cache folder").
 */
export function makeFolder(dir: string, role: string): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(existing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new FolderError(`cannot create ${role} ${target}: ${existing}: ${describeFsError(err)}; ${ADVICE}`);
    }
    if (stat) {
      if (!stat.isDirectory()) throw new FolderError(`cannot create ${role} ${target}: ${existing} is a file, not a folder; ${ADVICE}`);
      break;
    }
    missing.push(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const level of missing.reverse()) {
    try {
      fs.mkdirSync(level);
    } catch (err) {
      // Another run made it meanwhile: fine when it is a folder.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(level)) continue;
      // EEXIST on a path stat cannot follow: a symbolic link to a missing path (or a link loop).
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !isFolder(level) && fs.lstatSync(level).isSymbolicLink()) {
        throw new FolderError(`cannot create ${role} ${target}: ${level} is a symbolic link to a path that does not exist (or a link loop); remove the link or point it at a folder`);
      }
      throw new FolderError(`cannot create ${role} ${target}: ${level}: ${describeFsError(err)}; ${ADVICE}`);
    }
  }
}

/** Creates `dir` (see makeFolder) and proves a file can be written there, before any work. */
export function makeWritableFolder(dir: string, role: string): void {
  makeFolder(dir, role);
  const probe = path.join(dir, `.layer-probe-write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new FolderError(`cannot write into ${role} ${path.resolve(dir)}: ${describeFsError(err)}; ${ADVICE}`);
  }
  fs.rmSync(probe, { force: true });
}

/** Whether `p` is a folder (through symlinks); false when it cannot be followed. */
function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
