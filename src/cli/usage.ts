/**
 * Usage errors: every way a command line can be wrong (unknown command, unknown flag, extra
 * argument, missing argument or flag, bad flag value, flags that exclude each other) becomes one
 * MigrateError of code USAGE (exit 64), whose message is one line naming what was wrong and whose
 * hint names the help to read, with a "Did you mean …?" for a near miss. oclif's own parse errors
 * are reworded here; an unknown command never reaches a command and comes here from the
 * `command_not_found` hook (src/hooks/command-not-found.ts).
 */
import { MigrateError } from '../errors.js';

/** Where the help is: `calico-migrate plan --help`, or `calico-migrate --help` outside a command. */
export function helpHint(bin: string, commandId?: string): string {
  const id = commandId ? ` ${commandId.replaceAll(':', ' ')}` : '';
  return `see \`${bin}${id} --help\``;
}

/** Edit distance (insert, delete, substitute, swap of neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate a typo most likely meant: a unique prefix, else the nearest within a third of its length (at least 2 edits). */
export function nearest(typed: string, candidates: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  if (!t) return undefined;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(t));
  if (prefixed.length === 1) return prefixed[0];
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(t, c.toLowerCase());
    if (d <= Math.max(2, Math.floor(c.length / 3)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/** An error oclif's parser threw for a bad command line (as opposed to a failure of the command). */
export function isParseError(err: Error): boolean {
  const name = err.constructor?.name ?? '';
  // A flag's own parser (an integer out of range, not a number) throws a plain CLIError that oclif prefixes with `Parsing --flag`.
  return /Flag|Arg|Parse|Invalid|Required|Unexpected|NonExistent/.test(name) || (err as { parse?: unknown }).parse !== undefined || /^Parsing --/.test(err.message);
}

export interface CommandShape {
  bin: string;
  /** The command being parsed (`plan`), absent outside one. */
  id?: string;
  /** The command's flag names (without `--`), for a "Did you mean" on a misspelt flag. */
  flags?: readonly string[];
}

/**
 * One of oclif's parse errors as a USAGE error with a one-line message. oclif writes some of them
 * over several lines (a list of missing arguments, "The following errors occurred:", its own
 * "See more help with --help"); the list is folded into the line and the help named in the hint.
 */
export function usageErrorFromParse(err: Error & { args?: unknown; flags?: unknown }, cmd: CommandShape): MigrateError {
  const name = err.constructor?.name ?? '';
  const hint = helpHint(cmd.bin, cmd.id);
  if (name === 'RequiredArgsError' && Array.isArray(err.args)) {
    const names = (err.args as Array<{ name?: string }>).map((a) => a.name ?? '?');
    return new MigrateError('USAGE', `Missing required argument${names.length === 1 ? '' : 's'}: ${names.join(', ')}`, { hint, cause: err });
  }
  if (name === 'NonExistentFlagsError' && Array.isArray(err.flags)) {
    const typed = err.flags as string[];
    const meant = typed.length === 1 && cmd.flags ? nearest(typed[0]!.replace(/^-+/, '').replace(/=.*$/, ''), cmd.flags) : undefined;
    const message = `Nonexistent flag${typed.length === 1 ? '' : 's'}: ${typed.join(', ')}${meant ? `. Did you mean --${meant}?` : ''}`;
    return new MigrateError('USAGE', message, { hint, cause: err });
  }
  const invalid = name === 'FlagInvalidOptionError' ? /^(?:Error: )?Expected --([\w-]+)=(.*) to be one of: (.*)$/m.exec(err.message.replace(ANSI, '')) : null;
  if (invalid) return invalidOptionError(invalid[1]!, invalid[2]!, invalid[3]!.split(', '), cmd, err);
  const lines = err.message
    .replace(ANSI, '')
    .replace(/^Error: /, '')
    .replace(/\s*\n\t/g, ': ')
    .replace(/^The following errors? occurred:\s*/, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'See more help with --help');
  const message = lines.reduce((acc, l) => (acc ? `${acc}${/:$/.test(acc) ? ' ' : '; '}${l}` : l), '').replace(/\s+/g, ' ');
  return new MigrateError('USAGE', message, { hint, cause: err });
}

/** Anything with a dot or a slash in it is more likely a file than a format. */
export function looksLikeFileName(value: string): boolean {
  return /[./\\]/.test(value);
}

/**
 * A flag value outside the flag's options, in one line naming the allowed values. -o/--output
 * gets more: it named the plan (or export) file before it named a format, so a command with
 * --out says that a file is --out FILE, and one without says where its output goes.
 */
export function invalidOptionError(flag: string, value: string, allowed: readonly string[], cmd: CommandShape, cause?: unknown): MigrateError {
  const help = helpHint(cmd.bin, cmd.id);
  if (flag !== 'output') return new MigrateError('USAGE', `Invalid --${flag} value ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`, { hint: help, cause });
  const message = `Invalid -o/--output format ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`;
  let hint = help;
  if (cmd.flags?.includes('out')) hint = `${help}; -o names an output format now, the file is --out ${looksLikeFileName(value) ? value : 'FILE'}`;
  else if (looksLikeFileName(value)) hint = `${help}; -o names an output format, and the output goes to standard output: redirect it (> ${value})`;
  return new MigrateError('USAGE', message, { hint, cause });
}

/**
 * The command line named no command: `id` is what oclif made of the words before the first flag
 * (`pln`, or `plan:out.json` for `plan out.json`, since a command without arguments lets oclif read
 * the next word as a subcommand). A known command followed by words is an extra argument;
 * anything else an unknown command, with the nearest command as a suggestion.
 */
export function commandNotFoundError(id: string, commandIds: readonly string[], bin: string): MigrateError {
  const words = id.split(':');
  for (let n = words.length - 1; n > 0; n--) {
    const commandId = words.slice(0, n).join(':');
    if (!commandIds.includes(commandId)) continue;
    const extra = words.slice(n);
    const command = commandId.replaceAll(':', ' ');
    return new MigrateError('USAGE', `Unexpected argument${extra.length === 1 ? '' : 's'}: ${extra.join(', ')} (${command} takes no arguments)`, { hint: helpHint(bin, commandId) });
  }
  const typed = words.join(' ');
  if (typed.startsWith('-')) return new MigrateError('USAGE', `Nonexistent flag: ${typed} (name a command first)`, { hint: helpHint(bin) });
  const names = commandIds.map((c) => c.replaceAll(':', ' '));
  const meant = nearest(typed, names);
  return new MigrateError('USAGE', `Unknown command: ${typed}.${meant ? ` Did you mean ${meant}?` : ''}`, {
    hint: meant ? `${helpHint(bin, meant)}, or \`${bin} --help\` for every command` : `${helpHint(bin)} for the commands`,
  });
}
