/** Runs the built CLI (bin/run.js → dist/) as a user would, against the test cluster. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, testCluster } from './cluster.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Use the least-privilege or read-only identity instead of the admin kubeconfig. */
  identity?: 'admin' | 'limited' | 'readonly' | 'none';
  input?: string;
  /** Kill the process with SIGKILL once `when()` holds (polled every 2 ms): a crash at a chosen point. */
  killWhen?: () => boolean;
  /** The signal `killWhen` sends, once (default SIGKILL); a list sends each in turn, `signalGapMs` apart. */
  killSignal?: NodeJS.Signals | NodeJS.Signals[];
  /** Milliseconds between the signals of a list (default 50). */
  signalGapMs?: number;
}

export function clusterEnv(identity: CliOptions['identity'] = 'admin'): Record<string, string> {
  const s = testCluster();
  const kubeconfig = { admin: s.kubeconfig, limited: s.limitedKubeconfig, readonly: s.readonlyKubeconfig, none: s.noneKubeconfig }[identity ?? 'admin'];
  return { KUBECONFIG: kubeconfig, ETCD_ENDPOINTS: s.etcd.endpoint };
}

/** The CLI entry point: the repo's bin/run.js, or CALICO_MIGRATE_CLI (e.g. a private build while others rebuild dist/). */
const CLI = process.env.CALICO_MIGRATE_CLI ?? path.join(ROOT, 'bin', 'run.js');

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...clusterEnv(opts.identity), ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? tmpDir(), env: env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const signals = ([] as NodeJS.Signals[]).concat(opts.killSignal ?? 'SIGKILL');
    const poll = opts.killWhen
      ? setInterval(() => {
          if (!opts.killWhen!()) return;
          clearInterval(poll!);
          signals.forEach((sig, i) => setTimeout(() => child.kill(sig), i * (opts.signalGapMs ?? 50)));
        }, 2)
      : null;
    // Killed by a signal: the shell's convention, 128 + its number.
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export function tmpDir(prefix = 'cm-e2e-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
