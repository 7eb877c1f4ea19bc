import assert from 'node:assert/strict';
import { commandNotFoundError, editDistance, nearest, usageErrorFromParse } from '../../../src/cli/usage.js';
import { EXIT_CODES } from '../../../src/errors.js';

const IDS = ['apply', 'cutover', 'export', 'lock', 'plan', 'rollback', 'show', 'status', 'unlock', 'verify', 'version'];

describe('usage errors', () => {
  it('edit distance counts inserts, deletes, substitutions and a swap of neighbours as one each', () => {
    assert.equal(editDistance('plan', 'plan'), 0);
    assert.equal(editDistance('pln', 'plan'), 1);
    assert.equal(editDistance('paln', 'plan'), 1);
    assert.equal(editDistance('plam', 'plan'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests a unique prefix or the nearest name, and nothing for a word far from every name', () => {
    assert.equal(nearest('pln', IDS), 'plan');
    assert.equal(nearest('cut', IDS), 'cutover');
    assert.equal(nearest('stauts', IDS), 'status');
    assert.equal(nearest('xyzzy', IDS), undefined);
    assert.equal(nearest('paralelism', ['parallelism', 'out']), 'parallelism');
  });

  it('an unknown command is USAGE (64) with "Did you mean" and the help to read', () => {
    const e = commandNotFoundError('pln', IDS, 'calico-migrate');
    assert.equal(e.exitCode, EXIT_CODES.USAGE);
    assert.equal(e.message, 'Unknown command: pln. Did you mean plan?');
    assert.match(e.hint!, /calico-migrate plan --help/);
    assert.equal(commandNotFoundError('xyzzy', IDS, 'calico-migrate').message, 'Unknown command: xyzzy.');
  });

  it('a known command followed by words oclif took for a subcommand is an extra argument', () => {
    const e = commandNotFoundError('plan:out.json', IDS, 'calico-migrate');
    assert.equal(e.exitCode, 64);
    assert.equal(e.message, 'Unexpected argument: out.json (plan takes no arguments)');
    assert.equal(e.hint, 'see `calico-migrate plan --help`');
    assert.equal(commandNotFoundError('plan:a:b', IDS, 'calico-migrate').message, 'Unexpected arguments: a, b (plan takes no arguments)');
  });

  it("oclif's multi-line parse errors become one line", () => {
    class FailedFlagValidationError extends Error {}
    const e = usageErrorFromParse(
      new FailedFlagValidationError('The following error occurred:\n  \u001b[2m--lease=true cannot also be provided when using --datastore\u001b[22m\nSee more help with --help'),
      { bin: 'calico-migrate', id: 'unlock' },
    );
    assert.equal(e.exitCode, 64);
    assert.equal(e.message, '--lease=true cannot also be provided when using --datastore');
    assert.equal(e.hint, 'see `calico-migrate unlock --help`');
    class RequiredArgsError extends Error {
      args = [{ name: 'plan', description: 'Plan file.' }];
    }
    assert.equal(
      usageErrorFromParse(new RequiredArgsError('Missing 1 required arg:\nplan  Plan file.\nSee more help with --help'), { bin: 'calico-migrate', id: 'show' }).message,
      'Missing required argument: plan',
    );
    const parsing = usageErrorFromParse(new Error('Parsing --parallelism \n\tExpected an integer but received: abc'), { bin: 'calico-migrate', id: 'plan' });
    assert.equal(parsing.message, 'Parsing --parallelism: Expected an integer but received: abc');
  });

  it("a value outside a flag's options names the allowed values; -o/--output says a file is --out", () => {
    class FlagInvalidOptionError extends Error {}
    const bad = (flag: string, value: string, allowed: string, id: string, flags: string[]) =>
      usageErrorFromParse(new FlagInvalidOptionError(`Expected --${flag}=${value} to be one of: ${allowed}\nSee more help with --help`), { bin: 'calico-migrate', id, flags });
    const yaml = bad('output', 'yaml', 'text, markdown, json', 'plan', ['out', 'output']);
    assert.equal(yaml.exitCode, 64);
    assert.equal(yaml.message, 'Invalid -o/--output format "yaml": expected one of text, markdown, json');
    assert.equal(yaml.hint, 'see `calico-migrate plan --help`; -o names an output format now, the file is --out FILE');
    assert.equal(
      bad('output', 'my.plan.json', 'text, markdown, json', 'plan', ['out', 'output']).hint,
      'see `calico-migrate plan --help`; -o names an output format now, the file is --out my.plan.json',
    );
    // show has no --out: a file name is told where the output goes; a format name just gets the help.
    assert.match(bad('output', 'p.json', 'text, markdown, json', 'show', ['output']).hint!, /redirect it \(> p\.json\)$/);
    assert.equal(bad('output', 'yaml', 'text, markdown, json', 'show', ['output']).hint, 'see `calico-migrate show --help`');
    const other = bad('datastore', 'foo', 'etcd, kubernetes', 'lock', ['datastore']);
    assert.equal(other.message, 'Invalid --datastore value "foo": expected one of etcd, kubernetes');
    assert.equal(other.hint, 'see `calico-migrate lock --help`');
  });
});
