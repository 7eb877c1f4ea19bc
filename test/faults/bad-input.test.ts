/**
 * The bad-input corpus, through the BUILT CLI on the real cluster: etcd values and keys, corrupt
 * IPAM, node maps, plan files, journals, export files, configuration and connection, flags. Each
 * case asserts the exit code, that the message names what is wrong (the key, object, file or
 * flag), that there is no stack trace (cli() checks it) and that neither datastore changed: the
 * digest of both (every etcd key's mod_revision, every Calico object, Node annotations and the
 * apply lease) is the same before and after.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { EXIT_CODES } from '../../src/errors.js';
import type { KV } from '../../scripts/cluster/seed.js';
import { datasetKvs, seedDataset } from '../integration/support/datasets.js';
import { Workdir, cli, worldSnapshot } from '../integration/support/e2e.js';

interface Case {
  name: string;
  exit: number;
  /** What the output (stderr; stdout too for a failed check) must name. */
  names: string | RegExp;
  /** Etcd entries on top of the `full` dataset (the source is re-seeded for the case). */
  etcd?: KV[];
  /** The whole source instead of the `full` dataset (e.g. none at all). */
  source?: KV[];
  /** Prepares files in the working directory; returns the command line. */
  args: (w: Workdir) => string[] | Promise<string[]>;
  /** Text the output must not contain (credentials). */
  never?: string;
}

const FULL = datasetKvs('full');
const BAD = datasetKvs('bad-input');
const badKv = (suffix: string): KV => {
  const kv = BAD.find((k) => k.key.endsWith(suffix)) ?? BAD.find((k) => k.key.includes(suffix));
  assert.ok(kv, `bad-input has no key ending ${suffix}`);
  return kv;
};
const BLOCK_KEY = '/calico/ipam/v2/assignment/ipv4/block/10.100.0.0-26';
const HANDLE_KEY = '/calico/ipam/v2/handle/frontend-prod-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** The `full` dataset's block 10.100.0.0/26, edited. */
function block(edit: (b: any) => void): KV {
  const b = JSON.parse(FULL.find((k) => k.key === BLOCK_KEY)!.value);
  edit(b);
  return { key: BLOCK_KEY, value: JSON.stringify(b) };
}

const plan = () => ['plan', '--out', 'plan.json', '--no-server-dry-run'];

/** One source entry of the bad-input dataset (with what it needs to show its error) per case: plan exits 5 naming the key. */
const etcdCases: Case[] = [
  ['invalid block CIDR in the key', ['ipv4/block/10.0.0.0-33']],
  ['IPv6 block under ipv4', ['ipv4/block/fd00::-122']],
  ['unknown resource kind', ['foobars/x']],
  ['namespaced kind without a namespace in the key', ['networkpolicies/no-namespace']],
  ['key outside the v3 layout', ['/calico/something/else']],
  ['node without a k8s orchestrator reference', ['nodes/node-orphan']],
  ['two etcd nodes mapping to one Kubernetes node', ['nodes/node-b', 'nodes/node-a']],
  ['node with an invalid AS number', ['nodes/node-badasn']],
  ['value that is not JSON', ['globalnetworkpolicies/broken-json']],
  ['name that is not a DNS name', ['globalnetworksets/Bad_Name']],
  ['invalid label', ['globalnetworksets/bad-label']],
  ['kind in the value differs from the key', ['globalnetworksets/wrong-kind']],
  ['old apiVersion', ['hostendpoints/old-api']],
  ['value that is a JSON array', ['ippools/array-value']],
  ['IPPool with an invalid CIDR', ['ippools/bad-cidr']],
  ['IPPool CIDR with host bits set', ['ippools/unmasked']],
  ['tiered policy name without its tier prefix', ['networkpolicies/prod/no-prefix']],
  ['namespace in the value differs from the key', ['networkpolicies/prod/ns-mismatch']],
  ['name in the value differs from the key', ['networksets/prod/name-mismatch']],
  ['name longer than 253 characters', ['networksets/prod/nxxxxxxxxxx']],
  ['overlapping IPPools', ['ippools/overlap-a', 'ippools/overlap-b']],
  ['IPAM config that is not valid', ['/calico/ipam/v2/config']],
  ['block whose CIDR differs from its key', ['ipv4/block/10.9.0.0-26']],
  ['block affinity that is not JSON', ['/calico/ipam/v2/host/node-a/ipv4/block/10.8.0.0-26']],
  ['IPAM handle with an invalid value', ['/calico/ipam/v2/handle/bad-handle']],
  ['two policies converting to one object', ['globalnetworkpolicies/default.dup', 'globalnetworkpolicies/dup']],
  ['two node FelixConfigurations converting to one object', ['nodes/node-a', 'nodes/node-b', 'felixconfigurations/node.node-a', 'felixconfigurations/node.node-b']],
].map(([name, suffixes]) => {
  const kvs = (suffixes as string[]).map(badKv);
  // The key the message must name: the last one given (a long name is matched by its start).
  const named = kvs[kvs.length - 1]!.key.slice(0, 120);
  return { name: `etcd: ${name as string}`, exit: EXIT_CODES.SOURCE_INVALID, names: named, etcd: kvs, args: plan };
});

