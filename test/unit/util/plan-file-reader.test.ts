import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReversePlanWriter, type OutcomeLookup } from '../../../src/apply/reverse-plan.js';
import { MigrateError } from '../../../src/errors.js';
import { parsePlan, serializePlan } from '../../../src/plan/plan-file.js';
import { validateExecutable } from '../../../src/apply/executor.js';
import { bodiesNameChange, createdBodyText, readPlanFile } from '../../../src/util/plan-file-reader.js';
import { clusterInformationCreate, cr, createChange, deleteChange, nodeChange, planBody, updateChange } from '../apply/plan-builders.js';

function body() {
  const big = cr('IPAMBlock', '10-0-0-0-26', { cidr: '10.0.0.0/26', sequenceNumberForAllocation: { '0': 0, '10': 10, '2': 2 }, allocations: [0, null, 1] });
  const changes = [
    ...clusterInformationCreate(),
    createChange(cr('Tier', 'security', { order: 100 }), { wave: 1 }),
    createChange(big, { wave: 5 }),
    createChange(cr('NetworkPolicy', 'web', { selector: "app == 'a\"b'", order: 1 }, 'prod'), { wave: 7 }),
    updateChange(cr('GlobalNetworkSet', 'old', { nets: ['10.0.0.0/8'] }, undefined, { uid: 'u-1', resourceVersion: '5' }), cr('GlobalNetworkSet', 'old', { nets: ['10.1.0.0/16'] }), { wave: 6 }),
    deleteChange(cr('NetworkSet', 'gone', { nets: ['10.9.0.0/16'] }, 'prod', { uid: 'u-2', resourceVersion: '6' })),
    nodeChange(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-1', resourceVersion: '9', annotations: { 'projectcalico.org/IPv4Address': '10.0.0.1/24' } } },
      { 'projectcalico.org/IPv4Address': '10.0.0.2/24' },
    ),
  ];
  return planBody(changes);
}

