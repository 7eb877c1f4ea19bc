/**
 * Progress, --json and colour through the BUILT CLI against the real etcd and kube-apiserver, on a
 * production-shaped dataset of ~2,000 objects (scripts/bench/dataset.ts): `plan --json` and
 * `apply --json` read line by line, each line valid against schemas/events.schema.json and the
 * result last; a non-TTY apply prints plain progress lines at the interval it is given; on a
 * pseudo-terminal (`script`, util-linux) progress is redrawn in place and the plan is coloured,
 * unless NO_COLOR or --no-color.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeDataset } from '../../scripts/bench/dataset.js';
import { ensureNamespaces, ensureNodes, seedEtcd } from '../../scripts/cluster/seed.js';
import { jsonLines, type JsonLine } from '../tools/json-lines.js';
import { clusterEnv } from './support/cli.js';
import { ROOT, resetDatastores, testCluster } from './support/cluster.js';
import { Workdir, cli } from './support/e2e.js';

const CLI = process.env.CALICO_MIGRATE_CLI ?? path.join(ROOT, 'bin', 'run.js');
const SIZE = 2000;
const ESC = String.fromCharCode(27);

/** The progress lines of one phase: at least its start and its final line, the final one last. */
function phaseLines(lines: JsonLine[], phase: string): JsonLine[] {
  const of = lines.filter((l) => l.type === 'progress' && l.phase === phase);
  assert.ok(of.length >= 2, `phase ${phase}: ${of.length} progress line(s)`);
  assert.equal(of.filter((l) => l.final).length, 1, `phase ${phase} ends once`);
  assert.equal(of.at(-1)!.final, true, `phase ${phase}: the final line is its last`);
  return of;
}

/** Runs the CLI on a pseudo-terminal (stdin, stdout and stderr a TTY), returning what the terminal showed. */
function onTerminal(w: Workdir, args: string[], env: Record<string, string> = {}): { code: number | null; screen: string } {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const base: Record<string, string | undefined> = { ...process.env, ...clusterEnv(), TERM: 'xterm', ...env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  Object.assign(base, env);
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: w.dir, env: base, encoding: 'utf8', timeout: 180000 });
  return { code: r.status, screen: r.stdout };
}

