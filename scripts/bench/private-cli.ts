/**
 * The CLI the benchmark runs: a private build in .cache/bench/cli, so a teammate rebuilding
 * dist/ during a long run cannot swap the code under it. Built from the work tree (default) or
 * from the last commit (`--cli-from HEAD`, via `git archive`, which reads git and changes
 * nothing); CALICO_MIGRATE_CLI names a CLI entry point to use as it is instead.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface PrivateCli {
  /** The entry point to run with node (bin/run.js of the copy). */
  entry: string;
  /** What to hand node to run the CLI as its installed executable does: the shebang's Node flags, then the entry. */
  argv: string[];
  /** What was built, for the report: `work tree`, `HEAD <sha>` or the CALICO_MIGRATE_CLI path. */
  describe: string;
}

/**
 * The Node flags of an entry's `#!/usr/bin/env -S node FLAGS` line. The installed `calico-migrate`
 * starts Node with them (bin/run.js sets the young generation's size there); the benchmark runs
 * the entry with the benchmark's own Node, so it passes them itself and measures what users run.
 */
export function shebangNodeFlags(entry: string): string[] {
  const first = readFileSync(entry, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+-S\s+node\s+(.*)$/.exec(first);
  return m ? (m[1] as string).trim().split(/\s+/).filter(Boolean) : [];
}

function withArgv(entry: string, describe: string): PrivateCli {
  return { entry, argv: [...shebangNodeFlags(entry), entry], describe };
}

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${(r.stdout ?? '').slice(-4000)}${(r.stderr ?? '').slice(-4000)}`);
  return r.stdout;
}

export function privateCli(root: string, benchDir: string, from: 'worktree' | 'HEAD'): PrivateCli {
  const override = process.env.CALICO_MIGRATE_CLI;
  if (override) return withArgv(path.resolve(override), `CALICO_MIGRATE_CLI=${override}`);
  // Inside the repository, so node resolves the repository's node_modules from the copy.
  const dir = path.join(benchDir, 'cli');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  let describe: string;
  if (from === 'HEAD') {
    const sha = run('git', ['rev-parse', 'HEAD'], root, 'git rev-parse').trim();
    const tar = path.join(benchDir, 'cli.tar');
    run('git', ['archive', '--format=tar', '-o', tar, 'HEAD', 'bin', 'src', 'crds', 'schemas', 'package.json', 'tsconfig.json'], root, 'git archive HEAD');
    run('tar', ['-xf', tar, '-C', dir], root, 'unpacking HEAD');
    rmSync(tar);
    run(tsc, ['-p', path.join(dir, 'tsconfig.json')], dir, 'compiling HEAD (tsc)');
    describe = `HEAD ${sha.slice(0, 12)}`;
  } else {
    for (const f of ['bin', 'crds', 'schemas', 'package.json']) cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
    run(tsc, ['-p', path.join(root, 'tsconfig.json'), '--outDir', path.join(dir, 'dist')], root, 'compiling the work tree (tsc)');
    describe = 'work tree';
  }
  // The manifest only speeds up start-up; without one oclif finds the commands in dist/commands.
  const oclif = path.join(root, 'node_modules', '.bin', 'oclif');
  if (existsSync(oclif)) spawnSync(oclif, ['manifest'], { cwd: dir, stdio: 'ignore' });
  return withArgv(path.join(dir, 'bin', 'run.js'), describe);
}