describe('readPlanFile (a plan kept on disk, bodies read back on demand)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'plan-reader-'))));

  it('refuses a FIFO at once (USAGE, not a regular file) instead of waiting for a writer', () => {
    const fifo = path.join(dir, 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(
      () => readPlanFile(fifo),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /plan file .*plan\.fifo is not a regular file/.test(e.message),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function written(): { file: string; text: string } {
    const { text } = serializePlan(body());
    const file = path.join(dir, 'p.plan');
    writeFileSync(file, text);
    return { file, text };
  }

  it('reads the same plan as parsePlan, bodies included (its JSON form is the same)', () => {
    const { file, text } = written();
    const lazy = readPlanFile(file);
    try {
      assert.deepEqual(JSON.parse(JSON.stringify(lazy)), JSON.parse(JSON.stringify(parsePlan(text, file))));
      assert.deepEqual(
        lazy.resource_changes.map((c) => c.change.after),
        parsePlan(text, file).resource_changes.map((c) => c.change.after),
      );
    } finally {
      lazy.close();
    }
  });

  it('reads every body right across megabyte blocks, in any order: lines that straddle reads, one longer than several blocks', () => {
    const nets = (n: number, salt: number) => Array.from({ length: n }, (_, i) => `10.${salt & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    const changes = Array.from({ length: 2500 }, (_, i) => createChange(cr('GlobalNetworkSet', `set-${String(i).padStart(4, '0')}`, { nets: nets(100, i) }), { wave: 6 }));
    // About 3.5 MB on one line: it spans four or five of the reader's 1 MB blocks.
    changes.splice(1200, 0, createChange(cr('GlobalNetworkSet', 'set-huge', { nets: nets(180000, 7) }), { wave: 6 }));
    const { text } = serializePlan(planBody(changes));
    assert.ok(text.length > 6 << 20, `the plan spans more blocks than the reader caches (${text.length} bytes)`);
    const file = path.join(dir, 'big.plan');
    writeFileSync(file, text);
    const expected = parsePlan(text, file).resource_changes.map((c) => JSON.stringify(c.change));
    const lazy = readPlanFile(file);
    try {
      // Forwards, backwards, then strided: every order evicts and recycles blocks differently.
      const n = lazy.resource_changes.length;
      const order = [...Array(n).keys(), ...[...Array(n).keys()].reverse(), ...Array.from({ length: n }, (_, i) => (i * 997) % n)];
      for (const i of order) assert.equal(JSON.stringify(lazy.resource_changes[i]!.change), expected[i], `change ${i}`);
    } finally {
      lazy.close();
    }
  });

  it('writes a reverse plan byte-identical to the one made from the plan in memory (spliced create bodies included)', async () => {
    const { file, text } = written();
    const lookup: OutcomeLookup = (address) => ({ status: address.includes('NetworkPolicy') ? 'pending' : 'ok', uid: 'uid-of-' + address.length, resourceVersion: '77' });
    const fromMemory = new ReversePlanWriter(path.join(dir, 'r1.json'), parsePlan(text, file), '1.0.0');
    await fromMemory.write(lookup);
    const lazy = readPlanFile(file);
    try {
      const fromFile = new ReversePlanWriter(path.join(dir, 'r2.json'), lazy, '1.0.0');
      await fromFile.write(lookup);
      assert.equal(readFileSync(path.join(dir, 'r2.json'), 'utf8'), readFileSync(path.join(dir, 'r1.json'), 'utf8'));
      assert.equal(fromFile.lastPlanId, fromMemory.lastPlanId);
      // The reverse plan is itself a valid plan file.
      assert.equal(parsePlan(readFileSync(path.join(dir, 'r2.json'), 'utf8'), 'r2.json').plan_id, fromFile.lastPlanId);
    } finally {
      lazy.close();
    }
  });

  it("says whether each change's bodies are its own object as it reads the file, and apply's check relies on that", () => {
    const { file } = written();
    const lazy = readPlanFile(file);
    try {
      assert.ok(lazy.resource_changes.every((c) => bodiesNameChange(c) === true));
      validateExecutable(lazy);
      // A create's text (what apply sends) is its `after` as JSON: the same value, whatever its key order.
      for (const c of lazy.resource_changes) {
        const text = createdBodyText(c)?.();
        if (text !== undefined) assert.deepEqual(JSON.parse(text), c.change.after);
      }
    } finally {
      lazy.close();
    }
    const misnamed = body();
    const tier = misnamed.resource_changes.find((c) => c.kind === 'Tier')!;
    tier.change = { ...tier.change, after: cr('Tier', 'elsewhere', { order: 100 }) } as typeof tier.change;
    const other = path.join(dir, 'misnamed.plan');
    writeFileSync(other, serializePlan(misnamed).text);
    const read = readPlanFile(other);
    try {
      assert.equal(bodiesNameChange(read.resource_changes.find((c) => c.kind === 'Tier')!), false);
      assert.throws(
        () => validateExecutable(read),
        (e: unknown) => e instanceof MigrateError && e.exitName === 'PLAN_INVALID' && /its `after` object is .*Tier elsewhere/.test(e.message),
      );
    } finally {
      read.close();
    }
  });

  it('refuses a body whose bytes changed after the file was checked', () => {
    const { file, text } = written();
    const lazy = readPlanFile(file);
    try {
      // Same length, one byte different, in the Tier's spec.
      writeFileSync(file, text.replace('"order":100', '"order":900'));
      assert.throws(
        () => lazy.resource_changes.map((c) => c.change.after),
        (e: unknown) => e instanceof MigrateError && e.exitName === 'PLAN_INVALID' && /modified while it was in use/.test(e.message),
      );
    } finally {
      lazy.close();
    }
  });

  it('refuses what parsePlan refuses, naming the file; a FIFO or directory is not read', () => {
    const { file, text } = written();
    writeFileSync(file, text.replace('"order":100', '"order":101'));
    assert.throws(
      () => readPlanFile(file),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'PLAN_INVALID' && e.message.includes(file),
    );
    writeFileSync(file, text.slice(0, text.length - 5));
    assert.throws(() => readPlanFile(file), /not valid JSON|truncated|modified/);
    assert.throws(
      () => readPlanFile(dir),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /not a regular file/.test(e.message),
    );
    assert.throws(
      () => readPlanFile(path.join(dir, 'missing.plan')),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /ENOENT/.test(e.message),
    );
  });
});
