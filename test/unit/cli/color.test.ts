import assert from 'node:assert/strict';
import { colorEnabled } from '../../../src/cli/color.js';
import { TerminalIo } from '../../../src/cli/terminal-io.js';
import { sink } from '../../tools/sink.js';

describe('colour: on a terminal only, unless the user says no', () => {
  it('a terminal gets colour; a pipe, TERM=dumb, NO_COLOR (any non-empty value) and --no-color do not', () => {
    assert.equal(colorEnabled({ isTTY: true, env: {}, noColorFlag: false }), true);
    assert.equal(colorEnabled({ isTTY: false, env: {}, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: undefined, env: {}, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { TERM: 'dumb' }, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' }, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: '0' }, noColorFlag: false }), false, 'any non-empty value');
    assert.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: '' }, noColorFlag: false }), true, 'empty is unset (no-color.org)');
    assert.equal(colorEnabled({ isTTY: true, env: {}, noColorFlag: true }), false);
  });

  it('FORCE_COLOR turns it on for a pipe, but never over NO_COLOR or --no-color; FORCE_COLOR=0 turns it off', () => {
    assert.equal(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' }, noColorFlag: false }), true);
    assert.equal(colorEnabled({ isTTY: true, env: { FORCE_COLOR: '0' }, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, noColorFlag: false }), false);
    assert.equal(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' }, noColorFlag: true }), false);
  });

  it('the terminal host colours warnings yellow and errors red on a terminal stderr, and says whether stdout takes colour', () => {
    const stderr = sink(true);
    const io = new TerminalIo({ json: false, debug: false, stdout: sink(true), stderr, env: {} });
    io.say('warn', 'careful');
    io.say('error', 'broken');
    io.say('info', 'plain');
    assert.equal(stderr.text(), '\u001b[33mWarning: careful\u001b[0m\n\u001b[31mError: broken\u001b[0m\nplain\n');
    assert.equal(io.color, true);
  });

  it('no colour anywhere with NO_COLOR, --no-color, a pipe, or under --json', () => {
    for (const opts of [{ env: { NO_COLOR: 'yes' } }, { env: {}, noColor: true }, { env: {}, json: true }]) {
      const stderr = sink(true);
      const io = new TerminalIo({ json: false, debug: false, stdout: sink(true), stderr, ...opts });
      io.say('warn', 'careful');
      assert.equal(io.color, false, JSON.stringify(opts));
      assert.ok(!stderr.text().includes('\u001b['), JSON.stringify(opts));
    }
    const piped = new TerminalIo({ json: false, debug: false, stdout: sink(false), stderr: sink(false), env: {} });
    assert.equal(piped.color, false);
  });
});
