/**
 * Reads `--json` output as a pipeline would: line by line, each line one JSON object valid against
 * schemas/events.schema.json (the committed file, which a unit test keeps equal to its source),
 * the last one the command's `result` or `error`. Assertion failures show the offending line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/events.schema.json', import.meta.url), 'utf8')) as object;
    validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true }).compile(schema);
  }
  return validate;
}

export type JsonLine = { ts: string; level: string; type: string; [field: string]: any };

/** Every line of `stdout`, each parsed and checked against the schema; the last is a result or an error. */
export function jsonLines(stdout: string): JsonLine[] {
  assert.ok(stdout.endsWith('\n'), `--json output does not end with a newline:\n${stdout.slice(-500)}`);
  const lines = stdout.slice(0, -1).split('\n');
  const parsed = lines.map((text, i) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      assert.fail(`line ${i + 1} of --json output is not JSON (${(e as Error).message}):\n${text.slice(0, 500)}`);
    }
    assert.ok(validator()(value), `line ${i + 1} of --json output breaks schemas/events.schema.json: ${JSON.stringify(validator().errors?.slice(0, 3))}\n${text.slice(0, 500)}`);
    return value as JsonLine;
  });
  const last = parsed[parsed.length - 1];
  assert.ok(last && (last.type === 'result' || last.type === 'error'), `the last --json line is not the result or an error:\n${lines[lines.length - 1]?.slice(0, 500)}`);
  for (const l of parsed.slice(0, -1)) assert.ok(l.type !== 'result' && l.type !== 'error', `a ${l.type} line before the last --json line`);
  return parsed;
}

/**
 * What the command reported: the result's `data`, or for an error the error itself (`error`,
 * `exit_code`, `message`, `hint`, `details`), as the one document `--json` printed before.
 */
export function jsonResult(stdout: string): any {
  const last = jsonLines(stdout).at(-1)!;
  if (last.type === 'result') return last.data;
  const { ts: _ts, level: _level, type: _type, ...error } = last;
  return error;
}
