/**
 * The vendored `crd.projectcalico.org/v1` CRDs (`<package root>/crds/*.yaml`), for validating
 * offline (export) and in tests, where there is no target cluster to read them from. An adapter
 * because it reads files; the schema check itself (checks/schema.ts) only takes the parsed objects.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** `<package root>/crds/`; this file sits at `src/adapters/` or `dist/adapters/`. */
export function vendoredCrdDir(): string {
  return fileURLToPath(new URL('../../crds/', import.meta.url));
}

/** @throws Error naming the file when a CRD file is not valid YAML (a broken package, not a user error). */
export function loadVendoredCrds(dir: string = vendoredCrdDir()): unknown[] {
  const out: unknown[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(`${dir}/${file}`, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
      const v: unknown = doc.toJS();
      if (v !== null && v !== undefined) out.push(v);
    }
  }
  return out;
}
