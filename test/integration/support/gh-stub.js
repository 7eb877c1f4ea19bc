#!/usr/bin/env node
/**
 * A STUB of the GitHub CLI for the CI example's test (test/integration/ci-workflow.test.ts), not gh:
 * it answers only the three `gh api` calls the plan job's comment step makes, over comments kept in
 * $GH_STUB_DIR/comments.json, and records every call in $GH_STUB_DIR/calls.jsonl. Anything else
 * (another command, another query) exits 2 naming it, so a changed step fails the test instead of
 * passing against a stub that guessed.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.GH_STUB_DIR;
if (!dir) fail('GH_STUB_DIR is not set');
const store = path.join(dir, 'comments.json');
const args = process.argv.slice(2);
appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(args) + '\n');
process.stderr.write(`gh (test stub): ${args.join(' ')}\n`);

function fail(message) {
  process.stderr.write(`gh (test stub): ${message}\n`);
  process.exit(2);
}

function load() {
  return existsSync(store) ? JSON.parse(readFileSync(store, 'utf8')) : [];
}

/** The value of `-F body=@FILE`, read as gh reads it. */
function body() {
  const i = args.indexOf('-F');
  const field = i >= 0 ? args[i + 1] : undefined;
  if (!field?.startsWith('body=@')) fail(`expected -F body=@FILE in: ${args.join(' ')}`);
  return readFileSync(field.slice('body=@'.length), 'utf8');
}

if (args[0] !== 'api') fail(`unsupported command: ${args.join(' ')}`);
const method = args.includes('-X') ? args[args.indexOf('-X') + 1] : 'GET';
const endpoint = args.find((a, i) => i > 0 && !a.startsWith('-') && args[i - 1] !== '-X' && args[i - 1] !== '-F' && args[i - 1] !== '--jq');
const comments = load();
let m;
if (method === 'GET' && (m = endpoint?.match(/^repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/))) {
  // The one query the step asks: ids of the bot's comments whose body starts with the marker.
  const jq = args[args.indexOf('--jq') + 1] ?? '';
  const q = jq.match(/^\.\[\] \| select\(\.user\.login == "([^"]+)" and \(\.body \| startswith\("([^"]+)"\)\)\) \| \.id$/);
  if (!q || !args.includes('--paginate')) fail(`unsupported query: ${args.join(' ')}`);
  for (const c of comments) if (c.issue === Number(m[1]) && c.user.login === q[1] && c.body.startsWith(q[2])) process.stdout.write(`${c.id}\n`);
} else if (method === 'POST' && (m = endpoint?.match(/^repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/))) {
  const c = { id: 1000 + comments.length, issue: Number(m[1]), user: { login: 'github-actions[bot]' }, body: body() };
  writeFileSync(store, JSON.stringify([...comments, c]));
  process.stdout.write(JSON.stringify(c));
} else if (method === 'PATCH' && (m = endpoint?.match(/^repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/))) {
  const c = comments.find((x) => x.id === Number(m[1]));
  if (!c) fail(`no comment ${m[1]} (HTTP 404)`);
  c.body = body();
  writeFileSync(store, JSON.stringify(comments));
  process.stdout.write(JSON.stringify(c));
} else {
  fail(`unsupported request: ${method} ${endpoint}`);
}
