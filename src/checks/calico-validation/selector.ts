/**
 * Calico's selector grammar, for validation only: a port of libcalico-go
 * `lib/selector/tokenizer/tokenizer.go` and `lib/selector/parser/parser.go` (`Parser.Validate`).
 * Quirks kept on purpose: only space and tab are whitespace; `starts with`/`ends with`/`not in`
 * may be written without the space; a label running to the end of the input is not a label.
 */

type Kind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'ne'
  | 'in'
  | 'not'
  | 'notin'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'all'
  | 'has'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'global'
  | 'eof';

export interface Token {
  kind: Kind;
  value?: string;
}

class SelectorError extends Error {}

const WHITESPACE = /^[ \t]*/;

function trimLeft(s: string): string {
  return s.replace(WHITESPACE, '');
}

/** Go `findIdentifier`: the leading run of `[a-zA-Z0-9_./-]`, or "" when it runs to the end. */
function findIdentifier(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (!/[a-zA-Z0-9_./-]/.test(s.charAt(i))) return s.slice(0, i);
  }
  return '';
}

export function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let input = selector;
  for (;;) {
    input = trimLeft(input);
    if (input === '') {
      tokens.push({ kind: 'eof' });
      return tokens;
    }
    const last = tokens[tokens.length - 1]?.kind;
    const c = input.charAt(0);
    const two = input.slice(0, 2);
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      const kinds: Record<string, Kind> = { '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', ',': 'comma' };
      tokens.push({ kind: kinds[c] ?? 'eof' });
      input = input.slice(1);
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, 1);
      if (end < 0) throw new SelectorError('unterminated string');
      tokens.push({ kind: 'string', value: input.slice(1, end) });
      input = input.slice(end + 1);
    } else if (c === '=') {
      if (two !== '==') throw new SelectorError('expected ==');
      tokens.push({ kind: 'eq' });
      input = input.slice(2);
    } else if (c === '!') {
      tokens.push({ kind: two === '!=' ? 'ne' : 'not' });
      input = input.slice(two === '!=' ? 2 : 1);
    } else if (c === '&' || c === '|') {
      if (two !== c + c) throw new SelectorError(`expected ${c}${c}`);
      tokens.push({ kind: c === '&' ? 'and' : 'or' });
      input = input.slice(2);
    } else if (last === 'label') {
      input = operatorAfterLabel(input, tokens);
    } else if (input.startsWith('has(')) {
      input = trimLeft(input.slice(4));
      const ident = findIdentifier(input);
      if (ident === '') throw new SelectorError('no label name in has( expression');
      input = trimLeft(input.slice(ident.length));
      if (!input.startsWith(')')) throw new SelectorError("no closing ')' after has(");
      tokens.push({ kind: 'has', value: ident });
      input = input.slice(1);
    } else if (input.startsWith('all(') || input.startsWith('global(')) {
      const kind = input.startsWith('all(') ? 'all' : 'global';
      input = trimLeft(input.slice(kind.length + 1));
      if (!input.startsWith(')')) throw new SelectorError(`no closing ')' after ${kind}(`);
      tokens.push({ kind });
      input = input.slice(1);
    } else {
      const ident = findIdentifier(input);
      if (ident === '') throw new SelectorError('unexpected characters');
      tokens.push({ kind: 'label', value: ident });
      input = input.slice(ident.length);
    }
  }
}

function operatorAfterLabel(input: string, tokens: Token[]): string {
  const unexpected = () => new SelectorError(`unexpected characters after label '${tokens[tokens.length - 1]?.value ?? ''}', was expecting an operator`);
  const twoWords = (first: string, second: string, kind: Kind): string => {
    const rest = trimLeft(input.slice(first.length));
    if (!rest.startsWith(second)) throw unexpected();
    tokens.push({ kind });
    return rest.slice(second.length);
  };
  if (input.startsWith('contains')) {
    tokens.push({ kind: 'contains' });
    return input.slice('contains'.length);
  }
  if (input.startsWith('starts')) return twoWords('starts', 'with', 'startswith');
  if (input.startsWith('ends')) return twoWords('ends', 'with', 'endswith');
  if (input.startsWith('not')) return twoWords('not', 'in', 'notin');
  if (input.startsWith('in')) {
    tokens.push({ kind: 'in' });
    return input.slice(2);
  }
  throw unexpected();
}

const VALUE_OPS: ReadonlySet<Kind> = new Set(['eq', 'ne', 'contains', 'startswith', 'endswith']);

/** Returns the index after one (possibly negated) operation. */
function parseOperation(t: readonly Token[], start: number): number {
  let i = start;
  while (t[i]?.kind === 'not') i++;
  const kind = t[i]?.kind ?? 'eof';
  if (kind === 'has' || kind === 'all' || kind === 'global') return i + 1;
  if (kind === 'lparen') {
    const j = parseOr(t, i + 1);
    if (t[j]?.kind !== 'rparen') throw new SelectorError('expected )');
    return j + 1;
  }
  if (kind !== 'label') throw new SelectorError(`unexpected token: ${kind}`);
  if (t.length - i < 3) throw new SelectorError('unexpected end of string looking for op');
  const op = t[i + 1]?.kind ?? 'eof';
  if (VALUE_OPS.has(op)) {
    if (t[i + 2]?.kind !== 'string') throw new SelectorError('expected string');
    return i + 3;
  }
  if (op !== 'in' && op !== 'notin') throw new SelectorError(`expected == or != not: ${op}`);
  if (t[i + 2]?.kind !== 'lbrace') throw new SelectorError('expected set literal');
  let j = i + 3;
  while (t[j]?.kind === 'string') {
    j++;
    if (t[j]?.kind !== 'comma') break;
    j++;
  }
  if (t[j]?.kind !== 'rbrace') throw new SelectorError('expected }');
  return j + 1;
}

function parseAnd(t: readonly Token[], start: number): number {
  let j = parseOperation(t, start);
  while (t[j]?.kind === 'and') j = parseOperation(t, j + 1);
  return j;
}

function parseOr(t: readonly Token[], start: number): number {
  let j = parseAnd(t, start);
  while (t[j]?.kind === 'or') j = parseAnd(t, j + 1);
  return j;
}

/** `selector.Validate`: null when the selector parses (the empty selector does), else why not. */
export function selectorError(selector: string): string | null {
  // Clusters repeat a few selectors across thousands of policies; each is parsed once.
  const known = parsed.get(selector);
  if (known !== undefined) return known;
  const error = parseError(selector);
  if (parsed.size >= MAX_REMEMBERED) parsed.clear();
  parsed.set(selector, error);
  return error;
}

const MAX_REMEMBERED = 10000;
const parsed = new Map<string, string | null>();

function parseError(selector: string): string | null {
  try {
    const tokens = tokenize(selector);
    if (tokens[0]?.kind === 'eof') return null;
    const end = parseOr(tokens, 0);
    if (end !== tokens.length - 1) return 'unexpected content at end of selector';
    return null;
  } catch (e) {
    if (e instanceof SelectorError) return e.message;
    throw e;
  }
}

/**
 * `validateEntityRule`: a namespaceSelector that mentions `global(` must be exactly `global()`
 * (whitespace aside). Null when fine.
 */
export function namespaceGlobalError(selector: string): string | null {
  if (!selector.includes('global(') || selector === 'global()') return null;
  try {
    const tokens = tokenize(selector);
    if (tokens.length <= 2 && tokens[0]?.kind === 'global') return null;
  } catch {
    // A selector that does not even tokenize is also not "global() alone".
  }
  return 'global() cannot be combined with other selectors';
}