/** Corrupt IPAM the conversion accepts but the plan checks refuse: the plan is written with a failed check (exit 3). */
const ipamCases: Case[] = [
  { name: 'IPAM: allocations shorter than the block', names: 'IPAMBlock 10-100-0-0-26: allocations has 63 entries, not the 64 of a /26', etcd: [block((b) => b.allocations.pop())] },
  { name: 'IPAM: an allocation index beyond attributes', names: 'allocations[0] = 5 is not an index into its 1 attributes', etcd: [block((b) => (b.allocations[0] = 5))] },
  { name: 'IPAM: an ordinal both allocated and unallocated', names: 'ordinal 0 is both allocated and in unallocated', etcd: [block((b) => b.unallocated.unshift(0))] },
  { name: 'IPAM: an ordinal neither allocated nor unallocated', names: '1 ordinal(s) are neither allocated nor in unallocated', etcd: [block((b) => b.unallocated.shift())] },
  {
    name: 'IPAM: a handle counting more than its block gives it',
    names: 'whose IPAMHandle counts 2 in 10.100.0.0/26',
    etcd: [{ key: HANDLE_KEY, value: JSON.stringify({ block: { '10.100.0.0/26': 2 }, deleted: false }) }],
  },
  {
    name: 'IPAM: a handle naming a block that does not exist',
    names: 'block 10.200.0.0/26 has no IPAMBlock',
    etcd: [{ key: HANDLE_KEY, value: JSON.stringify({ block: { '10.100.0.0/26': 1, '10.200.0.0/26': 1 }, deleted: false }) }],
  },
].map((c) => ({ ...c, exit: EXIT_CODES.CHECK_FAILED, args: plan }));

/** A good plan of the current source and target, made once per case that needs one. */
async function goodPlan(w: Workdir): Promise<string> {
  await cli(w, ['plan', '--out', 'good.json', '--no-server-dry-run'], 0);
  return readFileSync(w.path('good.json'), 'utf8');
}

