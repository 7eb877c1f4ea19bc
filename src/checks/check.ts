/** Helpers shared by the checks: a check lists at most MAX_ITEMS offenders so plans stay small. */
import type { Check } from '../plan/types.js';

export const MAX_ITEMS = 50;

export function check(id: string, failures: string[], passMessage: string, failMessage: (n: number) => string, status: 'fail' | 'warn' = 'fail'): Check {
  if (failures.length === 0) return { id, status: 'pass', message: passMessage, items: [] };
  const items = failures.slice(0, MAX_ITEMS);
  if (failures.length > MAX_ITEMS) items.push(`… and ${failures.length - MAX_ITEMS} more`);
  return { id, status, message: failMessage(failures.length), items };
}
