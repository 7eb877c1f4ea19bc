/**
 * Runs a GitHub Actions workflow's jobs locally, step by step, the way the runner does: each `run:`
 * step's `${{ … }}` expressions substituted first, then the script run with
 * `bash --noprofile --norc -eo pipefail {0}` in the job's workspace, with the workflow, job and step
 * `env:`, what earlier steps wrote to $GITHUB_ENV, and step outputs read from the $GITHUB_OUTPUT file
 * each step wrote. It is NOT GitHub: the expressions it knows are an explicit table (an expression
 * not in it fails the test, so a workflow change cannot go untested), and the steps that are not
 * shell are replaced by local equivalents, each documented at `LOCAL_ACTIONS` below.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  if?: string;
}

export interface Job {
  if?: string;
  needs?: string | string[];
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
  [key: string]: unknown;
}

export interface Workflow {
  on: unknown;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(file, 'utf8')) as Workflow;
}

/** The `github` context as far as the workflow reads it. */
export interface GithubContext {
  event_name: 'pull_request' | 'push' | 'workflow_dispatch';
  ref: string;
  repository: string;
  token: string;
  run_id: string;
  run_attempt: string;
  event: { pull_request?: { number: number; head: { repo: { full_name: string } } }; repository: { default_branch: string } };
}

export interface RunContext {
  github: GithubContext;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** The outputs of the jobs this one needs. */
  needs?: Record<string, Record<string, string>>;
}

export interface StepResult {
  name: string;
  /** null for a step that was skipped (its `if:` was false, or an earlier step failed). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** What it wrote to $GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  ms?: number;
}

export interface JobResult {
  ok: boolean;
  steps: StepResult[];
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

export interface Machine {
  /** Where artifacts go (`<dir>/<name>/…`), shared by every job of a run, as GitHub's artifact store. */
  artifacts: string;
  /** The repository's files, which `actions/checkout` copies into the workspace. */
  repository: string;
  /** Directories put first on PATH: the `calico-migrate` and `gh` stand-ins. */
  path: string[];
  /** Extra environment for every step (e.g. where the gh stub keeps its comments). */
  env: Record<string, string>;
  /** Writes a fresh directory for a job's workspace or temp. */
  mkdtemp(prefix: string): string;
}

/**
 * The `${{ … }}` expressions the workflows use, each with how it is evaluated here. `a || b` is
 * the first non-empty of its parts, as in GitHub's expressions for strings.
 */
export function evaluate(expr: string, ctx: RunContext, steps: Record<string, Record<string, string>>, runnerTemp: string): string {
  const e = expr.trim();
  if (e.includes('||')) {
    for (const part of e.split('||')) {
      const v = evaluate(part, ctx, steps, runnerTemp);
      if (v !== '') return v;
    }
    return '';
  }
  let m: RegExpMatchArray | null;
  if ((m = e.match(/^secrets\.(\w+)$/))) return ctx.secrets[m[1]!] ?? '';
  if ((m = e.match(/^vars\.(\w+)$/))) return ctx.vars[m[1]!] ?? '';
  if (e === 'runner.temp') return runnerTemp;
  if ((m = e.match(/^steps\.([\w-]+)\.outputs\.([\w-]+)$/))) return steps[m[1]!]?.[m[2]!] ?? '';
  if ((m = e.match(/^needs\.([\w-]+)\.outputs\.([\w-]+)$/))) return ctx.needs?.[m[1]!]?.[m[2]!] ?? '';
  if ((m = e.match(/^github\.([\w.]+)$/))) {
    let v: unknown = ctx.github;
    for (const k of m[1]!.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined || (typeof v === 'object' && v !== null)) throw new Error(`workflow runner: github.${m[1]} is not in the test's github context`);
    return String(v);
  }
  throw new Error(`workflow runner: the expression \${{ ${e} }} is not in the test's table (test/integration/support/workflow-runner.ts)`);
}

/**
 * `if:` conditions, by their exact text: GitHub's expression language is not reimplemented, so a
 * condition the workflow gains must be added here, and the test says so.
 */
