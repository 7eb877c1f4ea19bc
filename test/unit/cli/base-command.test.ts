import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Config, Errors, Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult, type Composed } from '../../../src/cli/base-command.js';
import { TerminalIo, type TerminalIoOptions } from '../../../src/cli/terminal-io.js';
import { MigrateError } from '../../../src/errors.js';
import type { Io } from '../../../src/io.js';
import type { Context } from '../../../src/workflow/context.js';
import { jsonLines, jsonResult } from '../../tools/json-lines.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

interface Recorded {
  stdout: string;
  stderr: string;
  /** The exit code the process would end with (0 when run() returned). */
  code: number;
  closed: number;
  rendered: number;
}

/** A writable that keeps what was written. */
function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

const streams = { stdout: sink(), stderr: sink() };
let closed = 0;
let rendered = 0;

/**
 * A command for testing the base class only. Its Context is a fake: it opens no datastore (both
 * open calls reject) and claims nothing about the real composition root; it counts `close`.
 */
class Probe extends BaseCommand<typeof Probe> {
  static override flags = {
    exit: Flags.string({ default: 'OK' }),
    throw: Flags.string({ options: ['migrate', 'plain'] }),
  };

  protected override makeTerminalIo(opts: TerminalIoOptions): TerminalIo {
    // No colour or clock from the machine running the tests.
    return new TerminalIo({ ...opts, env: {}, now: () => new Date(0), stdout: streams.stdout, stderr: streams.stderr });
  }

  protected override compose(io: Io): Composed {
    const refuse = async (): Promise<never> => {
      throw new MigrateError('USAGE', 'the probe opens no datastore');
    };
    const ctx = { io, now: () => new Date(0), monotonic: () => 0, toolVersion: 'test', who: 'probe@host/1', openSource: refuse, openTarget: refuse, close: () => void closed++ };
    return { ctx, conversion: { skipUnknown: false } };
  }

  protected async execute({ flags }: CommandInput<typeof Probe>, ctx: Context): Promise<CommandResult> {
    if (flags.throw === 'migrate') throw new MigrateError('STALE', 'source key /calico/x changed', { hint: 'make a new plan', details: { key: '/calico/x' } });
    if (flags.throw === 'plain') throw new Error('boom');
    ctx.io.say('warn', 'narration during the run');
    return {
      data: { answer: 42, exit: flags.exit },
      exitCode: /^\d+$/.test(flags.exit) ? Number(flags.exit) : (flags.exit as 'OK'),
      render: (io) => {
        rendered++;
        io.out('the answer is 42');
        io.say('info', 'a note for people');
      },
    };
  }
}

async function runProbe(argv: string[]): Promise<Recorded> {
  streams.stdout = sink();
  streams.stderr = sink();
  closed = 0;
  rendered = 0;
  const config = await Config.load(ROOT);
  let code = 0;
  try {
    await Probe.run(argv, config);
  } catch (e) {
    assert.ok(e instanceof Errors.ExitError, `only an ExitError leaves the command, not ${String(e)}`);
    code = e.oclif.exit ?? -1;
  }
  return { stdout: streams.stdout.text(), stderr: streams.stderr.text(), code, closed, rendered };
}

describe('base command: the one exit path', () => {
  it('renders text and exits 0 without --json', async () => {
    const r = await runProbe([]);
    assert.deepEqual(r, { stdout: 'the answer is 42\n', stderr: 'Warning: narration during the run\na note for people\n', code: 0, closed: 1, rendered: 1 });
  });

  it('under --json prints JSON Lines: the narration as log lines, the returned data as the last line (the result), and does not render', async () => {
    const r = await runProbe(['--json']);
    assert.equal(
      r.stdout,
      '{"ts":"1970-01-01T00:00:00.000Z","level":"warn","type":"log","message":"narration during the run"}\n' +
        '{"ts":"1970-01-01T00:00:00.000Z","level":"info","type":"result","exit_code":0,"data":{"answer":42,"exit":"OK"}}\n',
    );
    assert.deepEqual(jsonResult(r.stdout), { answer: 42, exit: 'OK' });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.rendered, 0);
  });

  it('a non-zero exit by name or number still prints the data (once) and sets the code', async () => {
    const byName = await runProbe(['--json', '--exit', 'VERIFY_FAILED']);
    assert.equal(byName.code, 14);
    assert.deepEqual(jsonResult(byName.stdout), { answer: 42, exit: 'VERIFY_FAILED' });
    assert.deepEqual(jsonLines(byName.stdout).at(-1), { ts: '1970-01-01T00:00:00.000Z', level: 'warn', type: 'result', exit_code: 14, data: { answer: 42, exit: 'VERIFY_FAILED' } });
    const byNumber = await runProbe(['--exit', '2']);
    assert.equal(byNumber.code, 2);
    assert.equal(byNumber.stdout, 'the answer is 42\n');
  });

  it('a MigrateError becomes the error line under --json, the last, with its exit code', async () => {
    const r = await runProbe(['--json', '--throw', 'migrate']);
    assert.equal(r.code, 11);
    assert.deepEqual(jsonLines(r.stdout), [
      { ts: '1970-01-01T00:00:00.000Z', level: 'error', type: 'error', error: 'STALE', exit_code: 11, message: 'source key /calico/x changed', hint: 'make a new plan', details: { key: '/calico/x' } },
    ]);
    assert.equal(r.closed, 1, 'the context is closed when the command fails');
  });

  it('a MigrateError is the message and the next step on stderr without --json', async () => {
    const r = await runProbe(['--throw', 'migrate']);
    assert.equal(r.code, 11);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Error: source key /calico/x changed\nNext step: make a new plan\n');
  });

  it('an unexpected error is ERROR (1) with a hint and no stack trace; --debug adds the stack', async () => {
    const r = await runProbe(['--throw', 'plain']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: boom\nNext step: this is unexpected; re-run with --debug and report the output\n');
    const d = await runProbe(['--throw', 'plain', '--debug']);
    assert.match(d.stderr, /^Error: boom\n/);
    assert.match(d.stderr, /\n\s+at /);
  });

  it('a bad command line is USAGE (64), as JSON under --json', async () => {
    const r = await runProbe(['--json', '--no-such-flag']);
    assert.equal(r.code, 64);
    const doc = jsonResult(r.stdout) as { error: string; exit_code: number; message: string; hint: string };
    assert.equal(doc.error, 'USAGE');
    assert.equal(doc.exit_code, 64);
    assert.match(doc.message, /no-such-flag/);
    assert.match(doc.hint, /--help/);
  });
});
