/**
 * The plan for a terminal: summary and blockers first, then one entry per change in apply
 * order. Creates, deletes and extras are one line each (the whole object with `verbose`);
 * updates always show a diff, since what changes is the thing to review. Without `verbose`,
 * creates of a kind with more than LIST_LIMIT of them, and plain Node annotation updates beyond
 * it, are one line per kind where the first of them would be (review.ts); everything a reviewer
 * must read is always listed. A pure function of the plan: no terminal detection here, colour is
 * the caller's decision.
 */
import { displayName } from './address.js';
import {
  ACTION_SYMBOL,
  MAX_CHECK_ITEMS,
  PREVIEW_NOTE,
  countsSentence,
  detailLines,
  extraNote,
  kindRows,
  modeDescription,
  plural,
  primaryAction,
  skippedByCategory,
  sourceDescription,
  targetDescription,
  targetingBanner,
} from './render-common.js';
import { foldKey, foldsOf, formatCount, overwrittenAnnotations, reviewOf, type Fold } from './review.js';
import type { Check, Plan, ResourceChange } from './types.js';

export interface TextRenderOptions {
  /** Show whole objects for creates, deletes and extras, and list unchanged objects. @default false */
  verbose?: boolean;
  /** ANSI colours. @default false */
  color?: boolean;
  /** The plan file, named in the hint on how to list what is folded. @default 'PLAN' */
  planFile?: string;
}

/** How many changed paths an update's headline names. */
const NAMED_PATHS = 4;

/** The whole rendering as one string (tests, small plans); large plans are written with `planTextLines`. */
export function renderPlanText(plan: Plan, options: TextRenderOptions = {}): string {
  return [...planTextLines(plan, options)].join('\n') + '\n';
}

/** Everything above the list of changes: the summary, the checks and the warnings. */
export function renderPlanHeading(plan: Plan, options: TextRenderOptions = {}): string {
  return headingLines(plan, painter(options.color ?? false), options.verbose ?? false).join('\n');
}

/**
 * The rendering line by line (no newlines), made as it is read: the list of a 300,000-object plan
 * is ~30 MB of text, which is written out in pieces, never built whole.
 */
export function* planTextLines(plan: Plan, options: TextRenderOptions = {}): Generator<string> {
  const paint = painter(options.color ?? false);
  const verbose = options.verbose ?? false;
  yield* headingLines(plan, paint, verbose);
  let shown = 0;
  for (const change of plan.resource_changes) if (verbose || primaryAction(change) !== 'no-op') shown++;
  yield '';
  yield shown > 0 ? 'Changes:' : 'No changes: the target already matches the source.';
  // A second pass over the changes (no list of them is built): the plan file's changes read their bodies on demand.
  const folds = verbose ? new Map<string, Fold>() : foldsOf(plan.resource_changes);
  const folded = new Set<string>();
  for (const change of plan.resource_changes) {
    if (!verbose && primaryAction(change) === 'no-op') continue;
    const fold = folds.size > 0 && reviewOf(change) === 'foldable' ? folds.get(foldKey(change)) : undefined;
    if (!fold) yield* changeLines(change, verbose, paint);
    else if (!folded.has(fold.key)) {
      folded.add(fold.key);
      yield foldedLine(fold, change, options.planFile ?? 'PLAN', paint);
    }
  }
  const hidden = plan.resource_changes.length - shown;
  if (hidden > 0) yield `  (${plural(hidden, 'unchanged object')} not listed; use --verbose to list them)`;
}

function headingLines(plan: Plan, paint: Painter, verbose: boolean): string[] {
  const out: string[] = [];

  out.push(paint.bold(`Plan ${plan.plan_id}`));
  out.push(`  ${plan.tool.name} ${plan.tool.version}, mode ${modeDescription(plan)}`);
  out.push(`  Source: ${sourceDescription(plan)}`);
  out.push(`  Target: ${targetDescription(plan)}`);
  if (!plan.source.locked) out.push('', paint.yellow(`! ${PREVIEW_NOTE}`));
  const banner = targetingBanner(plan);
  if (banner) out.push('', paint.yellow(banner));

  out.push('', paint.bold(`Plan: ${countsSentence(plan.summary)}.`));
  if (plan.summary.destructive) out.push('  This plan overwrites or deletes existing objects in the target.');
  out.push(...kindTable(plan));

  out.push(...checkSection(plan.checks, paint, verbose));
  if (plan.warnings.length > 0) {
    out.push('', paint.yellow(`! ${plural(plan.warnings.length, 'warning')}:`));
    for (const w of plan.warnings) out.push(`  ! ${w}`);
  }
  if (plan.skipped.length > 0) {
    out.push('', `Skipped ${plural(plan.skipped.length, 'source key')} (not migrated): ${skippedByCategory(plan)}.`);
    if (verbose) for (const s of plan.skipped) out.push(`  ${s.key} (${s.category}): ${s.reason}`);
  }
  return out;
}

