/**
 * `npm run schema`: writes the published JSON Schema files from their TypeScript source
 * (schemas/plan.schema.json and schemas/plan-file.schema.json from src/plan/plan-schema.ts;
 * schemas/events.schema.json, the --json lines, from src/cli/json-lines-schema.ts). The schema is edited in the .ts file
 * only; test/unit/plan/schema-file.test.ts fails while the committed .json differs from what this
 * writes, so a stale file cannot ship. `--check` exits 1 instead of writing when a file is stale.
 *
 * The layout is the one the file was written in by hand: an object or array goes on one line when
 * that line fits in 130 columns, except `properties` and `definitions`, which list one field per
 * line (and so does everything holding them) so that a field added to the schema is a one-line diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENTS_SCHEMA } from '../src/cli/json-lines-schema.js';
import { PLAN_FILE_SCHEMA, PLAN_SCHEMA } from '../src/plan/plan-schema.js';

const ROOT = new URL('../', import.meta.url);
const WIDTH = 130;
const ALWAYS_EXPANDED = new Set(['properties', 'definitions']);

/** Every generated schema file: its path from the package root and its exact text. */
export function generatedSchemas(): Array<{ path: string; text: string }> {
  return [
    { path: 'schemas/plan.schema.json', text: renderJson(PLAN_SCHEMA) },
    { path: 'schemas/plan-file.schema.json', text: renderJson(PLAN_FILE_SCHEMA) },
    { path: 'schemas/events.schema.json', text: renderJson(EVENTS_SCHEMA) },
  ];
}

export function renderJson(value: unknown): string {
  return `${render(value, '', 0, '')}\n`;
}

function render(value: unknown, indent: string, column: number, key: string): string {
  const flat = oneLine(value);
  if (value === null || typeof value !== 'object') return flat;
  if (column + flat.length <= WIDTH && !ALWAYS_EXPANDED.has(key) && !holdsExpanded(value)) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + render(v, inner, inner.length, '')).join(',\n')}\n${indent}]`;
  const fields = Object.entries(value).map(([k, v]) => {
    const head = `${inner}${JSON.stringify(k)}: `;
    return head + render(v, inner, head.length, k);
  });
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

/** An object that holds a `properties` or `definitions` object at any depth cannot be one line either. */
function holdsExpanded(value: object): boolean {
  return Object.entries(value).some(([k, v]) => v !== null && typeof v === 'object' && (ALWAYS_EXPANDED.has(k) || holdsExpanded(v)));
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  return JSON.stringify(value);
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  for (const { path, text } of generatedSchemas()) {
    const file = new URL(path, ROOT);
    let current: string | null = null;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = null;
    }
    if (current === text) continue;
    if (check) {
      stale++;
      process.stderr.write(`${path} is stale: run \`npm run schema\` and commit the result\n`);
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
