import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ProgressPresenter, type ProgressLine } from '../../../src/cli/progress-presenter.js';
import { TerminalIo } from '../../../src/cli/terminal-io.js';
import type { MigrateEvent } from '../../../src/io.js';

/** The events of a small apply, as the engine emits them (two waves, one forced progress per wave end). */
const APPLY: MigrateEvent[] = [
  { type: 'apply_start', total: 10, waves: 2, done: 0, parallelism: 4, resumed: false },
  { type: 'wave_start', wave: 1, phase: 'apply', count: 6, planned: 6 },
  { type: 'apply_progress', done: 3, total: 10, rate_per_s: 12.4, eta_s: 0.6, wave: 1 },
  { type: 'apply_progress', done: 6, total: 10, rate_per_s: 15.5, eta_s: 0.3, wave: 1 },
  { type: 'wave_start', wave: 2, phase: 'delete', count: 4, planned: 4 },
  { type: 'apply_warning', message: 'could not release the apply lease: gone' },
  { type: 'apply_progress', done: 10, total: 10, rate_per_s: 20, eta_s: 0, wave: 2 },
  { type: 'apply_complete', done: 10, total: 10, seconds: 0.5 },
];

/** Records what the presenter draws: `update:<text>` and `end` in order. */
function recordingLine(): ProgressLine & { calls: string[] } {
  const calls: string[] = [];
  return { calls, update: (t) => calls.push(`update:${t}`), end: () => calls.push('end') };
}

/** A writable that keeps what was written; `isTTY` makes it pass for a terminal. */
function sink(isTTY = false): Writable & { text: () => string; isTTY?: boolean } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text: () => string; isTTY?: boolean };
  w.text = () => chunks.join('');
  if (isTTY) w.isTTY = true;
  return w;
}

describe('progress presenter', () => {
  it('renders each apply_progress as the applying line, and ends it on apply_complete', () => {
    const line = recordingLine();
    const p = new ProgressPresenter(line);
    for (const e of APPLY) p.onEvent(e);
    assert.deepEqual(line.calls, ['update:applying: 3/10 (12/s, ETA 1s, wave 1)', 'update:applying: 6/10 (16/s, ETA 0s, wave 1)', 'update:applying: 10/10 (20/s, ETA 0s, wave 2)', 'end']);
  });

  it('shows ETA 0s before anything was written (eta_s null), and ends a line once', () => {
    const line = recordingLine();
    const p = new ProgressPresenter(line);
    p.onEvent({ type: 'apply_progress', done: 0, total: 5, rate_per_s: 0, eta_s: null, wave: 0 });
    p.end();
    p.end();
    assert.deepEqual(line.calls, ['update:applying: 0/5 (0/s, ETA 0s, wave 0)', 'end']);
  });

  it('draws nothing for a stream without progress', () => {
    const line = recordingLine();
    const p = new ProgressPresenter(line);
    p.onEvent({ type: 'apply_errored', address: 'a', action: 'create', reason: 'REJECTED', message: 'no' });
    p.end();
    assert.deepEqual(line.calls, []);
  });
});

describe('terminal io', () => {
  it('on a terminal, redraws the progress line in place on stderr and starts later output on a new line', () => {
    const stdout = sink();
    const stderr = sink(true);
    const io = new TerminalIo({ json: false, debug: false, stdout, stderr });
    for (const e of APPLY.slice(0, 4)) io.event(e);
    io.say('warn', 'careful');
    io.out('Apply stopped');
    io.finish();
    assert.equal(stderr.text(), '\r\x1b[Kapplying: 3/10 (12/s, ETA 1s, wave 1)\r\x1b[Kapplying: 6/10 (16/s, ETA 0s, wave 1)\nWarning: careful\n');
    assert.equal(stdout.text(), 'Apply stopped\n');
  });

  it('in a pipeline without --json, prints no progress at all', () => {
    const stdout = sink();
    const stderr = sink();
    const io = new TerminalIo({ json: false, debug: false, stdout, stderr });
    for (const e of APPLY) io.event(e);
    io.finish();
    assert.equal(stderr.text(), '');
    assert.equal(stdout.text(), '');
  });

  it('under --json, writes each event as one JSON line on stdout and keeps text output off it', () => {
    const stdout = sink();
    const stderr = sink(true);
    const io = new TerminalIo({ json: true, debug: false, stdout, stderr });
    for (const e of APPLY) io.event(e);
    io.out('not for pipelines');
    io.say('info', 'narration');
    io.say('warn', 'a warning');
    io.document({ ok: true });
    const lines = stdout.text().split('\n');
    assert.deepEqual(
      lines.slice(0, APPLY.length).map((l) => JSON.parse(l) as unknown),
      APPLY,
    );
    assert.equal(lines.slice(APPLY.length).join('\n'), '{\n  "ok": true\n}\n');
    assert.equal(stderr.text(), 'warn: a warning\n');
  });
});
