// Starts code-server (VS Code 1.100.3 in the browser, installed by test/e2e/setup.sh) on a throw-away
// profile: temporary user-data, extensions and workspace folders, so a run never sees the user's own
// VS Code state and never leaves any behind.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { codeServerBin } from './paths';

/** User settings that keep the workbench quiet and deterministic: no welcome page, tips, git scans. */
const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.colorTheme': 'Default Light Modern',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'files.simpleDialog.enable': true,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
};

export interface Profile {
  /** Temporary folder holding everything below. */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** The folder the workbench opens (empty until a test writes into it). */
  workspace: string;
}

export function createProfile(name: string, settings: Record<string, unknown> = {}): Profile {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `layer-probe-e2e-${name}-`));
  const profile: Profile = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
  };
  fs.mkdirSync(path.join(profile.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  fs.mkdirSync(profile.workspace, { recursive: true });
  fs.writeFileSync(path.join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
  // code-server writes a default config (with a password) where none exists; give it one of ours
  // (it must be a YAML mapping; the other flags are passed on the command line).
  fs.writeFileSync(path.join(root, 'config.yaml'), 'auth: none\n');
  return profile;
}

export function removeProfile(profile: Profile): void {
  fs.rmSync(profile.root, { recursive: true, force: true });
}

function profileArgs(profile: Profile): string[] {
  return ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--config', path.join(profile.root, 'config.yaml')];
}

/** The environment of code-server and of its extension host. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // An extensions gallery without a service URL disables it: no queries to open-vsx.org.
  return { ...process.env, EXTENSIONS_GALLERY: '{}', ...extra };
}

/** `code-server --install-extension`, as a user installs a VSIX (here into the profile's extensions dir). */
export async function installExtension(profile: Profile, vsix: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(codeServerBin(), [...profileArgs(profile), '--install-extension', vsix], {
    env: serverEnv({}),
    timeout: 120_000,
  });
  const output = `${stdout}${stderr}`;
  if (!/successfully installed/i.test(output)) throw new Error(`code-server --install-extension ${vsix} failed:\n${output}`);
  return output;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** host:port — also the remote authority in vscode-remote:// URIs. */
  host: string;
  /** URI of a file or folder on the server, as the browser workbench names it. */
  remoteUri(fsPath: string): string;
  /** The workbench URL opening `folder`, with an optional `payload` (extension development and tests). */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  stop(): Promise<void>;
}

export async function startCodeServer(profile: Profile, options: { logFile: string; env?: Record<string, string> }): Promise<CodeServer> {
  const bin = codeServerBin();
  if (!fs.existsSync(bin)) throw new Error(`code-server is not installed at ${bin}: run test/e2e/setup.sh first`);
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile);
  const child = spawn(
    bin,
    [
      ...profileArgs(profile),
      // Port 0: the OS picks a free port, which code-server prints; parallel runs never collide.
      '--bind-addr',
      '127.0.0.1:0',
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    // Its own process group, so stop() also ends the extension host and the probing worker.
    { env: serverEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const origin = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${seen}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      seen += chunk.toString();
      const match = /HTTP server listening on (http:\/\/[\d.]+:\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with code ${code} before listening:\n${seen}`));
    });
  });
  const host = new URL(origin).host;
  return {
    origin,
    host,
    remoteUri: (fsPath) => `vscode-remote://${host}${encodeURI(fsPath)}`,
    workbenchUrl: (folder, payload) => {
      const query = new URLSearchParams({ folder });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${origin}/?${query.toString()}`;
    },
    stop: () => stopProcessGroup(child).finally(() => log.end()),
  };
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
