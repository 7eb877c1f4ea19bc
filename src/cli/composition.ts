/**
 * The composition root: the one place adapters are wired to workflows. Each side is opened on
 * first use and shared for the rest of the command (one etcd client, one keep-alive pool), and
 * closed when the command ends.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { EtcdSource } from '../adapters/etcd/source.js';
import { ExportFileSource } from '../adapters/export-file/source.js';
import { KubeConnection } from '../adapters/kube/connection.js';
import { KubeTarget } from '../adapters/kube/target.js';
import type { Io } from '../io.js';
import type { SourcePort } from '../ports/source.js';
import type { Context } from '../workflow/context.js';
import type { Settings, SourceSettings } from './settings.js';

export interface ContextOptions {
  /** Concurrent connections to the API server (the command's --parallelism). */
  maxSockets?: number;
}

export type ClosableContext = Context & { close(): void };

function openSourceAdapter(s: SourceSettings, timeoutMs: number): SourcePort {
  switch (s.type) {
    case 'etcd':
      return EtcdSource.connect(s.etcd, { timeoutMs });
    case 'export-file':
      return new ExportFileSource(s.file);
    default: {
      const never: never = s;
      throw new Error(`unknown source type ${JSON.stringify(never)}`);
    }
  }
}

/** Opens once; later calls share the same promise, so concurrent first uses open one connection. */
function once<T extends { close(): void }>(open: () => Promise<T>): { get: () => Promise<T>; close: () => void } {
  let opened: Promise<T> | undefined;
  return {
    get: () => (opened ??= open()),
    close: () => {
      opened?.then((x) => x.close()).catch(() => undefined);
    },
  };
}

export function whoAmI(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return `${user}@${os.hostname()}/${process.pid}`;
}

/**
 * A holder `user@host/pid/…` written by this tool on this host whose process is gone. Only
 * ESRCH counts: a live process (even another user's, EPERM) or another host is never gone.
 */
export function holderGoneOnThisHost(holder: string, host = os.hostname(), alive: (pid: number) => boolean = processAlive): boolean {
  const m = /^[^@/]*@([^/]+)\/(\d+)(\/|$)/.exec(holder);
  if (!m || m[1] !== host) return false;
  const pid = Number(m[2]);
  return pid > 0 && pid !== process.pid && !alive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function createContext(io: Io, toolVersion: string, settings: Settings, opts: ContextOptions = {}): ClosableContext {
  const source = once(async () => {
    if (!settings.source.ok) throw settings.source.error;
    return openSourceAdapter(settings.source.value, settings.requestTimeoutMs);
  });
  const target = once(async () => {
    if (!settings.target.ok) throw settings.target.error;
    const t = settings.target.value;
    return new KubeTarget(await KubeConnection.fromKubeConfig(t.kubeConfig, { maxSockets: opts.maxSockets, retry: { timeoutMs: settings.requestTimeoutMs }, origin: t.origin, env: t.proxyEnv }));
  });
  return {
    io,
    now: () => new Date(),
    monotonic: () => performance.now(),
    toolVersion,
    who: whoAmI(),
    holderGone: (holder) => holderGoneOnThisHost(holder),
    openSource: source.get,
    openTarget: target.get,
    close: () => {
      source.close();
      target.close();
    },
  };
}