const fileCases: Case[] = [
  // Node maps.
  { name: 'node map: missing file', exit: EXIT_CODES.USAGE, names: 'nodes.yaml', args: () => [...plan(), '--node-map', 'nodes.yaml'] },
  {
    name: 'node map: not YAML',
    exit: EXIT_CODES.USAGE,
    names: 'nodes.yaml',
    args: (w) => (writeFileSync(w.path('nodes.yaml'), 'a: [b\n'), [...plan(), '--node-map', 'nodes.yaml']),
  },
  {
    name: 'node map: a value that is not a node name',
    exit: EXIT_CODES.USAGE,
    names: 'nodes.yaml',
    args: (w) => (writeFileSync(w.path('nodes.yaml'), 'worker-3: 5\n'), [...plan(), '--node-map', 'nodes.yaml']),
  },
  {
    name: 'node map: a list, not a mapping',
    exit: EXIT_CODES.USAGE,
    names: 'nodes.yaml',
    args: (w) => (writeFileSync(w.path('nodes.yaml'), '- worker-3\n'), [...plan(), '--node-map', 'nodes.yaml']),
  },
  // Plan files.
  { name: 'plan file: missing', exit: EXIT_CODES.USAGE, names: 'nope.json', args: () => ['apply', 'nope.json', '--auto-approve'] },
  { name: 'plan file: a directory', exit: EXIT_CODES.USAGE, names: 'adir', args: (w) => (mkdirSync(w.path('adir')), ['apply', 'adir', '--auto-approve']) },
  { name: 'plan file: empty', exit: EXIT_CODES.PLAN_INVALID, names: 'empty.json', args: (w) => (writeFileSync(w.path('empty.json'), ''), ['apply', 'empty.json', '--auto-approve']) },
  { name: 'plan file: not JSON', exit: EXIT_CODES.PLAN_INVALID, names: 'x.json', args: (w) => (writeFileSync(w.path('x.json'), 'not json\n'), ['apply', 'x.json', '--auto-approve']) },
  {
    name: 'plan file: one byte changed',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'edited.json',
    args: async (w) => {
      const text = await goodPlan(w);
      writeFileSync(w.path('edited.json'), text.replace('"wave":', '"wave": '));
      return ['apply', 'edited.json', '--auto-approve'];
    },
  },
  {
    name: 'plan file: truncated',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'cut.json',
    args: async (w) => {
      const text = await goodPlan(w);
      writeFileSync(w.path('cut.json'), text.slice(0, Math.floor(text.length / 2)));
      return ['apply', 'cut.json', '--auto-approve'];
    },
  },
  {
    name: 'plan file: format 1 (one JSON document)',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'format_version "1"',
    args: (w) => (
      writeFileSync(w.path('v1.json'), JSON.stringify({ format_version: '1', kind: 'CalicoMigrationPlan', plan_id: 'sha256:00', resource_changes: [] })),
      ['apply', 'v1.json', '--auto-approve']
    ),
  },
  {
    name: 'plan file: a FIFO',
    exit: EXIT_CODES.USAGE,
    names: 'fifo.json',
    args: (w) => (execFileSync('mkfifo', [w.path('fifo.json')]), ['apply', 'fifo.json', '--auto-approve']),
  },
  {
    name: 'plan file: not the approved plan_id',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'sha256:0000',
    args: async (w) => (await goodPlan(w), ['apply', 'good.json', '--auto-approve', '--expect-plan-id', `sha256:${'0'.repeat(64)}`]),
  },
  {
    name: 'show: a plan file changed by hand',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'edited.json',
    args: async (w) => {
      const text = await goodPlan(w);
      writeFileSync(w.path('edited.json'), text.replace('"kind":"CalicoMigrationPlan"', '"kind":"CalicoMigrationPlam"'));
      return ['show', 'edited.json'];
    },
  },
  // Journals.
  {
    name: 'journal: --resume of a journal that does not exist',
    exit: EXIT_CODES.USAGE,
    names: 'missing.jsonl',
    args: async (w) => (await goodPlan(w), ['apply', 'good.json', '--resume', 'missing.jsonl', '--auto-approve']),
  },
  {
    name: 'journal: --resume of a journal that is not JSON Lines',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'junk.jsonl',
    args: async (w) => (await goodPlan(w), writeFileSync(w.path('junk.jsonl'), 'hello\n'), ['apply', 'good.json', '--resume', 'junk.jsonl', '--auto-approve']),
  },
  {
    name: 'journal: --resume of the journal of another plan',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'other.jsonl',
    args: async (w) => {
      await goodPlan(w);
      const header = { type: 'header', plan_id: `sha256:${'1'.repeat(64)}`, plan_path: 'x.json', reverse_path: 'r.json', started_at: '2026-01-01T00:00:00Z', tool_version: '0.1.0', holder: 'x' };
      writeFileSync(w.path('other.jsonl'), `${JSON.stringify(header)}\n`);
      return ['apply', 'good.json', '--resume', 'other.jsonl', '--auto-approve'];
    },
  },
  { name: 'journal: rollback --journal that does not exist', exit: EXIT_CODES.USAGE, names: 'gone.jsonl', args: () => ['rollback', '--journal', 'gone.jsonl'] },
  {
    name: 'journal: rollback --journal that is empty',
    exit: EXIT_CODES.PLAN_INVALID,
    names: 'empty.jsonl',
    args: (w) => (writeFileSync(w.path('empty.jsonl'), ''), ['rollback', '--journal', 'empty.jsonl']),
  },
  { name: 'journal: rollback with no journal in the state dir', exit: EXIT_CODES.USAGE, names: 'no apply journal', args: () => ['rollback'] },
  // Export files.
  { name: 'export file: missing', exit: EXIT_CODES.USAGE, names: 'export.yaml', args: () => ['plan', '--from-export', 'export.yaml', '--out', 'plan.json', '--no-server-dry-run'] },
  {
    name: 'export file: not YAML',
    exit: EXIT_CODES.SOURCE_INVALID,
    names: 'export.yaml',
    args: (w) => (writeFileSync(w.path('export.yaml'), 'kind: [x\n'), ['plan', '--from-export', 'export.yaml', '--out', 'plan.json', '--no-server-dry-run']),
  },
  {
    name: 'export file: empty',
    exit: EXIT_CODES.SOURCE_INVALID,
    names: 'export.yaml',
    args: (w) => (writeFileSync(w.path('export.yaml'), ''), ['plan', '--from-export', 'export.yaml', '--out', 'plan.json', '--no-server-dry-run']),
  },
  {
    name: 'export file: a document of an unknown kind',
    exit: EXIT_CODES.SOURCE_INVALID,
    names: 'Frobnicator',
    args: (w) => (
      writeFileSync(w.path('export.yaml'), 'apiVersion: projectcalico.org/v3\nkind: Frobnicator\nmetadata:\n  name: x\n===\n===\n'),
      ['plan', '--from-export', 'export.yaml', '--out', 'plan.json', '--no-server-dry-run']
    ),
  },
  {
    name: 'export file: a document that is a list of strings',
    exit: EXIT_CODES.SOURCE_INVALID,
    names: 'export.yaml',
    args: (w) => (writeFileSync(w.path('export.yaml'), '- a\n- b\n'), ['plan', '--from-export', 'export.yaml', '--out', 'plan.json', '--no-server-dry-run']),
  },
];

