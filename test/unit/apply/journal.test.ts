import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { JOURNAL_SCHEMA_URL, JournalWriter, parseJournal, readJournal, validateJournalLine } from '../../../src/apply/journal.js';
import { journalState } from '../../../src/apply/resume.js';
import { type MigrateError } from '../../../src/errors.js';

const PLAN_ID = 'sha256:' + 'a'.repeat(64);
const clock = () => new Date('2026-01-02T03:04:05.000Z');
const header = { plan_id: PLAN_ID, plan_path: 'plan.json', reverse_path: 'plan.reverse.json', started_at: '2026-01-02T03:04:05.000Z', tool_version: '0.1.0', holder: 'me@host/1/x' };

describe('apply journal', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function sample(file: string): Promise<void> {
    const j = await JournalWriter.create(file, header, clock);
    const a = j.intent('x/A/a', 'create');
    const b = j.intent('x/B/b', 'update');
    await j.commit();
    j.result(a, 'x/A/a', 'create', { status: 'ok', uid: 'u1', resource_version: '5' });
    j.result(b, 'x/B/b', 'update', { status: 'error', message: 'HTTP 409' });
    j.end('partial');
    await j.close();
  }

  it('writes a header, intents, results and an end line that read back and validate', async () => {
    const file = path.join(dir, 'j.jsonl');
    await sample(file);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      ['header', 'intent', 'intent', 'result', 'result', 'end'],
    );
    for (const l of lines) assert.equal(validateJournalLine(l), null);
    // The published schema (one document, oneOf the four line types) accepts every line too.
    const whole = new Ajv({ strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(JOURNAL_SCHEMA_URL, 'utf8')));
    for (const l of lines) assert.ok(whole(l), JSON.stringify(whole.errors));
    assert.ok(!whole({ ...lines[1], seq: 0 }));
    assert.deepEqual(lines[1], { type: 'intent', seq: 1, address: 'x/A/a', action: 'create', at: '2026-01-02T03:04:05.000Z' });
    assert.equal(lines[3].uid, 'u1');
    const c = readJournal(file);
    assert.equal(c.header.plan_id, PLAN_ID);
    assert.equal(c.entries.length, 6);
    assert.equal(c.droppedTail, false);
    const st = journalState(c);
    assert.equal(st.byAddress.get('x/A/a')?.status, 'ok');
    assert.equal(st.byAddress.get('x/B/b')?.status, 'error');
  });

  it('refuses to overwrite an existing journal', async () => {
    const file = path.join(dir, 'j.jsonl');
    await sample(file);
    await assert.rejects(JournalWriter.create(file, header, clock), (e: MigrateError) => e.exitName === 'USAGE' && /already exists/.test(e.message));
  });

  it('only makes lines durable on commit (group commit)', async () => {
    const file = path.join(dir, 'j.jsonl');
    const j = await JournalWriter.create(file, header, clock);
    j.intent('x/A/a', 'create');
    j.intent('x/A/b', 'create');
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1);
    await j.commit();
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 3);
    await j.close();
  });

  it('tolerates a torn last line and resume truncates it before appending', async () => {
    const file = path.join(dir, 'j.jsonl');
    await sample(file);
    appendFileSync(file, '{"type":"intent","seq":3,"addr');
    const c = readJournal(file);
    assert.equal(c.droppedTail, true);
    assert.equal(c.entries.length, 6);
    const j = await JournalWriter.reopen(file, c, { ...header, started_at: '2026-01-02T04:00:00.000Z' }, clock);
    const seq = j.intent('x/C/c', 'delete');
    assert.equal(seq, 3);
    await j.close();
    const again = readJournal(file);
    assert.equal(again.droppedTail, false);
    assert.deepEqual(
      again.entries.map((e) => e.type),
      ['header', 'intent', 'intent', 'result', 'result', 'end', 'header', 'intent'],
    );
  });

  it('accepts a complete last line missing its newline and terminates it on resume', async () => {
    const file = path.join(dir, 'j.jsonl');
    await sample(file);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, -1));
    const c = readJournal(file);
    assert.equal(c.needsNewline, true);
    assert.equal(c.entries.length, 6);
    const j = await JournalWriter.reopen(file, c, header, clock);
    await j.close();
    assert.equal(readJournal(file).entries.length, 7);
  });

  it('rejects a corrupt middle line, naming the line', async () => {
    const file = path.join(dir, 'j.jsonl');
    await sample(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = '{"type":"intent","seq":2,"addr';
    writeFileSync(file, lines.join('\n'));
    assert.throws(
      () => readJournal(file),
      (e: MigrateError) => e.exitName === 'PLAN_INVALID' && /line 3 is not valid JSON/.test(e.message),
    );
  });

  it('rejects a middle line that breaks the schema, naming the line and field', () => {
    const text = [
      JSON.stringify({ type: 'header', ...header }),
      JSON.stringify({ type: 'intent', seq: 1, address: 'a', action: 'create' }),
      JSON.stringify({ type: 'end', status: 'partial', at: 'x' }),
      '',
    ].join('\n');
    assert.throws(
      () => parseJournal(text, 'j'),
      (e: MigrateError) => /line 2 .*missing required field "at"/.test(e.message),
    );
    const bad = [
      JSON.stringify({ type: 'header', ...header }),
      JSON.stringify({ type: 'intent', seq: 1, address: 'a', action: 'explode', at: 'x' }),
      JSON.stringify({ type: 'end', status: 'partial', at: 'x' }),
    ].join('\n');
    assert.throws(
      () => parseJournal(bad, 'j'),
      (e: MigrateError) => /line 2 \/action must be equal to one of the allowed values/.test(e.message),
    );
    const unknown = [JSON.stringify({ type: 'header', ...header }), JSON.stringify({ type: 'oops' }), JSON.stringify({ type: 'end', status: 'partial', at: 'x' })].join('\n');
    assert.throws(
      () => parseJournal(unknown, 'j'),
      (e: MigrateError) => /line 2 has unknown type "oops"/.test(e.message),
    );
  });

  it('rejects structural errors: no header, result without intent, another plan', () => {
    const intent = JSON.stringify({ type: 'intent', seq: 1, address: 'a', action: 'create', at: 't' });
    const h = JSON.stringify({ type: 'header', ...header });
    assert.throws(() => parseJournal(`${intent}\n${h}\n`, 'j'), /line 1 is a "intent" line before the header/);
    const orphan = JSON.stringify({ type: 'result', seq: 9, address: 'a', action: 'create', status: 'ok', uid: null, resource_version: null, message: null, at: 't' });
    assert.throws(() => parseJournal(`${h}\n${orphan}\n${h}\n`, 'j'), /line 2 is a result for seq 9, which has no intent/);
    const other = JSON.stringify({ type: 'header', ...header, plan_id: 'sha256:' + 'b'.repeat(64) });
    assert.throws(() => parseJournal(`${h}\n${other}\n`, 'j'), /line 2 is a header for plan sha256:b+/);
    assert.throws(() => parseJournal('', 'j'), /has no header line/);
  });

  it('derives per-address state: latest intent wins, open intents, and the chain', () => {
    const lines = [
      { type: 'header', ...header },
      { type: 'intent', seq: 1, address: 'ci#lock', action: 'create', at: 't' },
      { type: 'result', seq: 1, address: 'ci#lock', action: 'create', status: 'ok', uid: 'u9', resource_version: '11', message: null, at: 't' },
      { type: 'intent', seq: 2, address: 'p', action: 'create', at: 't' },
      { type: 'result', seq: 2, address: 'p', action: 'create', status: 'error', uid: null, resource_version: null, message: 'x', at: 't' },
      { type: 'intent', seq: 3, address: 'p', action: 'create', at: 't' },
    ];
    // The plan says which addresses are steps of one object (chainKey); here `ci#lock` is.
    const st = journalState(parseJournal(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'j'), (address) => (address === 'ci#lock' ? 'ci' : null));
    assert.equal(st.byAddress.get('p')?.status, 'open');
    assert.equal(st.byAddress.get('p')?.seq, 3);
    assert.deepEqual(st.chain.get('ci'), { uid: 'u9', resourceVersion: '11' });
  });
});
