import assert from 'node:assert/strict';
import { RecordingIo } from '../../../src/io.js';
import { PhaseProgress, phase } from '../../../src/progress.js';

/** A clock the test moves by hand (a fake: it claims only to be monotonic). */
function fakeClock(): { monotonic: () => number; advance: (ms: number) => void; reads: () => number } {
  let t = 5000;
  let reads = 0;
  return {
    monotonic: () => {
      reads++;
      return t;
    },
    advance: (ms) => void (t += ms),
    reads: () => reads,
  };
}

describe('progress in the core (PhaseProgress)', () => {
  it('emits at the start, at most once per interval of the injected clock while counting, and once at the end', () => {
    const io = new RecordingIo();
    const clock = fakeClock();
    const p = PhaseProgress.start({ io, monotonic: clock.monotonic }, 'dry-run', 'writes', 1000, 250);
    for (let i = 0; i < 1000; i++) {
      clock.advance(1); // 1,000 units in one second
      p.tick();
    }
    p.end();
    p.end();
    const events = io.eventsOf('progress');
    // Start, one per 250 ms (four in the second), the end.
    assert.deepEqual(
      events.map((e) => [e.done, e.final]),
      [
        [0, false],
        [250, false],
        [500, false],
        [750, false],
        [1000, false],
        [1000, true],
      ],
    );
    assert.deepEqual(events[2], { type: 'progress', phase: 'dry-run', unit: 'writes', done: 500, total: 1000, rate_per_s: 1000, eta_s: 0.5, elapsed_s: 0.5, final: false, wave: null });
    assert.equal(events.at(-1)!.eta_s, 0);
    // One clock read per unit, nothing more: the path per write stays a comparison.
    assert.ok(clock.reads() <= 1000 + 4, `${clock.reads()} clock reads`);
  });

  it('without a total: none until the end, which takes the count as the total; eta is null meanwhile', () => {
    const io = new RecordingIo();
    const clock = fakeClock();
    const p = PhaseProgress.start({ io, monotonic: clock.monotonic }, 'read-source', 'keys', null);
    clock.advance(500);
    p.update(300);
    clock.advance(500);
    p.end(600);
    const events = io.eventsOf('progress');
    assert.deepEqual(
      events.map((e) => [e.done, e.total, e.eta_s, e.rate_per_s, e.final]),
      [
        [0, null, null, 0, false],
        [300, null, null, 600, false],
        [600, 600, 0, 600, true],
      ],
    );
  });

  it('work already done (a resumed apply) counts in done, not in the rate; report() emits whatever the interval', () => {
    const io = new RecordingIo();
    const clock = fakeClock();
    const p = PhaseProgress.start({ io, monotonic: clock.monotonic }, 'apply', 'writes', 100);
    p.already(40);
    p.wave = 2;
    clock.advance(1000);
    p.update(50);
    p.report();
    const last = io.eventsOf('progress').at(-1)!;
    assert.equal(last.done, 50);
    assert.equal(last.rate_per_s, 10);
    assert.equal(last.eta_s, 5);
    assert.equal(last.wave, 2);
  });

  it('phase() wraps a step whose count is known at its end', async () => {
    const io = new RecordingIo();
    const clock = fakeClock();
    const out = await phase(
      { io, monotonic: clock.monotonic },
      'convert',
      'keys',
      null,
      async () => [1, 2, 3],
      (r) => r.length,
    );
    assert.deepEqual(out, [1, 2, 3]);
    assert.deepEqual(
      io.eventsOf('progress').map((e) => [e.phase, e.done, e.total, e.final]),
      [
        ['convert', 0, null, false],
        ['convert', 3, 3, true],
      ],
    );
  });
});
