/**
 * Collects findings while converting. Conversion never throws: every problem becomes a
 * Diagnostic and the next key is processed, so one run reports everything an operator must fix.
 */
import type { Diagnostic, Severity } from '../model/types.js';

export type DiagnosticInput = Omit<Diagnostic, 'severity'>;

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  add(severity: Severity, d: DiagnosticInput): void {
    this.list.push(makeDiagnostic(severity, d));
  }

  private errors = 0;

  error(d: DiagnosticInput): void {
    this.errors++;
    this.add('error', d);
  }

  warn(d: DiagnosticInput): void {
    this.add('warning', d);
  }

  info(d: DiagnosticInput): void {
    this.add('info', d);
  }

  /** Errors reported through `error()` (O(1), used to tell whether one conversion step failed). */
  get errorCount(): number {
    return this.errors;
  }
}

/** A Diagnostic with its fields in one fixed order (stable JSON), undefined fields left out. */
export function makeDiagnostic(severity: Severity, d: DiagnosticInput): Diagnostic {
  const out: Diagnostic = { severity, code: d.code } as Diagnostic;
  if (d.key !== undefined) out.key = d.key;
  if (d.object !== undefined) out.object = d.object;
  if (d.path !== undefined) out.path = d.path;
  out.message = d.message;
  if (d.hint !== undefined) out.hint = d.hint;
  return out;
}

/** `<apiVersion>/<Kind>/[<namespace>/]<name>`: the address the plan uses for a target object. */
export function objectAddress(apiVersion: string, kind: string, namespace: string | null, name: string): string {
  return `${apiVersion}/${kind}/${namespace ? `${namespace}/` : ''}${name}`;
}
