/**
 * Pieces shared by the text and markdown renderings, so both say the same thing in the same words.
 */
import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from '../model/types.js';
import { compareStrings } from './canonical.js';
import { isNeverPruned } from './diff.js';
import type { Action, Plan, PlanSummary, ResourceChange } from './types.js';

/** Lines of context around each change in a diff, as in `diff -u`. */
export const DIFF_CONTEXT = 3;
/** How many items of a check a rendering lists before "and N more". */
export const MAX_CHECK_ITEMS = 10;

/**
 * YAML with sorted keys, no line folding (long annotation values stay on one line, so a change
 * shows as one line) and no anchors for repeated values.
 */
export function toYaml(obj: KubeObject | null): string {
  if (obj === null) return '';
  return stringify(obj, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Unified-diff hunks (`@@ ... @@` then ` `/`-`/`+` lines) from the YAML of `before` to the YAML
 * of `after`, without file headers. Null on a side diffs against nothing.
 */
export function diffLines(before: KubeObject | null, after: KubeObject | null): string[] {
  const patch = structuredPatch('before', 'after', toYaml(before), toYaml(after), undefined, undefined, {
    context: DIFF_CONTEXT,
  });
  const out: string[] = [];
  for (const h of patch.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    out.push(...h.lines);
  }
  return out;
}

/** The lines a change shows in detail: a diff for an update, the whole object for the rest. */
export function detailLines(change: ResourceChange): string[] {
  const { before, after } = change.change;
  switch (primaryAction(change)) {
    case 'update':
      return diffLines(before, after);
    case 'create':
      return prefixLines(toYaml(after), '+');
    case 'delete':
      return prefixLines(toYaml(before), '-');
    case 'extra':
      return prefixLines(toYaml(before), ' ');
    case 'no-op':
      return [];
  }
}

function prefixLines(yaml: string, prefix: string): string[] {
  return yaml === ''
    ? []
    : yaml
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => prefix + l);
}

/** Our changes carry one action each; the first is the one that describes it. */
export function primaryAction(change: ResourceChange): Action {
  return change.change.action;
}

export const ACTION_SYMBOL: Record<Action, string> = {
  create: '+',
  update: '~',
  delete: '-',
  extra: '?',
  'no-op': '=',
};

/** Why an extra is listed, and what (if anything) removes it. */
export function extraNote(change: ResourceChange): string {
  return isNeverPruned(change.kind, change.name) ? 'not in source; never deleted by calico-migrate' : 'not in source; use --prune to delete';
}

/** `5 to create, 3 to update, 0 to delete, 2 extra, 4 unchanged` */
export function countsSentence(s: PlanSummary): string {
  return `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.extra} extra, ${s.no_op} unchanged`;
}

/** The targeting banner, or null when no filter was used. */
export function targetingBanner(plan: Plan): string | null {
  const { include, exclude } = plan.options;
  if (include.length === 0 && exclude.length === 0) return null;
  const only = include.length > 0 ? `only ${include.join(', ')}` : 'everything';
  const except = exclude.length > 0 ? ` except ${exclude.join(', ')}` : '';
  return `Targeting in effect: ${only}${except} — the plan is partial.`;
}

export function sourceDescription(plan: Plan): string {
  const s = plan.source;
  const where = s.endpoints.length > 0 ? ` ${s.endpoints.join(', ')}` : '';
  const cluster = s.cluster_id ? ` (cluster ${s.cluster_id})` : '';
  const revision = s.revision === null ? '' : `, revision ${s.revision}`;
  const version = s.calico_version ? `, Calico ${s.calico_version}` : '';
  return `${s.type}${where}${cluster}${revision}${version}, ${s.locked ? 'locked' : 'NOT locked'}`;
}

export function targetDescription(plan: Plan): string {
  const t = plan.target;
  return `${t.server} (cluster uid ${t.cluster_uid}), API group ${t.api_group}`;
}

/** What an unlocked-source plan means for apply. */
export const PREVIEW_NOTE = 'The source was not locked when this plan was made: it is a preview. apply needs the source locked (`calico-migrate lock`, or `apply --lock`) and unchanged since.';

export function modeDescription(plan: Plan): string {
  return plan.mode === 'reverse' && plan.reverses ? `reverse (undoes ${plan.reverses})` : plan.mode;
}

/** Kind rows for the summary tables, sorted by kind. */
export function kindRows(s: PlanSummary): Array<[string, PlanSummary['by_kind'][string]]> {
  return Object.entries(s.by_kind).sort(([a], [b]) => compareStrings(a, b));
}

/** `2 workload-endpoint, 1 felix-status`, most frequent first. */
export function skippedByCategory(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const s of plan.skipped) counts.set(s.category, (counts.get(s.category) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || compareStrings(a, b))
    .map(([category, n]) => `${n} ${category}`)
    .join(', ');
}

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}