describe('progress, --json lines and colour (built CLI, ~2,000 objects)', function () {
  this.timeout(600000);
  Workdir.cleanUpAfterSuite();
  const w = new Workdir();

  before(async () => {
    await resetDatastores();
    const ds = makeDataset(SIZE);
    const s = testCluster();
    await seedEtcd(s.etcd.endpoint, ds.kvs, { clear: true });
    await ensureNamespaces(s, ds.namespaces);
    await ensureNodes(s, ds.k8sNodes);
    writeFileSync(w.path('node-map.json'), JSON.stringify(ds.nodeMap));
  });

  it('plan --json: every line one schema-valid object with ts, level and type; every phase reported; the result last', async () => {
    const r = await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'plan.json', '--json'], 0);
    assert.equal(r.stderr, '', 'narration is on stdout, as log lines');
    const lines = jsonLines(r.stdout);
    for (const phase of ['read-source', 'read-target', 'convert', 'checks', 'dry-run', 'write-plan']) phaseLines(lines, phase);
    const dryRun = phaseLines(lines, 'dry-run');
    assert.ok(dryRun.at(-1)!.total > SIZE * 0.9, `the dry run covers the writes (${dryRun.at(-1)!.total})`);
    assert.equal(dryRun.at(-1)!.done, dryRun.at(-1)!.total);
    assert.ok(
      lines.some((l) => l.type === 'log' && /Server-side dry run/.test(l.message)),
      'narration as log lines',
    );
    const times = lines.map((l) => Date.parse(l.ts));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'ts never goes back',
    );
    const result = lines.at(-1)!;
    assert.equal(result.type, 'result');
    assert.equal(result.exit_code, 0);
    assert.match(result.data.plan_id, /^sha256:/);
    assert.equal(result.data.plan_file, 'plan.json');
  });

  it('on a terminal: progress redrawn in place on one line per phase, the plan coloured; NO_COLOR and --no-color take the colour away', () => {
    const plan = onTerminal(w, ['plan', '--node-map', 'node-map.json', '--out', 'tty.plan.json', '--no-server-dry-run']);
    assert.equal(plan.code, 0, plan.screen.slice(-2000));
    assert.match(plan.screen, new RegExp(`\r${ESC}\\[Kreading the target: \\d+/\\d+ kinds`), 'a redrawn line');
    assert.match(plan.screen, /writing the plan: \d+\/\d+ changes in \d+\.\ds/, 'the final line of a phase');
    assert.ok(plan.screen.includes(`${ESC}[32m  + create `), 'creates are green');

    const show = onTerminal(w, ['show', 'tty.plan.json']);
    assert.equal(show.code, 0);
    assert.ok(show.screen.includes(`${ESC}[32m  + create `));
    for (const [args, env] of [
      [['show', 'tty.plan.json'], { NO_COLOR: '1' }],
      [['show', 'tty.plan.json', '--no-color'], {}],
    ] as const) {
      const plain = onTerminal(w, [...args], env);
      assert.equal(plain.code, 0, plain.screen.slice(-2000));
      assert.match(plain.screen, / {2}\+ create /);
      assert.ok(!plain.screen.includes(`${ESC}[`), `no escape codes with ${args.join(' ')} ${JSON.stringify(env)}`);
    }
  });

  it('apply --json: JSON Lines from first to last, apply and reverse-plan progress, the result last', async () => {
    const r = await cli(w, ['apply', 'plan.json', '--auto-approve', '--json'], 0);
    const lines = jsonLines(r.stdout);
    const types = lines.map((l) => l.type);
    assert.ok(types.indexOf('apply_start') >= 0 && types.indexOf('apply_start') < types.indexOf('apply_complete'));
    const applying = phaseLines(lines, 'apply');
    const last = applying.at(-1)!;
    assert.equal(last.done, last.total);
    assert.ok(last.total > SIZE * 0.9);
    assert.ok(
      applying.slice(0, -1).every((l, i, all) => i === 0 || Date.parse(l.ts) - Date.parse(all[i - 1]!.ts) >= 0),
      'in order',
    );
    // Throttled in the core: never more than a few a second (a wave end may add one).
    const seconds = last.elapsed_s;
    const waves = lines.filter((l) => l.type === 'wave_start').length;
    assert.ok(applying.length <= seconds * 4 + waves + 3, `${applying.length} progress lines in ${seconds} s`);
    phaseLines(lines, 'reverse-plan');
    const result = lines.at(-1)!;
    assert.equal(result.type, 'result');
    assert.equal(result.data.status, 'complete');
    assert.equal(result.exit_code, 0);
  });

  it('without a terminal, apply prints a plain progress line per interval and one at the end (the rollback, CALICO_MIGRATE_PROGRESS_INTERVAL_MS=1000)', async () => {
    const reverse = `.calico-migrate/${readdirSync(w.path('.calico-migrate')).find((f) => f.startsWith('reverse-'))}`;
    const t0 = Date.now();
    const r = await cli(w, ['apply', reverse, '--auto-approve'], 0, { env: { CALICO_MIGRATE_PROGRESS_INTERVAL_MS: '1000' } });
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(!r.stderr.includes('\r') && !r.stderr.includes(`${ESC}[`), 'no redraws or colour in a pipe');
    const running = r.stderr.match(/^applying: \d+\/\d+ writes \(\d+\/s, ETA \d+s, wave \d+\)$/gm) ?? [];
    const ended = r.stderr.match(/^applying: (\d+)\/\1 writes in \d+\.\ds \(\d+\/s\)$/gm) ?? [];
    assert.equal(ended.length, 1, r.stderr.slice(0, 3000));
    assert.ok(running.length >= 1, `progress lines while it ran (${seconds.toFixed(1)} s):\n${r.stderr.slice(0, 3000)}`);
    assert.ok(running.length <= seconds + 1, `${running.length} lines in ${seconds.toFixed(1)} s: at most one a second`);
    assert.match(r.stderr, /^writing the reverse plan: \d+\/\d+ changes in /m);
  });
});
