/**
 * `npm run bench`: speed and memory of plan, apply and rollback on production-shaped data, and the
 * physical limit measured in the same run, written to BENCHMARKS.md (and .cache/bench/results.json).
 *
 *   npm run bench                          10,000 and 100,000 objects
 *   npm run bench -- --large               adds 300,000
 *   npm run bench -- --sizes 10000,50000   any sizes
 *   npm run bench -- --smoke               ~500 objects, for CI: writes only .cache/bench/smoke/, never BENCHMARKS.md
 *   npm run bench -- --freeze-only --sizes 100000   only the migration freeze, its section of BENCHMARKS.md replaced
 *   --parallelism N                        for plan, apply and the minimal client (default: the CLI's own defaults)
 *   --cli-from HEAD                        benchmark the last commit instead of the work tree
 * CALICO_MIGRATE_CLI runs a given CLI entry point instead of a private build; CALICO_MIGRATE_BENCH_NOTE
 * puts a line in the report saying what was unusual about the run.
 *
 * Every size runs on two fresh throwaway clusters (scripts/cluster/local-cluster.ts) in
 * CALICO_MIGRATE_BENCH_CLUSTER_DIR (default .cache/bench/cluster) and the same path + `-limit`:
 * one for the tool, one for the minimal client. Both are stopped when the size is done, when a
 * step fails and on SIGINT/SIGTERM; every step has a time limit. The run exits 1 when a step fails
 * or falls below its floor (FLOORS): the wall-clock bounds live here, not in the test suites.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { down, ROOT, up, type ClusterState } from '../cluster/local-cluster.js';
import { ensureNamespaces, ensureNodes, seedEtcd } from '../cluster/seed.js';
import { applyChurn, makeChurn, type Churn } from './churn.js';
import { makeDataset, PODS_PER_NODE, type Dataset } from './dataset.js';
import { describeMachine } from './machine.js';
import { measure, type Measured } from './measure.js';
import { countPlan } from './plan-reader.js';
import { privateCli } from './private-cli.js';
import { freezeSectionOf, renderFreezeSection, renderReport, withFreezeSection, type FreezeFigures, type RunResults, type SizeResult } from './report.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const USAGE = 'usage: npm run bench -- [--smoke | --sizes N[,N…] | --large] [--freeze-only | --no-freeze] [--parallelism N] [--cli-from HEAD|worktree]';
const smoke = flag('smoke');
/** Only the freeze section of BENCHMARKS.md is measured and replaced; the rest stays as the full run left it. */
const freezeOnly = flag('freeze-only');
/** The freeze is not measured; BENCHMARKS.md keeps the freeze section an earlier run (e.g. `--freeze-only`) wrote. */
const noFreeze = flag('no-freeze');
if (freezeOnly && noFreeze) throw new Error(`--freeze-only and --no-freeze exclude each other\n${USAGE}`);
const frozenOnly: Array<{ changes: number; freeze: FreezeFigures }> = [];
const sizes = smoke ? [500] : option('sizes') ? option('sizes')!.split(',').map(Number) : [10000, 100000, ...(flag('large') ? [300000] : [])];
if (sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error(`--sizes takes a comma-separated list of object counts ≥ 100, e.g. --sizes 10000,100000\n${USAGE}`);
const explicitParallelism = option('parallelism') ? Number(option('parallelism')) : undefined;
if (explicitParallelism !== undefined && !(Number.isInteger(explicitParallelism) && explicitParallelism > 0)) throw new Error(`--parallelism takes a positive integer\n${USAGE}`);
const cliFrom = option('cli-from') ?? 'worktree';
if (cliFrom !== 'worktree' && cliFrom !== 'HEAD') throw new Error(`--cli-from takes HEAD or worktree\n${USAGE}`);

/**
 * Floors that only catch a collapse, far under what this machine does (BENCHMARKS.md). They were
 * once test assertions (convert 100,000 keys in under 20 s; apply above 100 objects/s).
 */
const FLOORS = { planNoDryRunObjectsPerSecond: 1000, applyObjectsPerSecond: 100 };
const FLOOR_MIN_SIZE = 5000;
const belowFloor: string[] = [];

const benchDir = path.join(ROOT, '.cache', 'bench');
const outDir = smoke ? path.join(benchDir, 'smoke') : benchDir;
mkdirSync(outDir, { recursive: true });
const clusterDir = process.env.CALICO_MIGRATE_BENCH_CLUSTER_DIR ?? path.join(benchDir, 'cluster');
const limitClusterDir = `${clusterDir}-limit`;
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** Stops both clusters; safe to call more than once and from a signal handler. */
let stopping: Promise<void> | null = null;
function stopClusters(): Promise<void> {
  stopping ??= (async () => {
    for (const dir of [clusterDir, limitClusterDir]) await down(dir).catch((e: Error) => log(`stopping ${dir}: ${e.message}`));
  })();
  return stopping;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping the clusters`);
    void stopClusters().finally(() => process.exit(130));
  });
}

/** A new cluster even if one was left running in the directory: the figures need a fresh API server and etcd. */
async function freshCluster(dir: string, ds: Dataset, opts: { running?: boolean } = {}): Promise<{ state: ClusterState; seedSeconds: number }> {
  await down(dir);
  const state = await up(dir);
  const t0 = performance.now();
  await seedEtcd(state.etcd.endpoint, opts.running ? runningSource(ds) : ds.kvs, { clear: true });
  await ensureNamespaces(state, ds.namespaces);
  await ensureNodes(state, ds.k8sNodes);
  const seedSeconds = (performance.now() - t0) / 1000;
  log(`${path.basename(dir)}: seeded ${ds.kvs.length} keys, ${ds.k8sNodes.length} Nodes, ${ds.namespaces.length} namespaces in ${seedSeconds.toFixed(1)}s`);
  return { state, seedSeconds };
}

/** The dataset as a running cluster holds it: the ClusterInformation not locked. */
function runningSource(ds: Dataset): Dataset['kvs'] {
  return ds.kvs.map((kv) => {
    if (!kv.key.endsWith('/clusterinformations/default')) return kv;
    const v = JSON.parse(kv.value);
    v.spec.datastoreReady = true;
    return { key: kv.key, value: JSON.stringify(v) };
  });
}

/** Sizes up to this one also measure the migration freeze, cold and after a pre-copy (about 8 minutes at 100,000). */
const FREEZE_MAX_SIZE = 100000;

/**
 * The freeze window `cutover --json` reports, on a fresh cluster: cold (no pre-copy), or after a
 * pre-copy of the running source and the churn of churn.ts. The cluster is stopped afterwards.
 */
/** The freeze cold and after a pre-copy with churn, each on its own fresh cluster. */
async function measureFreeze(ds: Dataset, work: string, parFlag: (p: number) => string[]): Promise<FreezeFigures> {
  const cold = (await freezeRun(ds, work, false, parFlag)).cold!;
  const pre = await freezeRun(ds, work, true, parFlag);
  const rep = pre.report;
  const d = rep.delta_plan ?? {};
  return {
    cold,
    precopy: {
      seconds: rep.freeze_seconds,
      phases: rep.phases,
      writes: Number(d.create ?? 0) + Number(d.update ?? 0) + Number(d.delete ?? 0),
      catch_up_writes: Number(rep.catch_up?.writes ?? 0),
      catch_up_seconds: Number(rep.catch_up?.seconds ?? 0),
      verified_objects: Number(rep.verify?.compared ?? 0),
      source: String(rep.delta?.source ?? ''),
      precopy_apply_seconds: pre.precopyApplySeconds,
    },
    churn: pre.churn?.summary ?? {},
    churn_keys: (pre.churn?.puts.length ?? 0) + (pre.churn?.deletes.length ?? 0),
  };
}

async function freezeRun(
  ds: Dataset,
  work: string,
  precopy: boolean,
  parFlag: (p: number) => string[],
): Promise<{ report: any; cold: FreezeFigures['cold'] | null; precopyApplySeconds: number; churn: Churn | null }> {
  const dir = path.join(work, precopy ? 'freeze-precopy' : 'freeze-cold');
  mkdirSync(dir, { recursive: true });
  const { state } = await freshCluster(clusterDir, ds, { running: true });
  try {
    const env = { ...process.env, KUBECONFIG: state.kubeconfig, ETCD_ENDPOINTS: state.etcd.endpoint };
    const opts = { env, cwd: dir, timeoutMs: limitMs(ds.kvs.length) };
    const nodeMap = path.join(dir, 'node-map.json');
    writeFileSync(nodeMap, JSON.stringify(ds.nodeMap));
    if (!precopy) {
      log('freeze: cold (lock, plan, apply, verify)');
      const step = async (name: string, args: string[]) => {
        const m = await measure([...cli.argv, ...args], opts);
        if (m.code !== 0) throw failed(`${name} (cold)`, m);
        return m;
      };
      const lock = await step('lock', ['lock', '--auto-approve']);
      const plan = await step('plan', ['plan', '--out', 'cold.plan', '--node-map', nodeMap, ...parFlag(parallelism.plan)]);
      const apply = await step('apply', ['apply', 'cold.plan', '--auto-approve', '--json', ...parFlag(parallelism.apply)]);
      const verify = await step('verify', ['verify', '--node-map', nodeMap]);
      const a = lastDocument(apply.stdout);
      const writes = Number(a.counts?.created ?? 0) + Number(a.counts?.updated ?? 0) + Number(a.counts?.deleted ?? 0);
      const phases = { lock: lock.seconds, plan: plan.seconds, apply: apply.seconds, verify: verify.seconds };
      return { report: null, cold: { seconds: phases.lock + phases.plan + phases.apply + phases.verify, phases, writes }, precopyApplySeconds: 0, churn: null };
    }
    log('freeze: plan and apply --precopy (the source running)');
    const p = await measure([...cli.argv, 'plan', '--out', 'precopy.plan', '--node-map', nodeMap, '--json', ...parFlag(parallelism.plan)], opts);
    if (p.code !== 0) throw failed('plan (pre-copy)', p);
    const a = await measure([...cli.argv, 'apply', 'precopy.plan', '--precopy', '--auto-approve', '--json', ...parFlag(parallelism.apply)], opts);
    if (a.code !== 0) throw failed('apply --precopy', a);
    const churn = makeChurn(ds.kvs, ds.namespaces, ds.k8sNodes.length, { seed: 1 });
    await applyChurn(state, churn);
    writeFileSync(nodeMap, JSON.stringify({ ...ds.nodeMap, ...churn.nodeMap }));
    log('freeze: cutover (after the pre-copy and the churn)');
    const c = await measure([...cli.argv, 'cutover', '--node-map', nodeMap, '--auto-approve', '--json'], opts);
    if (c.code !== 0) throw failed('cutover', c);
    return { report: lastDocument(c.stdout), cold: null, precopyApplySeconds: a.seconds, churn };
  } finally {
    await down(clusterDir);
  }
}

/** Under --json stdout is JSON Lines; the last is the command's `result` (docs/json-output.md), whose `data` is its report. */
function lastDocument(stdout: string): any {
  const lines = stdout.trimEnd().split('\n');
  const last = JSON.parse(lines[lines.length - 1] ?? '');
  if (last.type !== 'result') throw new Error(`the last --json line is not a result: ${lines[lines.length - 1]?.slice(0, 500)}`);
  return last.data;
}

function failed(step: string, m: Measured): Error {
  return new Error(`${step} ${m.timedOut ? 'timed out and was killed' : `failed (exit ${m.code})`} after ${m.seconds.toFixed(0)}s:\n${m.stdout.slice(-3000)}\n${m.stderr.slice(-3000)}`);
}

/** The CLI's default for a flag, from the private build's oclif manifest (the CLI's own --help). */
async function cliDefault(argv: string[], command: 'plan' | 'apply', flagName: string): Promise<number> {
  const help = await measure([...argv, command, '--help'], { env: process.env, cwd: ROOT, timeoutMs: 60000 });
  // The default is printed right after the flag; a greedy match would take the last default of the help (e.g. --request-timeout's 15).
  const m = new RegExp(`--${flagName}=<value>\\s+\\[default: (\\d+)\\]`).exec(help.stdout.replace(/\n\s+/g, ' '));
  if (!m) throw new Error(`could not read the default of ${command} --${flagName} from its --help; pass --parallelism`);
  return Number(m[1]);
}

log(`building the CLI (${cliFrom === 'HEAD' ? 'last commit' : 'work tree'}) into ${path.relative(ROOT, path.join(benchDir, 'cli'))}`);
const cli = privateCli(ROOT, benchDir, cliFrom);
const parallelism = {
  plan: explicitParallelism ?? (await cliDefault(cli.argv, 'plan', 'parallelism')),
  apply: explicitParallelism ?? (await cliDefault(cli.argv, 'apply', 'parallelism')),
  explicit: explicitParallelism !== undefined,
};
const machine = describeMachine(ROOT);
const results: SizeResult[] = [];
/** Generous: ten times the slowest rate measured before issue 9, plus start-up. */
const limitMs = (size: number) => 120000 + size * 30;

let failure: string | null = null;
let currentSize = 0;
try {
  for (const size of sizes) {
    currentSize = size;
    log(`=== ${size} objects ===`);
    const ds = makeDataset(size);
    const work = path.join(outDir, `work-${size}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    if (freezeOnly) {
      const f = await measureFreeze(ds, work, (p) => (parallelism.explicit ? ['--parallelism', String(p)] : []));
      frozenOnly.push({ changes: ds.kvs.length, freeze: f });
      log(`${size}: freeze cold ${f.cold.seconds.toFixed(1)}s, after a pre-copy ${f.precopy.seconds.toFixed(1)}s`);
      rmSync(work, { recursive: true, force: true });
      continue;
    }
    const nodeMap = path.join(work, 'node-map.json');
    writeFileSync(nodeMap, JSON.stringify(ds.nodeMap, null, 2));
    const stateDir = path.join(work, 'state');
    const parFlag = (p: number) => (parallelism.explicit ? ['--parallelism', String(p)] : []);
    const loadBefore = os.loadavg().map((l) => +l.toFixed(2));

    // The tool, on cluster 1.
    const { state, seedSeconds } = await freshCluster(clusterDir, ds);
    const env = { ...process.env, KUBECONFIG: state.kubeconfig, ETCD_ENDPOINTS: state.etcd.endpoint };
    const opts = { env, cwd: work, timeoutMs: limitMs(size) };
    const planArgs = ['--node-map', nodeMap, '--state-dir', stateDir, '--json', ...parFlag(parallelism.plan)];

    log('plan (server dry run)');
    const plan = await measure([...cli.argv, 'plan', '--out', 'bench.plan', ...planArgs], opts);
    if (plan.code !== 0) throw failed('plan', plan);
    const planDoc = lastDocument(plan.stdout);
    const checks: Array<{ id: string; status: string; message: string }> = planDoc.checks ?? [];
    const checkFailed = checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.message}`);
    if (checkFailed.length) throw new Error(`plan's checks failed on the benchmark data (a dataset bug):\n  ${checkFailed.join('\n  ')}`);
    const warned = checks.filter((c) => c.status === 'warn').map((c) => c.id);
    const dryRunCheck = checks.find((c) => c.id === 'server-dry-run');
    const planFile = path.join(work, 'bench.plan');
    const counts = await countPlan(planFile);
    const writes = (counts.byAction.create ?? 0) + (counts.byAction.update ?? 0);
    const dryRunWrites = Number(/(\d+) write/.exec(dryRunCheck?.message ?? '')?.[1] ?? writes);

    log('plan --no-server-dry-run');
    const planNoDry = await measure([...cli.argv, 'plan', '--out', 'bench-no-dry-run.plan', '--no-server-dry-run', ...planArgs], opts);
    if (planNoDry.code !== 0) throw failed('plan --no-server-dry-run', planNoDry);
    rmSync(path.join(work, 'bench-no-dry-run.plan'));

    log('apply');
    const apply = await measure([...cli.argv, 'apply', planFile, '--auto-approve', '--json', '--state-dir', stateDir, ...parFlag(parallelism.apply)], opts);
    if (apply.code !== 0) throw failed('apply', apply);
    const a = lastDocument(apply.stdout);
    const reversePath = path.resolve(work, String(a.reverse_path));

    // The target now holds every object: the plan a re-run or a cut-over after a pre-copy makes,
    // where the live side is as large as the source (read as digests, fetched only for changes).
    log('plan against the filled target');
    const replan = await measure([...cli.argv, 'plan', '--out', 'bench-replan.plan', ...planArgs], opts);
    if (replan.code !== 0) throw failed('plan against the filled target', replan);
    const replanCounts = await countPlan(path.join(work, 'bench-replan.plan'));
    rmSync(path.join(work, 'bench-replan.plan'));

    log('rollback (apply the reverse plan)');
    const rollback = await measure([...cli.argv, 'apply', reversePath, '--auto-approve', '--json', '--state-dir', stateDir, ...parFlag(parallelism.apply)], opts);
    if (rollback.code !== 0) throw failed('rollback', rollback);
    const rb = lastDocument(rollback.stdout);
    const reverseCounts = await countPlan(reversePath);
    await down(clusterDir);

    // The physical limit, on an identical fresh cluster.
    const limit = await freshCluster(limitClusterDir, ds);
    const limitEnv = { ...process.env, BENCH_SERVER: limit.state.apiserver.server, BENCH_CA_FILE: path.join(limit.state.dir, 'certs', 'apiserver.crt'), BENCH_TOKEN: limit.state.adminToken };
    const minimal = async (mode: 'dry-run' | 'write', p: number) => {
      log(`minimal client: ${mode}, parallelism ${p}`);
      const m = await measure(['--import', 'tsx', path.join(ROOT, 'scripts/bench/minimal-client.ts'), planFile, '--parallelism', String(p), '--modes', mode], {
        env: limitEnv,
        cwd: work,
        timeoutMs: limitMs(size),
      });
      if (m.code !== 0) throw failed(`minimal client (${mode})`, m);
      const r = JSON.parse(m.stdout.trim().split('\n').pop()!);
      if (r.failed > 0) throw new Error(`minimal client (${mode}): ${r.failed} of ${r.requests} writes failed; first: ${r.first_error}`);
      return { requests: r.requests as number, seconds: r.seconds as number, rate_per_s: r.rate_per_s as number, peak_rss_mb: m.peakRssMb };
    };
    const minDry = await minimal('dry-run', parallelism.plan);
    const minWrite = await minimal('write', parallelism.apply);
    await down(limitClusterDir);

    const step = (m: Measured, objects: number) => ({ seconds: m.seconds, objects_per_s: objects / m.seconds, peak_rss_mb: m.peakRssMb });
    const applyWrites = Number(a.counts?.done ?? writes);
    const applyRate = Number(a.rate_per_s ?? applyWrites / Number(a.seconds));
    const rbWrites = Number(rb.counts?.done ?? reverseCounts.changes);
    const dryRunSeconds = plan.seconds - planNoDry.seconds;
    const planDryRate = dryRunSeconds > 0 ? dryRunWrites / dryRunSeconds : null;
    const r: SizeResult = {
      size,
      keys: ds.kvs.length,
      nodes: ds.k8sNodes.length,
      pods: ds.k8sNodes.length * PODS_PER_NODE,
      changes: counts.changes,
      writes,
      by_kind: counts.byKind,
      seed_seconds: seedSeconds,
      load_before: loadBefore,
      plan: { ...step(plan, counts.changes), dry_run_writes: dryRunWrites },
      plan_no_dry_run: step(planNoDry, counts.changes),
      replan: { ...step(replan, replanCounts.changes), changes: replanCounts.changes, no_ops: replanCounts.byAction['no-op'] ?? 0 },
      apply: { ...step(apply, applyWrites), writes: applyWrites, write_seconds: Number(a.seconds), write_rate_per_s: applyRate },
      rollback: { ...step(rollback, rbWrites), writes: rbWrites, write_seconds: Number(rb.seconds), write_rate_per_s: Number(rb.rate_per_s ?? rbWrites / Number(rb.seconds)) },
      plan_file: { bytes: statSync(planFile).size, bytes_per_object: statSync(planFile).size / counts.changes },
      reverse_plan_file: { bytes: statSync(reversePath).size },
      minimal: { parallelism: { dry_run: parallelism.plan, write: parallelism.apply }, dry_run: minDry, write: minWrite },
      plan_dry_run: { seconds: dryRunSeconds > 0 ? dryRunSeconds : null, rate_per_s: planDryRate },
      ratios: {
        apply_write_phase_pct: (100 * applyRate) / minWrite.rate_per_s,
        apply_wall_pct: (100 * (applyWrites / apply.seconds)) / minWrite.rate_per_s,
        plan_dry_run_pct: planDryRate === null ? null : (100 * planDryRate) / minDry.rate_per_s,
      },
      checks: { failed: checkFailed, warned },
    };
    if (size <= FREEZE_MAX_SIZE && !noFreeze) {
      r.freeze = await measureFreeze(ds, work, parFlag);
      log(
        `${size}: freeze cold ${r.freeze.cold.seconds.toFixed(1)}s, after a pre-copy ${r.freeze.precopy.seconds.toFixed(1)}s (catch-up ${r.freeze.precopy.catch_up_writes} writes for ${r.freeze.churn_keys} churned keys, ${r.freeze.precopy.writes} under the lock)`,
      );
    }
    results.push(r);
    // Below a few thousand objects start-up dominates every rate, so the floors would measure nothing.
    if (size >= FLOOR_MIN_SIZE && r.plan_no_dry_run.objects_per_s < FLOORS.planNoDryRunObjectsPerSecond)
      belowFloor.push(`${size}: plan --no-server-dry-run ${Math.round(r.plan_no_dry_run.objects_per_s)} objects/s < ${FLOORS.planNoDryRunObjectsPerSecond}`);
    if (size >= FLOOR_MIN_SIZE && applyRate < FLOORS.applyObjectsPerSecond) belowFloor.push(`${size}: apply ${Math.round(applyRate)} objects/s < ${FLOORS.applyObjectsPerSecond}`);
    log(
      `${size}: plan ${plan.seconds.toFixed(1)}s/${Math.round(plan.peakRssMb)}MB, no dry run ${planNoDry.seconds.toFixed(1)}s, apply ${Math.round(applyRate)}/s (${r.ratios.apply_write_phase_pct.toFixed(0)}% of ${Math.round(minWrite.rate_per_s)}/s)/${Math.round(apply.peakRssMb)}MB, rollback ${rollback.seconds.toFixed(1)}s`,
    );
    // Plan files of the large sizes run to hundreds of MB; the figures are kept, the files are not.
    rmSync(work, { recursive: true, force: true });
  }
} catch (e) {
  // The sizes done are kept and reported; the one that failed is named in the report.
  failure = `${currentSize} objects: ${(e as Error).message.split('\n')[0]}`;
  log(`FAILED: ${(e as Error).message}`);
} finally {
  await stopClusters();
}

