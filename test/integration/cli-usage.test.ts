/**
 * The built CLI's command line, end to end: every kind of usage error exits 64 (USAGE), never 2
 * (which means "the plan has changes"), with one line naming what was wrong and the help to read;
 * `-h` is `--help`; `version` and `--version` print the versions, as JSON under --json; `completion`
 * prints a shell script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT_CODES } from '../../src/errors.js';
import { FORMAT_VERSION } from '../../src/plan/types.js';
import { shebangNodeFlags } from '../../scripts/bench/private-cli.js';
import { cli, finalJson, Workdir } from './support/e2e.js';

const USAGE = EXIT_CODES.USAGE;
const SAMPLE_PLAN = path.resolve('test/fixtures/plans/sample.plan.json');
const SAMPLE_MD = path.resolve('test/fixtures/plans/sample.md');

/** The error line and the next-step line, and nothing else, on stderr; nothing on stdout. */
function usageLines(r: { stdout: string; stderr: string }): [string, string] {
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0]!, /^Error: /);
  assert.match(lines[1]!, /^Next step: see `calico-migrate .*--help`/);
  return [lines[0]!, lines[1]!];
}

describe('the command line: usage errors exit 64, help and version', function () {
  Workdir.cleanUpAfterSuite();
  const w = new Workdir();

  it('an unknown command exits 64 with a "Did you mean" for a near miss, even with --detailed-exitcode', async () => {
    const [error, next] = usageLines(await cli(w, ['pln', '--detailed-exitcode'], USAGE));
    assert.equal(error, 'Error: Unknown command: pln. Did you mean plan?');
    assert.match(next, /calico-migrate plan --help/);
    const far = usageLines(await cli(w, ['xyzzy'], USAGE));
    assert.equal(far[0], 'Error: Unknown command: xyzzy.');
    assert.equal(far[1], 'Next step: see `calico-migrate --help` for the commands');
  });

  it('help for an unknown command is the same usage error', async () => {
    for (const args of [
      ['help', 'pln'],
      ['pln', '--help'],
    ])
      assert.equal(usageLines(await cli(w, args, USAGE))[0], 'Error: Unknown command: pln. Did you mean plan?');
  });

  it('an extra argument exits 64, for a command without arguments and one with', async () => {
    const [error, next] = usageLines(await cli(w, ['plan', 'out.json'], USAGE));
    assert.equal(error, 'Error: Unexpected argument: out.json (plan takes no arguments)');
    assert.equal(next, 'Next step: see `calico-migrate plan --help`');
    assert.equal(usageLines(await cli(w, ['show', 'a.plan.json', 'b.plan.json'], USAGE))[0], 'Error: Unexpected argument: b.plan.json');
  });

  it('an unknown flag exits 64, with the flag meant', async () => {
    assert.equal(usageLines(await cli(w, ['plan', '--nope'], USAGE))[0], 'Error: Nonexistent flag: --nope');
    assert.equal(usageLines(await cli(w, ['plan', '--paralelism', '4'], USAGE))[0], 'Error: Nonexistent flag: --paralelism. Did you mean --parallelism?');
    assert.equal(usageLines(await cli(w, ['--nope'], USAGE))[0], 'Error: Nonexistent flag: --nope (name a command first)');
  });

  it('a bad flag value, a missing argument and flags that exclude each other exit 64 on one line', async () => {
    assert.equal(usageLines(await cli(w, ['plan', '--parallelism', 'abc'], USAGE))[0], 'Error: Parsing --parallelism: Expected an integer but received: abc');
    assert.equal(usageLines(await cli(w, ['plan', '--parallelism', '0'], USAGE))[0], 'Error: Parsing --parallelism: Expected an integer greater than or equal to 1 but received: 0');
    assert.equal(usageLines(await cli(w, ['show', 'x.plan.json', '-o', 'yaml'], USAGE))[0], 'Error: Invalid -o/--output format "yaml": expected one of text, markdown, json');
    assert.equal(usageLines(await cli(w, ['show'], USAGE))[0], 'Error: Missing required argument: plan');
    assert.equal(usageLines(await cli(w, ['unlock', '--datastore', 'etcd', '--lease'], USAGE))[0], 'Error: --lease=true cannot also be provided when using --datastore');
    assert.equal(usageLines(await cli(w, ['rollback', '--skip', 'IPPool/x'], USAGE))[0], 'Error: All of the following must be provided when using --skip: --against-target');
  });

  it('-o/--output is a format, as in kubectl: plan -o yaml and plan -o FILE exit 64 naming the formats and --out FILE; nothing is written', async () => {
    const [error, next] = usageLines(await cli(w, ['plan', '-o', 'yaml'], USAGE));
    assert.equal(error, 'Error: Invalid -o/--output format "yaml": expected one of text, markdown, json');
    assert.equal(next, 'Next step: see `calico-migrate plan --help`; -o names an output format now, the file is --out FILE');
    assert.equal(usageLines(await cli(w, ['plan', '-o', 'x.plan.json'], USAGE))[1], 'Next step: see `calico-migrate plan --help`; -o names an output format now, the file is --out x.plan.json');
    assert.equal(usageLines(await cli(w, ['export', '--output', 'yaml'], USAGE))[0], 'Error: Invalid -o/--output format "yaml": expected one of kubernetes, calicoctl');
    assert.equal(existsSync(w.path('yaml')), false, 'no file named yaml');
    assert.equal(existsSync(w.path('x.plan.json')), false);
  });

  it('show PLAN -o json prints the plan; --format, the old name, still works with a deprecation warning', async () => {
    const json = await cli(w, ['show', SAMPLE_PLAN, '-o', 'json'], 0);
    assert.equal(json.stderr, '');
    assert.equal((JSON.parse(json.stdout) as { kind: string }).kind, 'CalicoMigrationPlan');
    assert.equal((await cli(w, ['show', SAMPLE_PLAN, '--output', 'markdown'], 0)).stdout, readFileSync(SAMPLE_MD, 'utf8'));
    const old = await cli(w, ['show', SAMPLE_PLAN, '--format', 'json'], 0);
    assert.equal(old.stdout, json.stdout);
    assert.match(old.stderr.replace(/\s+/g, ' '), /The "--format" flag has been deprecated\. Use "--output \| -o"/);
  });

  it('lock and unlock --datastore kubernetes without a terminal and without --auto-approve are refused (13) before any connection', async () => {
    // Endpoints nothing listens on: the refusal comes first, so it is not a connection error.
    const env = { ETCD_ENDPOINTS: 'http://127.0.0.1:9', KUBECONFIG: w.path('no-kubeconfig') };
    for (const args of [['lock'], ['lock', '--datastore', 'kubernetes'], ['unlock', '--datastore', 'kubernetes']]) {
      const r = await cli(w, args, EXIT_CODES.ABORTED, { env });
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Error: .*needs confirmation; there is no terminal to ask on\. Nothing was (un)?locked\nNext step: pass --auto-approve\n$/, args.join(' '));
    }
  });

  it('under --json a usage error is the error document on stdout', async () => {
    for (const args of [
      ['pln', '--json'],
      ['plan', 'out.json', '--json'],
      ['plan', '--nope', '--json'],
    ]) {
      const r = await cli(w, args, USAGE);
      const doc = finalJson(r.stdout) as { error: string; exit_code: number; message: string; hint: string };
      assert.equal(doc.error, 'USAGE', args.join(' '));
      assert.equal(doc.exit_code, 64);
      assert.match(doc.hint, /--help/);
    }
  });

  it('-h is --help, on every command and at the top level', async () => {
    const top = await cli(w, ['-h'], 0);
    assert.match(top.stdout, /^USAGE\n {2}\$ calico-migrate \[COMMAND\]/m);
    assert.equal(top.stdout, (await cli(w, ['--help'], 0)).stdout);
    for (const id of ['plan', 'apply', 'show', 'version']) {
      const r = await cli(w, [id, '-h'], 0);
      assert.match(r.stdout, new RegExp(`^USAGE\\n {2}\\$ calico-migrate ${id}`, 'm'), id);
      assert.equal(r.stdout, (await cli(w, [id, '--help'], 0)).stdout, id);
    }
  });

  it('version and --version print the tool, Node, plan format and schema, Calico and platform', async () => {
    const text = await cli(w, ['version'], 0);
    assert.match(text.stdout, /^calico-migrate \d+\.\d+\.\d+\n/);
    assert.match(text.stdout, new RegExp(`^node: ${process.version.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^platform: ${process.platform}-${process.arch}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^plan format: ${FORMAT_VERSION} \\(reads ${FORMAT_VERSION}\\)$`, 'm'));
    assert.match(text.stdout, /^plan schema: \S+plan\.schema\.json \(JSON Schema draft-07\)$/m);
    assert.match(text.stdout, /^calico: v3\.32\.1 /m);
    assert.equal((await cli(w, ['--version'], 0)).stdout, text.stdout);
  });

  it('version --json (and --version --json) is one JSON line, its result', async () => {
    const r = await cli(w, ['version', '--json'], 0);
    const doc = finalJson(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['name', 'version', 'node', 'platform', 'arch', 'plan', 'calico_version']);
    assert.equal(doc.name, 'calico-migrate');
    assert.equal(doc.node, process.version);
    assert.equal(doc.platform, process.platform);
    assert.deepEqual(doc.plan, {
      format_version: FORMAT_VERSION,
      readable_format_versions: [FORMAT_VERSION],
      schema: { id: 'https://github.com/calico-migrate/calico-migrate/schemas/plan.schema.json', draft: 'draft-07' },
    });
    assert.equal(doc.calico_version, 'v3.32.1');
    assert.deepEqual(finalJson((await cli(w, ['--version', '--json'], 0)).stdout), doc);
  });

  it('a Node older than package.json engines.node (22.19.0) is refused on one line with exit 1 (ERROR), before oclif loads; 22.19.0 runs', () => {
    // The Node running the tests, made to report another version before bin/run.js starts.
    const as = (version: string) =>
      spawnSync(
        process.execPath,
        ['--import', `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'${version}'}})`, path.resolve('bin/run.js'), 'version', '--json'],
        { encoding: 'utf8' },
      );
    assert.equal(JSON.parse(readFileSync('package.json', 'utf8')).engines.node, '>=22.19.0');
    for (const old of ['20.20.2', '22.18.9']) {
      const r = as(old);
      assert.equal(r.status, EXIT_CODES.ERROR, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(`^Error: calico-migrate needs Node\\.js 22\\.19\\.0 or newer .*; this is Node ${old.replaceAll('.', '\\.')} \\(`));
      assert.match(lines[0]!, /Install Node 24/);
    }
    const ok = as('22.19.0');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(finalJson(ok.stdout).name, 'calico-migrate');
  });

  it('the executable (what npm installs as calico-migrate) starts Node with a 16 MB semi-space, the old generation growing by at most 30% between collections, and the compile cache on', () => {
    // Run as the kernel runs it, through its `#!/usr/bin/env -S node …` line, with the Node of the
    // tests first on PATH; an --import in NODE_OPTIONS reports what Node was started with.
    const report = path.join(mkdtempSync(path.join(os.tmpdir(), 'cm-flags-')), 'report.mjs');
    writeFileSync(report, "import m from 'node:module';\nprocess.on('exit', () => process.stderr.write('FLAGS ' + JSON.stringify([process.execArgv, Boolean(m.getCompileCacheDir())]) + '\\n'));\n");
    const r = spawnSync(path.resolve('bin/run.js'), ['version', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, NODE_OPTIONS: `--import=${report}` },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(finalJson(r.stdout).node, process.version);
    const [execArgv, cacheOn] = JSON.parse(/^FLAGS (.*)$/m.exec(r.stderr)![1]!) as [string[], boolean];
    assert.deepEqual(execArgv, ['--max-semi-space-size=16', '--heap-growing-percent=30']);
    assert.equal(cacheOn, true);
    // The benchmark passes the same flags when it runs the entry with its own Node.
    assert.deepEqual(shebangNodeFlags(path.resolve('bin/run.js')), ['--max-semi-space-size=16', '--heap-growing-percent=30']);
  });

  it('a reader that closes the pipe early (| true) ends the command with its own exit code and no warning, not 13 (ABORTED)', () => {
    const closed = (args: string) => spawnSync('bash', ['-c', `"${process.execPath}" "${path.resolve('bin/run.js')}" ${args} | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    for (const args of ['--help', 'version', `show "${SAMPLE_PLAN}" -o json`]) {
      const r = closed(args);
      assert.equal(r.status, 0, `${args}: ${r.stderr}`);
      assert.equal(r.stderr, '', args);
    }
    const usage = closed('pln');
    assert.equal(usage.status, USAGE);
  });

  it('completion prints a bash (default) or zsh script naming every command; another shell is a usage error', async () => {
    const bash = await cli(w, ['completion'], 0);
    assert.equal(bash.stdout, (await cli(w, ['completion', 'bash'], 0)).stdout);
    assert.equal(spawnSync('bash', ['-n'], { input: bash.stdout }).status, 0, 'the script parses');
    for (const id of ['plan', 'apply', 'show', 'version', 'completion']) assert.match(bash.stdout, new RegExp(`^ {4}${id}\\) words="`, 'm'), id);
    assert.match((await cli(w, ['completion', 'zsh'], 0)).stdout, /bashcompinit/);
    assert.equal(usageLines(await cli(w, ['completion', 'fish'], USAGE))[0], 'Error: Expected fish to be one of: bash, zsh');
  });
});
