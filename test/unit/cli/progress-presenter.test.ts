import assert from 'node:assert/strict';
import { ProgressPresenter, progressText } from '../../../src/cli/progress-presenter.js';
import { TerminalIo } from '../../../src/cli/terminal-io.js';
import type { MigrateEvent, ProgressEvent } from '../../../src/io.js';
import { jsonLines } from '../../tools/json-lines.js';
import { sink } from '../../tools/sink.js';

function progress(p: Partial<ProgressEvent> & Pick<ProgressEvent, 'phase' | 'done'>): ProgressEvent {
  return { type: 'progress', unit: 'writes', total: 10, rate_per_s: 0, eta_s: null, elapsed_s: 0, final: false, wave: null, ...p };
}

/** The events of a small apply, as the engine emits them (two waves, then the reverse plan). */
const APPLY: MigrateEvent[] = [
  { type: 'apply_start', total: 10, waves: 2, done: 0, parallelism: 4, resumed: false },
  progress({ phase: 'apply', done: 0, wave: null }),
  { type: 'wave_start', wave: 1, phase: 'apply', count: 6, planned: 6 },
  progress({ phase: 'apply', done: 3, rate_per_s: 12.4, eta_s: 0.6, elapsed_s: 0.2, wave: 1 }),
  progress({ phase: 'apply', done: 6, rate_per_s: 15.5, eta_s: 0.3, elapsed_s: 0.4, wave: 1 }),
  { type: 'wave_start', wave: 2, phase: 'delete', count: 4, planned: 4 },
  { type: 'apply_warning', message: 'could not release the apply lease: gone' },
  progress({ phase: 'apply', done: 10, rate_per_s: 20, eta_s: 0, elapsed_s: 0.5, final: true, wave: 2 }),
  progress({ phase: 'reverse-plan', unit: 'changes', done: 0, total: null }),
  progress({ phase: 'reverse-plan', unit: 'changes', done: 10, total: 10, rate_per_s: 1000, eta_s: 0, elapsed_s: 0, final: true }),
  { type: 'apply_complete', done: 10, total: 10, seconds: 0.5 },
];

/** A clock the test moves by hand (a fake: it claims only to be monotonic). */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('progress presenter', () => {
  it('formats a running phase as `phase: done/total unit (rate/s, ETA Ns)` and an ended one with its time', () => {
    assert.equal(progressText(progress({ phase: 'dry-run', done: 400, total: 5000, rate_per_s: 401.3, eta_s: 11.5 })), 'server dry run: 400/5000 writes (401/s, ETA 12s)');
    assert.equal(progressText(progress({ phase: 'apply', done: 3, rate_per_s: 12.4, eta_s: 0.6, wave: 1 })), 'applying: 3/10 writes (12/s, ETA 1s, wave 1)');
    assert.equal(progressText(progress({ phase: 'read-source', unit: 'keys', done: 1200, total: null, rate_per_s: 3000 })), 'reading the source: 1200 keys (3000/s)');
    assert.equal(progressText(progress({ phase: 'convert', unit: 'keys', done: 10, rate_per_s: 50, elapsed_s: 0.2, final: true, eta_s: 0 })), 'converting: 10/10 keys in 0.2s (50/s)');
  });

  it('on a terminal: redraws one line per phase in place, leaves it on screen when the phase ends', () => {
    const out: string[] = [];
    const p = new ProgressPresenter({ tty: true, write: (t) => out.push(t), monotonic: () => 0 });
    for (const e of APPLY) p.onEvent(e);
    p.end();
    assert.deepEqual(out, [
      'applying: 0/10 writes (0/s)',
      '\r\x1b[Kapplying: 3/10 writes (12/s, ETA 1s, wave 1)',
      '\r\x1b[Kapplying: 6/10 writes (16/s, ETA 0s, wave 1)',
      '\r\x1b[Kapplying: 10/10 writes in 0.5s (20/s)\n',
      'writing the reverse plan: 0 changes (0/s)',
      '\r\x1b[Kwriting the reverse plan: 10/10 changes in 0.0s (1000/s)\n',
    ]);
  });

  it('on a terminal: phases running at once share the line, and an ended one is printed above the rest', () => {
    const out: string[] = [];
    const p = new ProgressPresenter({ tty: true, write: (t) => out.push(t), monotonic: () => 0 });
    p.onEvent(progress({ phase: 'read-source', unit: 'keys', done: 0, total: null }));
    p.onEvent(progress({ phase: 'read-target', unit: 'kinds', done: 0, total: 3 }));
    p.onEvent(progress({ phase: 'read-target', unit: 'kinds', done: 3, total: 3, final: true }));
    p.end();
    p.end();
    assert.deepEqual(out, [
      'reading the source: 0 keys (0/s)',
      '\r\x1b[Kreading the source: 0 keys (0/s); reading the target: 0/3 kinds (0/s)',
      '\r\x1b[Kreading the target: 3/3 kinds in 0.0s (0/s)\n',
      'reading the source: 0 keys (0/s)',
      '\n',
    ]);
  });

  it('without a terminal: a plain line per phase at most every interval of the injected clock, and one at its end', () => {
    const clock = fakeClock();
    const out: string[] = [];
    const p = new ProgressPresenter({ tty: false, write: (t) => out.push(t), monotonic: clock.now, plainIntervalMs: 10000 });
    p.onEvent(progress({ phase: 'dry-run', done: 0 }));
    clock.advance(4000);
    p.onEvent(progress({ phase: 'dry-run', done: 2 }));
    clock.advance(6000);
    p.onEvent(progress({ phase: 'dry-run', done: 4 }));
    clock.advance(9999);
    p.onEvent(progress({ phase: 'dry-run', done: 6 }));
    clock.advance(1);
    p.onEvent(progress({ phase: 'dry-run', done: 8 }));
    p.onEvent(progress({ phase: 'dry-run', done: 10, final: true, elapsed_s: 20 }));
    // A short phase: its end only.
    p.onEvent(progress({ phase: 'write-plan', unit: 'changes', done: 0 }));
    p.onEvent(progress({ phase: 'write-plan', unit: 'changes', done: 10, final: true }));
    p.end();
    assert.deepEqual(out, [
      'server dry run: 4/10 writes (0/s)\n',
      'server dry run: 8/10 writes (0/s)\n',
      'server dry run: 10/10 writes in 20.0s (0/s)\n',
      'writing the plan: 10/10 changes in 0.0s (0/s)\n',
    ]);
  });

  it('draws nothing for a stream without progress', () => {
    const out: string[] = [];
    const p = new ProgressPresenter({ tty: true, write: (t) => out.push(t), monotonic: () => 0 });
    p.onEvent({ type: 'apply_errored', address: 'a', action: 'create', reason: 'REJECTED', message: 'no' });
    p.end();
    assert.deepEqual(out, []);
  });
});