const command = smoke ? 'npm run bench -- --smoke' : ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
const run: RunResults = {
  at: new Date().toISOString(),
  command,
  cli: cli.describe,
  cli_node_flags: cli.argv.slice(0, -1),
  note: process.env.CALICO_MIGRATE_BENCH_NOTE ?? null,
  parallelism,
  machine,
  floors: FLOORS,
  below_floor: belowFloor,
  failure,
  sizes: results,
};
if (freezeOnly) {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const by = `Measured by \`${command}\` on ${run.at.slice(0, 10)} (commit ${machine.commit}; CLI from the ${cli.describe}; load average at the start ${machine.load_at_start.join(', ')}${run.note ? `; note: ${run.note}` : ''}); the other sections are from the run named at the top.`;
  writeFileSync(file, withFreezeSection(existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n', renderFreezeSection(frozenOnly, by)));
  writeFileSync(path.join(outDir, 'freeze-results.json'), JSON.stringify({ ...run, sizes: frozenOnly }, null, 2) + '\n');
  log(`wrote the freeze section of BENCHMARKS.md${failure ? ` (failed: ${failure})` : ''}`);
  process.exit(failure ? 1 : 0);
}
writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(run, null, 2) + '\n');
const reportPath = smoke ? path.join(outDir, 'BENCHMARKS.md') : path.join(ROOT, 'BENCHMARKS.md');
const kept = noFreeze && existsSync(reportPath) ? freezeSectionOf(readFileSync(reportPath, 'utf8')) : [];
const report = kept.length ? withFreezeSection(renderReport(run), kept) : renderReport(run);
writeFileSync(reportPath, report);
process.stdout.write(report);
log(`wrote ${path.relative(ROOT, reportPath)} and ${path.relative(ROOT, path.join(outDir, 'results.json'))}`);
if (failure) process.exitCode = 1;
if (belowFloor.length > 0) {
  log(`below the floor (a collapse, not noise: the floors are far under the measured figures):\n  ${belowFloor.join('\n  ')}`);
  process.exitCode = 1;
}
