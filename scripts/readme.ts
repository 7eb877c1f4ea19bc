/**
 * Fills the generated sections of README.md: the exit-code table (from src/errors.ts, the same
 * table `--help` prints) and, with --bench, the benchmark table from .cache/bench/results.json.
 * The command reference between <!-- commands --> markers comes from `oclif readme`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CODE_TABLE } from '../src/errors.js';

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

function benchSection(): string | null {
  const f = path.join(ROOT, '.cache', 'bench', 'results.json');
  if (!existsSync(f)) return null;
  const r = JSON.parse(readFileSync(f, 'utf8'));
  const rows = r.results.map((x: any) => `| ${x.size} | ${x.step} | ${x.objects} | ${x.seconds} | ${x.detail} | ${x.peak_rss_mb} |`);
  return [
    `Measured ${r.at.slice(0, 10)} on ${r.cores} cores (etcd, kube-apiserver and the tool on the same machine), \`npm run bench\`:`,
    '',
    '| size | step | objects | seconds | detail | peak RSS (MB) |',
    '| ---: | --- | ---: | ---: | --- | ---: |',
    ...rows,
  ].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const file = path.join(ROOT, 'README.md');
  let text = replaceSection(readFileSync(file, 'utf8'), 'exit-codes', exitCodeSection());
  if (process.argv.includes('--bench')) {
    const b = benchSection();
    if (b) text = replaceSection(text, 'bench', b);
  }
  writeFileSync(file, text);
}