describe('terminal io', () => {
  it('on a terminal, redraws the progress line in place on stderr and starts later output on a new line', () => {
    const stdout = sink();
    const stderr = sink(true);
    const io = new TerminalIo({ json: false, debug: false, stdout, stderr, env: { NO_COLOR: '1' } });
    for (const e of APPLY.slice(0, 5)) io.event(e);
    io.say('warn', 'careful');
    io.out('Apply stopped');
    io.finish();
    assert.equal(stderr.text(), 'applying: 0/10 writes (0/s)\r\x1b[Kapplying: 3/10 writes (12/s, ETA 1s, wave 1)\r\x1b[Kapplying: 6/10 writes (16/s, ETA 0s, wave 1)\nWarning: careful\n');
    assert.equal(stdout.text(), 'Apply stopped\n');
  });

  it('in a pipeline without --json, prints plain progress lines on stderr (the interval from the environment)', () => {
    const stdout = sink();
    const stderr = sink();
    const clock = fakeClock();
    const io = new TerminalIo({ json: false, debug: false, stdout, stderr, env: { CALICO_MIGRATE_PROGRESS_INTERVAL_MS: '100' }, monotonic: clock.now });
    io.event(progress({ phase: 'apply', done: 0 }));
    clock.advance(100);
    io.event(progress({ phase: 'apply', done: 5 }));
    io.event(progress({ phase: 'apply', done: 6 }));
    io.event(progress({ phase: 'apply', done: 10, final: true, elapsed_s: 1, rate_per_s: 10, eta_s: 0 }));
    io.finish();
    assert.equal(stderr.text(), 'applying: 5/10 writes (0/s)\napplying: 10/10 writes in 1.0s (10/s)\n');
    assert.equal(stdout.text(), '');
  });

  it('under --json, stdout is JSON Lines: events and narration with ts, level and type, the result last; stderr stays empty', () => {
    const stdout = sink();
    const stderr = sink(true);
    const io = new TerminalIo({ json: true, debug: false, stdout, stderr, now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) });
    for (const e of APPLY) io.event(e);
    io.out('not for pipelines');
    io.say('info', 'narration');
    io.say('warn', 'a warning');
    io.say('debug', 'not without --debug');
    io.document({ ok: true }, 0);
    const lines = jsonLines(stdout.text());
    const ts = '2026-01-02T03:04:05.006Z';
    assert.deepEqual(
      lines.slice(0, APPLY.length),
      APPLY.map((e) => ({ ts, level: e.type === 'apply_warning' ? 'warn' : 'info', ...e })),
    );
    assert.deepEqual(lines.slice(APPLY.length), [
      { ts, level: 'info', type: 'log', message: 'narration' },
      { ts, level: 'warn', type: 'log', message: 'a warning' },
      { ts, level: 'info', type: 'result', exit_code: 0, data: { ok: true } },
    ]);
    assert.equal(stderr.text(), '');
  });
});
