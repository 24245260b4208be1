import { execFileSync } from 'node:child_process';

// Debian's interpreter, where apt-get puts python3-numpy / python3-sklearn (CI installs them: .ci/run).
export const PYTHON = '/usr/bin/python3';

/**
 * Fails (never skips) when the cross-check's Python modules are missing: a skipped cross-check is a
 * check that silently stopped running. The message says what to install.
 */
export function requirePythonModules(modules: string[]): void {
  try {
    execFileSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
  } catch {
    const packages = modules.map((m) => `python3-${m}`).join(' ');
    throw new Error(`${PYTHON} cannot import ${modules.join(', ')}: install them with \`apt-get install ${packages}\` (.ci/run does)`);
  }
}
