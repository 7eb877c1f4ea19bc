/** What the figures were measured on: the report's header. Read-only (git is only read). */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Machine {
  cores: number;
  cpu: string;
  memory_gib: number;
  node: string;
  etcd: string;
  kube_apiserver: string;
  tool_version: string;
  commit: string;
  load_at_start: number[];
}

/** The version stamp build.sh writes next to a cached binary, else the version build.sh pins. */
function binaryVersion(cache: string, root: string, name: 'etcd' | 'kube-apiserver'): string {
  const stamp = path.join(cache, 'bin', `${name}.version`);
  if (existsSync(stamp)) return readFileSync(stamp, 'utf8').trim().replace(`${name} `, '');
  const pin = name === 'etcd' ? 'ETCD_VERSION' : 'KUBE_VERSION';
  const m = new RegExp(`${pin}="\\$\\{${pin}:-([^}]+)\\}"`).exec(readFileSync(path.join(root, 'scripts/cluster/build.sh'), 'utf8'));
  return m ? `${m[1]} (pinned in build.sh)` : 'unknown';
}

export function describeMachine(root: string): Machine {
  const cache = process.env.CALICO_MIGRATE_CACHE ?? path.join(root, '.cache');
  const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const sha = git(['rev-parse', '--short=12', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: mem ? +(Number(mem[1]) / 1024 / 1024).toFixed(1) : 0,
    node: process.versions.node,
    etcd: binaryVersion(cache, root, 'etcd'),
    kube_apiserver: binaryVersion(cache, root, 'kube-apiserver'),
    tool_version: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
    commit: sha ? `${sha}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown',
    load_at_start: os.loadavg().map((l) => +l.toFixed(2)),
  };
}