export function condition(text: string, ctx: RunContext, failed: boolean): boolean {
  const g = ctx.github;
  const sameRepo = g.event.pull_request?.head.repo.full_name === g.repository;
  const onDefaultBranch = g.ref === `refs/heads/${g.event.repository.default_branch}`;
  const table: Record<string, () => boolean> = {
    'always()': () => true,
    "github.event_name == 'pull_request'": () => g.event_name === 'pull_request',
    "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository": () => g.event_name !== 'pull_request' || sameRepo,
    "github.event_name != 'pull_request' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch) && needs.plan.outputs.exit_code == '2'": () =>
      g.event_name !== 'pull_request' && onDefaultBranch && ctx.needs?.plan?.exit_code === '2',
  };
  const f = table[text.trim()];
  if (!f) throw new Error(`workflow runner: the condition "if: ${text}" is not in the test's table (test/integration/support/workflow-runner.ts)`);
  // A condition without a status function means `success() && …`, as on GitHub.
  return text.includes('always()') ? f() : !failed && f();
}

function substitute(text: string, ctx: RunContext, steps: Record<string, Record<string, string>>, runnerTemp: string): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => evaluate(e, ctx, steps, runnerTemp));
}

/** `NAME=value` lines and `NAME<<DELIM … DELIM` blocks, as $GITHUB_OUTPUT and $GITHUB_ENV take them. */
export function parseKeyValueFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = line.match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      out[heredoc[1]!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`workflow runner: malformed line in ${file}: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Files under `dir` (relative, sorted), hidden ones included. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? listFiles(path.join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

const hidden = (rel: string) => rel.split('/').some((part) => part.startsWith('.'));

/**
 * The steps that are not shell, and what stands in for them:
 * - `actions/checkout`: the test's repository folder copied into the workspace;
 * - `actions/setup-node`: checks the version asked for; the steps run on the Node that runs the tests;
 * - `actions/upload-artifact`: the listed paths copied into `<artifacts>/<name>/`, hidden files
 *   and folders (a name starting with `.`) left out unless `include-hidden-files: true`, as v4.4+ does;
 * - `actions/download-artifact`: `<artifacts>/<name>/` copied into the workspace.
 * The install step (`id: install`, a `run:` step that downloads a release) is replaced by the
 * `calico-migrate` on the machine's PATH (the built bin/run.js); `gh` there is the test's stub.
 */
const LOCAL_ACTIONS: Record<string, (step: Step, workspace: string, machine: Machine) => string> = {
  'actions/checkout@v4': (_s, ws, m) => {
    cpSync(m.repository, ws, { recursive: true });
    return `copied ${m.repository}`;
  },
  'actions/setup-node@v4': (s) => {
    if (String(s.with?.['node-version']) !== '24') throw new Error(`setup-node asks for Node ${s.with?.['node-version']}, not 24`);
    return `Node 24 asked for; running on ${process.version}`;
  },
  'actions/upload-artifact@v4': (s, ws, m) => {
    const name = String(s.with?.name);
    const withHidden = s.with?.['include-hidden-files'] === true;
    const dest = path.join(m.artifacts, name);
    const uploaded: string[] = [];
    for (const p of String(s.with?.path ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const src = path.join(ws, p);
      if (!existsSync(src)) continue;
      const files = statSync(src).isDirectory() ? listFiles(src, `${p.replace(/\/$/, '')}/`) : [p];
      for (const rel of files) {
        if (hidden(rel) && !withHidden) continue;
        mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
        cpSync(path.join(ws, rel), path.join(dest, rel));
        uploaded.push(rel);
      }
    }
    if (uploaded.length === 0 && s.with?.['if-no-files-found'] !== 'ignore') throw new Error(`upload-artifact ${name}: no files`);
    return `uploaded ${name}: ${uploaded.join(' ')}`;
  },
  'actions/download-artifact@v4': (s, ws, m) => {
    const src = path.join(m.artifacts, String(s.with?.name));
    if (!existsSync(src)) throw new Error(`download-artifact: no artifact ${String(s.with?.name)}`);
    cpSync(src, ws, { recursive: true });
    return `downloaded ${String(s.with?.name)}`;
  },
};

/** Whether GitHub would start the job: its `if:` (none means it runs). */
export function jobRuns(workflow: Workflow, jobName: string, ctx: RunContext): boolean {
  const cond = workflow.jobs[jobName]?.if;
  return cond === undefined || condition(cond, ctx, false);
}

/** Runs one job: a fresh workspace and temp, as on a new runner. */
export function runJob(workflow: Workflow, jobName: string, ctx: RunContext, machine: Machine): JobResult {
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  const workspace = machine.mkdtemp(`ws-${jobName}-`);
  const temp = machine.mkdtemp(`tmp-${jobName}-`);
  const summaryFile = path.join(temp, '_step_summary');
  writeFileSync(summaryFile, '');
  const steps: Record<string, Record<string, string>> = {};
  const results: StepResult[] = [];
  let addedEnv: Record<string, string> = {};
  let failed = false;
  const sub = (t: string) => substitute(t, ctx, steps, temp);
  const envOf = (e: Record<string, string> | undefined) => Object.fromEntries(Object.entries(e ?? {}).map(([k, v]) => [k, sub(String(v))]));

  job.steps.forEach((step, i) => {
    const name = step.name ?? step.uses ?? `step ${i + 1}`;
    if (step.if !== undefined && !condition(step.if, ctx, failed)) {
      results.push({ name, code: null, stdout: '', stderr: 'skipped (if)', outputs: {} });
      return;
    }
    if (step.if === undefined && failed) {
      results.push({ name, code: null, stdout: '', stderr: 'skipped (an earlier step failed)', outputs: {} });
      return;
    }
    if (step.uses || step.id === 'install') {
      const local = step.id === 'install' ? () => 'replaced by the built CLI on PATH' : LOCAL_ACTIONS[step.uses!];
      if (!local) throw new Error(`workflow runner: no local equivalent for ${step.uses}`);
      const withSubstituted = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, typeof v === 'string' ? sub(v) : v]));
      try {
        results.push({ name, code: 0, stdout: local({ ...step, with: withSubstituted }, workspace, machine), stderr: '', outputs: {} });
      } catch (e) {
        failed = true;
        results.push({ name, code: 1, stdout: '', stderr: String(e), outputs: {} });
      }
      return;
    }
    const script = path.join(temp, `step-${i}.sh`);
    writeFileSync(script, sub(step.run!));
    chmodSync(script, 0o755);
    const outputFile = path.join(temp, `output-${i}`);
    const envFile = path.join(temp, `env-${i}`);
    writeFileSync(outputFile, '');
    writeFileSync(envFile, '');
    const [owner] = ctx.github.repository.split('/');
    const env: Record<string, string> = {
      PATH: [...machine.path, path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      HOME: temp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: ctx.github.repository,
      GITHUB_REPOSITORY_OWNER: owner!,
      GITHUB_EVENT_NAME: ctx.github.event_name,
      GITHUB_REF: ctx.github.ref,
      GITHUB_REF_NAME: ctx.github.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_RUN_ID: ctx.github.run_id,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: temp,
      ...machine.env,
      ...envOf(workflow.env),
      ...envOf(job.env),
      ...addedEnv,
      ...envOf(step.env),
    };
    const started = Date.now();
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const outputs = parseKeyValueFile(outputFile);
    if (step.id) steps[step.id] = outputs;
    addedEnv = { ...addedEnv, ...parseKeyValueFile(envFile) };
    const code = r.status ?? 128;
    if (code !== 0) failed = true;
    results.push({ name, code, stdout: r.stdout, stderr: r.stderr, outputs, ms: Date.now() - started });
  });

  const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, sub(v)]));
  return { ok: !failed, steps: results, outputs, summary: readFileSync(summaryFile, 'utf8'), workspace };
}

/** A job's steps as one text, for assertion messages. */
export function describeJob(r: JobResult): string {
  return r.steps
    .map(
      (s) =>
        `--- ${s.name}: ${s.code === null ? 'skipped' : `exit ${s.code}`}${s.ms === undefined ? '' : ` (${s.ms} ms)`}\n${s.stdout.slice(-3000)}${s.stderr ? `\n[stderr]\n${s.stderr.slice(-3000)}` : ''}`,
    )
    .join('\n');
}