function kindTable(plan: Plan): string[] {
  const rows = kindRows(plan.summary);
  if (rows.length === 0) return [];
  const header = ['Kind', 'create', 'update', 'delete', 'extra', 'no-op'];
  const body = rows.map(([kind, c]) => [kind, ...[c.create, c.update, c.delete, c.extra, c.no_op].map(String)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return ['', line(header), ...body.map(line)];
}

/** Failed checks list every item: each is something to fix before apply. The others list the first few unless `verbose`. */
function checkSection(checks: readonly Check[], paint: Painter, verbose: boolean): string[] {
  const out: string[] = [];
  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  const passed = checks.filter((c) => c.status === 'pass');
  if (failed.length > 0) {
    out.push('', paint.red(`✗ ${plural(failed.length, 'check')} failed; apply will refuse this plan:`));
    for (const c of failed) out.push(...checkLines(c, paint.red('✗'), Infinity));
  }
  if (warned.length > 0) {
    out.push('', paint.yellow(`! ${plural(warned.length, 'check')} with warnings:`));
    for (const c of warned) out.push(...checkLines(c, paint.yellow('!'), verbose ? Infinity : MAX_CHECK_ITEMS));
  }
  if (passed.length > 0) out.push('', `✓ ${plural(passed.length, 'check')} passed: ${passed.map((c) => c.id).join(', ')}`);
  return out;
}

function checkLines(check: Check, mark: string, items: number): string[] {
  const out = [`  ${mark} ${check.id}: ${check.message}`];
  for (const item of check.items.slice(0, items)) out.push(`      - ${item}`);
  if (check.items.length > items) out.push(`      … and ${check.items.length - items} more (--verbose lists all)`);
  return out;
}

/** `  + 19,840 IPAMHandle creates (first: a, b, c …; `calico-migrate show PLAN --verbose` lists all)` */
function foldedLine(fold: Fold, first: ResourceChange, file: string, paint: Painter): string {
  const action = primaryAction(first);
  const line = `  ${ACTION_SYMBOL[action]} ${formatCount(fold.count)} ${fold.label} (first: ${fold.first.join(', ')} …; \`calico-migrate show ${file} --verbose\` lists all)`;
  return action === 'create' ? paint.green(line) : paint.yellow(line);
}

function changeLines(change: ResourceChange, verbose: boolean, paint: Painter): string[] {
  const action = primaryAction(change);
  const head = `  ${ACTION_SYMBOL[action]} ${action} ${displayName(change)}`;
  const out: string[] = [];
  switch (action) {
    case 'update': {
      const paths = change.change.changed_paths;
      const more = paths.length > NAMED_PATHS ? `, +${paths.length - NAMED_PATHS} more` : '';
      const overwritten = overwrittenAnnotations(change);
      const note = overwritten.length > 0 ? ` (overwrites ${plural(overwritten.length, 'annotation')} the Node has: ${overwritten.join(', ')})` : '';
      out.push(paint.yellow(`${head}${note}: ${paths.slice(0, NAMED_PATHS).join(', ')}${more}`));
      break;
    }
    case 'create':
      out.push(paint.green(head));
      break;
    case 'delete':
      out.push(paint.red(head));
      break;
    case 'extra':
      out.push(paint.cyan(`${head} (${extraNote(change)})`));
      break;
    case 'no-op':
      out.push(paint.dim(head));
      break;
    default: {
      const never: never = action;
      throw new Error(`renderPlanText: unknown action ${String(never)}`);
    }
  }
  if (change.dry_run?.status === 'error') {
    out.push(paint.red(`      ✗ server dry-run failed: ${change.dry_run.message ?? 'no message'}`));
  }
  if (action === 'update' || verbose) {
    for (const line of detailLines(change)) out.push(paint.diffLine(`      ${line}`, line));
  }
  return out;
}

interface Painter {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  /** Colour `text` by the diff marker at the start of `line`. */
  diffLine(text: string, line: string): string;
}

function painter(color: boolean): Painter {
  const wrap = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const p = { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36') };
  return {
    ...p,
    diffLine: (text, line) => (line.startsWith('+') ? p.green(text) : line.startsWith('-') ? p.red(text) : line.startsWith('@@') ? p.cyan(text) : text),
  };
}
