/**
 * The layering, checked on every file of src/ by parsing it with the TypeScript compiler (imports,
 * re-exports, dynamic `import()`, `import type`, `require`), not by grepping:
 *   - workflows (src/workflow/) import neither adapters (src/adapters/) nor settings (src/config/):
 *     they reach datastores through the ports the Context opens;
 *   - pure modules (src/convert/, src/plan/, src/checks/, src/model/) do no file or network I/O,
 *     read no environment and no clock, so the same input always gives the same output;
 *   - src/model/ imports nothing from the other folders of src/ (it is the bottom layer); it may use
 *     src/errors.ts, the one error base class every layer shares, which itself imports nothing;
 *   - only src/adapters/ imports the network: node:http(s), node:net, etcd3, @kubernetes/client-node.
 *     One exception, and only it: src/config/ may import `KubeConfig` from @kubernetes/client-node,
 *     because resolving --kubeconfig/--context/--target-config into settings is KubeConfig's file
 *     parsing (src/config/target.ts); it opens no connection.
 * A type-only import counts as an import: a workflow that names an adapter's type depends on it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PURE = ['convert', 'plan', 'checks', 'model'];
const IO_MODULES = ['fs', 'net', 'https', 'http', 'process'];
const NETWORK_MODULES = ['http', 'https', 'net', 'http2', 'tls', 'dgram'];
const NETWORK_PACKAGES = ['etcd3', '@kubernetes/client-node'];

interface ImportRef {
  line: number;
  specifier: string;
  /** `import type …` / `export type … from` / `typeof import(…)`. */
  typeOnly: boolean;
  /** Named bindings (`import { a, b }`); null for default, namespace, side-effect or dynamic imports. */
  names: string[] | null;
}

interface Scan {
  imports: ImportRef[];
  /** Reads of the environment or the clock: `process.env`, `Date.now`, `new Date()`, `Date()`, `performance.now`. */
  ambient: Array<{ line: number; what: string }>;
}

