/**
 * Fills the generated sections of README.md: the exit-code table (from src/errors.ts, the same
 * table `--help` prints). The benchmark figures live in BENCHMARKS.md, written by `npm run bench`.
 * The command reference between <!-- commands --> markers comes from `oclif readme`. Also writes
 * docs/calico-validation.md, the rules of the calico-validation check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CODE_TABLE } from '../src/errors.js';
import { validationDocs } from './validation-docs.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function exitCodeSection(): string {
  return ['| code | name | meaning |', '| ---: | --- | --- |', ...EXIT_CODE_TABLE.map((r) => `| ${r.code} | \`${r.name}\` | ${r.meaning} |`)].join('\n');
}

export function replaceSection(text: string, marker: string, body: string): string {
  const start = `<!-- ${marker} -->`;
  const end = `<!-- ${marker}-end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const file = path.join(ROOT, 'README.md');
  const text = replaceSection(readFileSync(file, 'utf8'), 'exit-codes', exitCodeSection());
  writeFileSync(file, text);
  writeFileSync(path.join(ROOT, 'docs', 'calico-validation.md'), validationDocs());
}
