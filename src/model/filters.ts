/**
 * --include / --exclude patterns: `KIND`, `KIND/NAME` (cluster-scoped) or `KIND/NAMESPACE`
 * (namespaced, every name), and `KIND/NAMESPACE/NAME`; each segment a glob (`*`, `?`), kinds
 * matched case-insensitively. An object is kept when it matches some include (or there are none)
 * and no exclude.
 */
import { MigrateError } from '../errors.js';

export interface FilterTarget {
  kind: string;
  namespace: string | null;
  name: string;
}

function globToRegExp(glob: string, flags = ''): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, flags);
}

interface Pattern {
  source: string;
  kind: RegExp;
  rest: RegExp[];
}

export function parsePattern(p: string, flag: string): Pattern {
  const parts = p.split('/');
  if (!p || parts.length > 3 || parts.some((s) => s === '')) {
    throw new MigrateError('USAGE', `${flag} "${p}": expected KIND, KIND/NAME, KIND/NAMESPACE or KIND/NAMESPACE/NAME`, {
      hint: 'e.g. --include NetworkPolicy/prod/* or --exclude IPAMHandle',
    });
  }
  const [kind = '', ...rest] = parts;
  return { source: p, kind: globToRegExp(kind, 'i'), rest: rest.map((s) => globToRegExp(s)) };
}

function matches(p: Pattern, t: FilterTarget): boolean {
  if (!p.kind.test(t.kind)) return false;
  const [first, second] = p.rest;
  if (!first) return true;
  if (!second) return first.test(t.namespace ?? t.name);
  return t.namespace !== null && first.test(t.namespace) && second.test(t.name);
}

export function makeFilter(include: readonly string[], exclude: readonly string[]): ((t: FilterTarget) => boolean) | undefined {
  if (include.length === 0 && exclude.length === 0) return undefined;
  const inc = include.map((p) => parsePattern(p, '--include'));
  const exc = exclude.map((p) => parsePattern(p, '--exclude'));
  return (t) => (inc.length === 0 || inc.some((p) => matches(p, t))) && !exc.some((p) => matches(p, t));
}

/** Whether an object matches any of `patterns` (given with `flag`, which error messages name). */
export function makeMatcher(patterns: readonly string[], flag: string): (t: FilterTarget) => boolean {
  const parsed = patterns.map((p) => parsePattern(p, flag));
  return (t) => parsed.some((p) => matches(p, t));
}