/** Parses one file into the imports and ambient reads the rules look at. */
function scan(fileName: string, text: string): Scan {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: ImportRef[] = [];
  const ambient: Scan['ambient'] = [];
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const isIdent = (n: ts.Node, name: string) => ts.isIdentifier(n) && n.text === name;

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const names = clause && !clause.name && bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : null;
      const allTypes = !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly) && !clause?.name;
      imports.push({ line: lineOf(node), specifier: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || allTypes, names });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements.map((e) => (e.propertyName ?? e.name).text) : null;
      imports.push({ line: lineOf(node), specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly, names });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      imports.push({ line: lineOf(node), specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, names: null });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      imports.push({ line: lineOf(node), specifier: node.argument.literal.text, typeOnly: true, names: null });
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      if ((node.expression.kind === ts.SyntaxKind.ImportKeyword || isIdent(node.expression, 'require')) && arg && ts.isStringLiteralLike(arg)) {
        imports.push({ line: lineOf(node), specifier: arg.text, typeOnly: false, names: null });
      }
      if (isIdent(node.expression, 'Date')) ambient.push({ line: lineOf(node), what: 'Date() (the current time as a string)' });
    } else if (ts.isNewExpression(node) && isIdent(node.expression, 'Date') && (node.arguments ?? []).length === 0) {
      ambient.push({ line: lineOf(node), what: 'new Date() without an argument (the clock)' });
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const member = ts.isPropertyAccessExpression(node) ? node.name.text : ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : null;
      const owner = node.expression;
      const ownerName = ts.isIdentifier(owner) ? owner.text : ts.isPropertyAccessExpression(owner) && isIdent(owner.expression, 'globalThis') ? owner.name.text : null;
      if (ownerName === 'process' && member === 'env') ambient.push({ line: lineOf(node), what: 'process.env (the environment)' });
      if (ownerName === 'Date' && member === 'now') ambient.push({ line: lineOf(node), what: 'Date.now (the clock)' });
      if (ownerName === 'performance' && member === 'now') ambient.push({ line: lineOf(node), what: 'performance.now (the clock)' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, ambient };
}

/** `fs`, `node:fs`, `node:fs/promises` → `fs`; anything else → null. */
function builtin(specifier: string): string | null {
  const [bare = ''] = specifier.replace(/^node:/, '').split('/');
  return specifier.startsWith('node:') || [...IO_MODULES, ...NETWORK_MODULES].includes(bare) ? bare : null;
}

/** The src/-relative folder a relative import lands in (`adapters`, `model`, … or `.` for src/*.ts); null for packages. */
function targetFolder(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  if (!resolved.startsWith('src/')) return `outside src (${resolved})`;
  const parts = resolved.slice('src/'.length).split('/');
  const [first = ''] = parts;
  return parts.length === 1 ? '.' : first;
}

/** The rules, over src/-relative POSIX paths. Each violation names the file, the line and what to do instead. */
function violations(file: string, s: Scan): string[] {
  const out: string[] = [];
  const [, folder = ''] = file.split('/');
  for (const imp of s.imports) {
    const where = `${file}:${imp.line}`;
    const to = targetFolder(file, imp.specifier);
    const mod = builtin(imp.specifier);
    if (folder === 'workflow' && (to === 'adapters' || to === 'config')) {
      out.push(`${where}: a workflow imports ${imp.specifier} (src/${to}/); take it from the Context's ports, and wire ${to}/ in src/cli/`);
    }
    if (PURE.includes(folder) && mod && [...IO_MODULES, ...NETWORK_MODULES].includes(mod)) {
      out.push(`${where}: pure module src/${folder}/ imports ${imp.specifier}; pass the data in (read files in src/adapters/ or src/cli/)`);
    }
    const errorsBase = to === '.' && /^(\.\.\/)errors(\.js)?$/.test(imp.specifier);
    if (folder === 'model' && to !== null && to !== 'model' && !errorsBase) {
      out.push(`${where}: src/model/ imports ${imp.specifier} (${to === '.' ? 'src/' : `src/${to}/`}); the model is the bottom layer, move what it needs into src/model/`);
    }
    const network = (mod && NETWORK_MODULES.includes(mod)) || NETWORK_PACKAGES.includes(imp.specifier);
    const kubeConfigParsing = folder === 'config' && imp.specifier === '@kubernetes/client-node' && imp.names !== null && imp.names.every((n) => n === 'KubeConfig');
    if (network && folder !== 'adapters' && !kubeConfigParsing) {
      out.push(`${where}: ${imp.specifier} imported outside src/adapters/; network I/O belongs in an adapter behind a port`);
    }
  }
  if (PURE.includes(folder)) {
    for (const a of s.ambient) out.push(`${file}:${a.line}: pure module src/${folder}/ reads ${a.what}; take it as a parameter (the Context has now/monotonic)`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

const check = (file: string, text: string) => violations(file, scan(file, text));

describe('architecture (layering by construction)', () => {
  describe('the scanner', () => {
    it('sees static, re-exported, type-only, dynamic and require imports', () => {
      const s = scan(
        'src/workflow/x.ts',
        "import a from './a.js';\nexport { b } from './b.js';\nimport type { C } from './c.js';\nconst d = await import('./d.js');\nconst e = require('./e.js');\ntype F = typeof import('./f.js');\n",
      );
      assert.deepEqual(
        s.imports.map((i) => [i.line, i.specifier, i.typeOnly]),
        [
          [1, './a.js', false],
          [2, './b.js', false],
          [3, './c.js', true],
          [4, './d.js', false],
          [5, './e.js', false],
          [6, './f.js', true],
        ],
      );
    });

    it('flags each forbidden arrow and ambient read, and nothing in an allowed one', () => {
      assert.equal(check('src/workflow/plan.ts', "import { KubeTarget } from '../adapters/kube/target.js';").length, 1);
      assert.equal(check('src/workflow/plan.ts', "import type { SourceSettings } from '../config/source.js';").length, 1);
      assert.equal(check('src/workflow/plan.ts', "import type { SourcePort } from '../ports/source.js';").length, 0);
      assert.equal(check('src/plan/x.ts', "import { readFileSync } from 'node:fs';").length, 1);
      assert.equal(check('src/convert/x.ts', "import { readFile } from 'fs/promises';").length, 1);
      assert.equal(check('src/checks/x.ts', "import https from 'https';").length, 2, 'pure-module I/O and network outside adapters');
      assert.equal(check('src/model/x.ts', "import { convertSnapshot } from '../convert/index.js';").length, 1);
      assert.equal(check('src/model/x.ts', "import { RecordingIo } from '../io.js';").length, 1);
      assert.equal(check('src/model/x.ts', "import { MigrateError } from '../errors.js';").length, 0);
      assert.equal(check('src/model/x.ts', "import { KINDS } from './kinds.js';").length, 0);
      assert.equal(check('src/apply/x.ts', "import { Etcd3 } from 'etcd3';").length, 1);
      assert.equal(check('src/cli/x.ts', "import type { KubeConfig } from '@kubernetes/client-node';").length, 1);
      assert.equal(check('src/config/target.ts', "import { KubeConfig } from '@kubernetes/client-node';").length, 0);
      assert.equal(check('src/config/target.ts', "import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';").length, 1);
      assert.equal(check('src/adapters/kube/x.ts', "import https from 'node:https';\nimport { Etcd3 } from 'etcd3';").length, 0);
      const ambient = check(
        'src/plan/x.ts',
        "const a = process.env.HOME;\nconst b = Date.now();\nconst c = new Date();\nconst d = performance.now();\nconst e = globalThis.process.env;\nconst f = process['env'];\nconst g = Date();\n",
      );
      assert.deepEqual(
        ambient.map((v) => Number(v.split(':')[1])),
        [1, 2, 3, 4, 5, 6, 7],
      );
      assert.deepEqual(check('src/plan/x.ts', "const a = new Date('2025-01-01T00:00:00Z');\nconst b = new Date(ms).toISOString();\nconst c = x.now();"), []);
      assert.deepEqual(check('src/apply/x.ts', 'const t = Date.now();'), [], 'the clock rule is for pure modules only');
    });
  });

  const files = sourceFiles('src');
  const all = files.flatMap((f) => check(f, readFileSync(path.join(ROOT, f), 'utf8')));
  const ruleOf = (v: string) => (v.includes('a workflow imports') ? 'workflow' : v.includes('src/model/ imports') ? 'model' : v.includes('outside src/adapters/') ? 'network' : 'pure');

  it('src/errors.ts, which src/model/ may use, imports nothing', () => {
    assert.deepEqual(scan('src/errors.ts', readFileSync(path.join(ROOT, 'src/errors.ts'), 'utf8')).imports, []);
  });

  it(`scans every file of src/ (${files.length})`, () => {
    assert.ok(files.length > 50 && files.some((f) => f.startsWith('src/workflow/')) && files.some((f) => f.startsWith('src/adapters/')));
  });

  it('workflows import neither src/adapters/ nor src/config/', () => {
    assert.deepEqual(
      all.filter((v) => ruleOf(v) === 'workflow'),
      [],
    );
  });

  it('pure modules (convert, plan, checks, model) import no fs/net/http(s)/process and read no environment or clock', () => {
    assert.deepEqual(
      all.filter((v) => ruleOf(v) === 'pure'),
      [],
    );
  });

  it('src/model/ imports nothing from the rest of src/', () => {
    assert.deepEqual(
      all.filter((v) => ruleOf(v) === 'model'),
      [],
    );
  });

  it('only src/adapters/ imports the network (src/config/ may import KubeConfig to parse kubeconfig files)', () => {
    assert.deepEqual(
      all.filter((v) => ruleOf(v) === 'network'),
      [],
    );
  });
});

describe('the package entry', () => {
  it('package.json main/types name the build of src/index.ts, which exports the core functions', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main?: string; types?: string };
    assert.equal(pkg.main, './dist/index.js');
    assert.equal(pkg.types, './dist/index.d.ts');
    const entry = (await import('../../src/index.js')) as Record<string, unknown>;
    for (const name of ['makePlan', 'runApply', 'verifyMigration', 'exportSource', 'migrationStatus', 'lockDatastore', 'parsePlan', 'serializePlan', 'convertSnapshot', 'refOf', 'MigrateError']) {
      assert.equal(typeof entry[name], 'function', name);
    }
    assert.equal(typeof entry.EXIT_CODES, 'object');
  });
});