const SECRET = 's3cret-pw';
const connectionCases: Case[] = [
  { name: 'connection: etcd that does not answer', exit: EXIT_CODES.CONNECTION, names: '127.0.0.1:9', args: () => [...plan(), '--etcd-endpoints', 'http://127.0.0.1:9', '--request-timeout', '2'] },
  {
    name: 'connection: a password in the etcd URL is never printed',
    exit: EXIT_CODES.CONNECTION,
    names: '127.0.0.1:9',
    never: SECRET,
    args: () => [...plan(), '--etcd-endpoints', `http://root:${SECRET}@127.0.0.1:9`, '--request-timeout', '2'],
  },
  { name: 'connection: an etcd endpoint that is not a URL', exit: EXIT_CODES.USAGE, names: 'not a url', args: () => [...plan(), '--etcd-endpoints', 'not a url'] },
  { name: 'connection: a kubeconfig that does not exist', exit: EXIT_CODES.USAGE, names: 'nokube.yaml', args: () => [...plan(), '--kubeconfig', 'nokube.yaml'] },
  {
    name: 'connection: a kubeconfig that is not YAML',
    exit: EXIT_CODES.USAGE,
    names: 'bad-kube.yaml',
    args: (w) => (writeFileSync(w.path('bad-kube.yaml'), 'clusters: [\n'), [...plan(), '--kubeconfig', 'bad-kube.yaml']),
  },
  { name: 'connection: a kubeconfig context that does not exist', exit: EXIT_CODES.USAGE, names: 'no-such-context', args: () => [...plan(), '--context', 'no-such-context'] },
  { name: 'connection: a --source-config that does not exist', exit: EXIT_CODES.USAGE, names: 'src.yaml', args: () => [...plan(), '--source-config', 'src.yaml'] },
  {
    name: 'connection: a --source-config for the Kubernetes datastore',
    exit: EXIT_CODES.USAGE,
    names: 'src.yaml',
    args: (w) => (
      writeFileSync(w.path('src.yaml'), 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: kubernetes\n'),
      [...plan(), '--source-config', 'src.yaml']
    ),
  },
  { name: 'connection: an etcd CA certificate that does not exist', exit: EXIT_CODES.USAGE, names: 'ca.pem', args: () => [...plan(), '--etcd-ca-cert', 'ca.pem'] },
  {
    name: 'connection: --from-export together with --etcd-endpoints',
    exit: EXIT_CODES.USAGE,
    names: '--from-export',
    args: () => [...plan(), '--from-export', 'x.yaml', '--etcd-endpoints', 'http://127.0.0.1:2379'],
  },
];

const flagCases: Case[] = [
  ['--parallelism 0', [...plan(), '--parallelism', '0'], '--parallelism'],
  ['--parallelism -1', [...plan(), '--parallelism=-1'], '--parallelism'],
  ['--parallelism abc', [...plan(), '--parallelism', 'abc'], '--parallelism'],
  ['--request-timeout 0', [...plan(), '--request-timeout', '0'], '--request-timeout'],
  ['an unknown flag', [...plan(), '--frobnicate'], '--frobnicate'],
  ['--out into a directory that does not exist', ['plan', '--out', 'no/such/dir/plan.json', '--no-server-dry-run'], 'no/such/dir'],
  ['--include with too many segments', [...plan(), '--include', 'a/b/c/d'], 'a/b/c/d'],
  ['--fail-on with an unknown condition', [...plan(), '--fail-on', 'bogus'], 'bogus'],
  ['apply without a plan file', ['apply', '--auto-approve'], 'Missing required argument: plan'],
  ['an unknown command (not exit 2, which means changes)', ['pln', '--detailed-exitcode'], 'Did you mean plan?'],
  ['an extra argument', ['plan', 'out.json', '--detailed-exitcode'], 'Unexpected argument: out.json'],
  ['rollback --restore without --against-target', ['rollback', '--restore', 'NetworkSet'], '--against-target'],
  ['rollback --on-drift with an unknown decision', ['rollback', '--against-target', '--on-drift', 'maybe'], 'maybe'],
  ['status with an unknown flag', ['status', '--everything'], '--everything'],
  // -o named the plan file before it named a format: the file is --out now, and the hint says so.
  ['plan -o yaml (a format plan has not)', ['plan', '-o', 'yaml', '--no-server-dry-run'], 'the file is --out FILE'],
  ['plan -o FILE (the old meaning of -o)', ['plan', '-o', 'plan.json', '--no-server-dry-run'], 'the file is --out plan.json'],
  ['show -o with a format show has not', ['show', 'plan.json', '-o', 'yaml'], 'expected one of text, markdown, json'],
].map(([name, args, names]) => ({ name: `flags: ${name as string}`, exit: EXIT_CODES.USAGE, names: names as string, args: () => args as string[] }));

const stateDirCase: Case = {
  name: 'flags: a --state-dir that is a file',
  exit: EXIT_CODES.USAGE,
  names: 'state-file',
  args: (w) => (writeFileSync(w.path('state-file'), 'x'), [...plan(), '--state-dir', 'state-file']),
};

/** A source without a single key under /calico/ (a wrong endpoint or prefix) is refused by every command that reads it whole. */
const emptySourceCases: Case[] = [
  ['plan', plan()],
  ['verify', ['verify']],
  ['cutover', ['cutover', '--auto-approve']],
  ['export', ['export', '--out', 'plan.json']],
].map(([name, args]) => ({
  name: `an etcd with no Calico keys: ${name as string}`,
  exit: EXIT_CODES.SOURCE_INVALID,
  names: /has no keys under \/calico\/.*\nNext step: check --etcd-endpoints/,
  source: [],
  args: () => args as string[],
}));

/** Confirmations a script cannot give: refused (ABORTED) before anything is locked or unlocked. */
const confirmationCases: Case[] = [
  ['lock', ['lock']],
  ['lock --datastore kubernetes', ['lock', '--datastore', 'kubernetes']],
  ['unlock --datastore kubernetes', ['unlock', '--datastore', 'kubernetes']],
].map(([name, args]) => ({
  name: `no terminal, no --auto-approve: ${name as string}`,
  exit: EXIT_CODES.ABORTED,
  names: /needs confirmation.*\nNext step: pass --auto-approve/,
  args: () => args as string[],
}));

const CASES: Case[] = [...etcdCases, ...ipamCases, ...fileCases, ...connectionCases, ...flagCases, stateDirCase, ...emptySourceCases, ...confirmationCases];

function digest(world: unknown): string {
  return createHash('sha256').update(JSON.stringify(world)).digest('hex');
}

describe('bad-input corpus: exit code, a message naming the input, no stack trace, both datastores unchanged (built CLI, real cluster)', function () {
  this.timeout(600_000);
  Workdir.cleanUpAfterSuite();
  let seeded = '';

  it(`holds at least 60 cases (${CASES.length})`, () => assert.ok(CASES.length >= 60));

  for (const c of CASES) {
    it(c.name, async () => {
      // Re-seed only when the source must differ from the plain `full` dataset.
      const kvs = c.source ?? (c.etcd ? [...FULL.filter((k) => !c.etcd!.some((e) => e.key === k.key)), ...c.etcd] : FULL);
      const id = digest(kvs);
      if (seeded !== id) {
        await seedDataset(kvs);
        seeded = id;
      }
      const w = new Workdir();
      const args = await c.args(w);
      const before = await worldSnapshot();
      const r = await cli(w, args, c.exit);
      const out = c.exit === EXIT_CODES.CHECK_FAILED ? r.stdout + r.stderr : r.stderr;
      if (typeof c.names === 'string') assert.ok(out.includes(c.names), `the output names ${c.names}:\n${out}`);
      else assert.match(out, c.names);
      if (c.exit !== EXIT_CODES.CHECK_FAILED) assert.match(r.stderr, /Next step: /, 'the message says what to do next');
      if (c.never) assert.ok(!r.stdout.includes(c.never) && !r.stderr.includes(c.never), 'no credential in the output');
      if (c.exit === EXIT_CODES.SOURCE_INVALID) assert.equal(existsSync(w.path('plan.json')), false, 'no plan file');
      assert.equal(digest(await worldSnapshot()), digest(before), 'both datastores are unchanged');
    });
  }
});
