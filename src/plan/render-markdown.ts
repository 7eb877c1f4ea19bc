/**
 * The plan as a pull-request comment: the plan_id to approve, the summary and the checks always,
 * then the changes to review (updates, deletes, extras, Node annotations overwritten, failed
 * dry-runs), then creates and plain Node updates, each in a <details> block, those of a kind with
 * more than LIST_LIMIT folded into one line (review.ts). GitHub refuses comments over 65,536
 * characters, so the comment is capped there by default: whole blocks are cut from the end, creates
 * before anything to review, and a note says how many were cut and how to see them all.
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
  toYaml,
} from './render-common.js';
import { foldKey, foldsOf, formatCount, overwrittenAnnotations, reviewOf, type Fold, type Review } from './review.js';
import type { Check, Plan, ResourceChange } from './types.js';

export interface MarkdownRenderOptions {
  /**
   * Upper bound on the length of the result in characters, counted as JavaScript counts them
   * (UTF-16 code units: never fewer than the code points GitHub counts). 0: no cap.
   * @default 65536 (GitHub's comment limit)
   */
  maxChars?: number;
  /** Upper bound in UTF-8 bytes instead, for tools that count bytes; when set, `maxChars` is not used. 0: no cap. */
  maxBytes?: number;
  /** List every change: no folding of creates and plain Node updates. @default false */
  verbose?: boolean;
  /** The plan file, named in the hints on how to see what is folded or cut. @default 'PLAN' */
  planFile?: string;
}

/** GitHub refuses a comment longer than this many characters. */
export const GITHUB_COMMENT_MAX_CHARS = 65_536;

/** How many changed paths an update's summary line names. */
const NAMED_PATHS = 6;

const STATUS_ICON: Record<Check['status'], string> = { fail: '❌', warn: '⚠️', pass: '✅' };

interface Limit {
  max: number;
  unit: 'characters' | 'bytes';
  size(text: string): number;
}

function limitOf(options: MarkdownRenderOptions): Limit | null {
  if (options.maxBytes !== undefined) return options.maxBytes > 0 ? { max: options.maxBytes, unit: 'bytes', size: bytes } : null;
  const max = options.maxChars ?? GITHUB_COMMENT_MAX_CHARS;
  return max > 0 ? { max, unit: 'characters', size: (t) => t.length } : null;
}

/**
 * The comment, capped (65,536 characters unless told otherwise). What is cut first: creates and
 * plain Node updates, from the end; then, only if the changes to review alone do not fit, those
 * from the end; then lines of the summary. A note says how many were cut and how to see them.
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownRenderOptions = {}): string {
  const limit = limitOf(options);
  if (limit === null) return [...planMarkdownPieces(plan, options)].join('');
  return cappedMarkdown(plan, options, limit);
}

/**
 * The uncapped comment in pieces (each ends with a newline), made as it is read: a 300,000-object
 * plan with `verbose` is far more than any comment, and is never one string here.
 */
export function* planMarkdownPieces(plan: Plan, options: Omit<MarkdownRenderOptions, 'maxChars' | 'maxBytes'> = {}): Generator<string> {
  const parts = sections(plan, options);
  yield parts.head;
  if (parts.review.count > 0) yield parts.review.heading;
  yield* parts.review.pieces();
  if (parts.rest.count > 0) yield parts.rest.heading;
  yield* parts.rest.pieces();
}

/** The same pieces as lines without their newlines, for `outLines`. */
export function* planMarkdownLines(plan: Plan, options: MarkdownRenderOptions = {}): Generator<string> {
  const limit = limitOf(options);
  const pieces = limit === null ? planMarkdownPieces(plan, options) : [cappedMarkdown(plan, options, limit)];
  for (const piece of pieces) yield* piece.replace(/\n$/, '').split('\n');
}

interface Piece {
  text: string;
  /** The change in one line, without its diff. */
  line: string;
  /** How many changes it shows (a folded line shows many). */
  changes: number;
}

interface Section {
  heading: string;
  /** Changes in the section. */
  count: number;
  pieces(): Generator<string>;
  /** The pieces with how many changes each stands for; generated again on each call (bodies are read from the plan file). */
  entries(): Generator<Piece>;
}

function sections(plan: Plan, options: MarkdownRenderOptions): { head: string; review: Section; rest: Section } {
  const folds = options.verbose ? new Map<string, Fold>() : foldsOf(plan.resource_changes);
  const hint = seeAllHint(options.planFile ?? 'PLAN');
  let review = 0;
  let rest = 0;
  for (const c of plan.resource_changes) {
    const r = reviewOf(c);
    if (r === 'review') review++;
    else if (r === 'foldable') rest++;
  }
  const section = (which: Review, heading: string, count: number): Section => {
    function* entries(): Generator<Piece> {
      const done = new Set<string>();
      for (const c of plan.resource_changes) {
        if (reviewOf(c) !== which) continue;
        const fold = which === 'foldable' ? folds.get(foldKey(c)) : undefined;
        if (!fold) yield { text: changeBlock(c), line: changeLine(c), changes: 1 };
        else if (!done.has(fold.key)) {
          done.add(fold.key);
          const text = foldedLine(fold, c, hint);
          yield { text, line: text, changes: fold.count };
        }
      }
    }
    return {
      heading,
      count,
      entries,
      *pieces() {
        for (const e of entries()) yield e.text;
      },
    };
  };
  return {
    head: headSection(plan),
    review: section('review', `#### Changes to review (${formatCount(review)}): updates, deletes, extras, Node annotations overwritten, failed dry-runs\n\n`, review),
    rest: section('foldable', `#### Creates and Node annotation updates that overwrite nothing (${formatCount(rest)})\n\n`, rest),
  };
}

function cappedMarkdown(plan: Plan, options: MarkdownRenderOptions, limit: Limit): string {
  const { head, review, rest } = sections(plan, options);
  const { max, size } = limit;
  const file = options.planFile ?? 'PLAN';
  // Measured, not kept; `bound` stops a measure that can only say "too long" (a --verbose plan of 300,000 creates).
  const sectionSize = (s: Section, part: 'text' | 'line', bound = Infinity) => {
    let n = s.count > 0 ? size(s.heading) : 0;
    for (const e of s.entries()) {
      n += size(e[part]);
      if (n > bound) break;
    }
    return n;
  };
  const reviewSize = sectionSize(review, 'text', max);
  if (size(head) + reviewSize <= max && size(head) + reviewSize + sectionSize(rest, 'text', max) <= max) return [...planMarkdownPieces(plan, options)].join('');

  // The longest the note can be: every count at its largest.
  const reserve = size(cutNote({ lines: review.count, review: review.count, rest: rest.count }, review.count, rest.count, limit, file));
  const out: string[] = [head];
  let used = size(head);
  if (used + reserve > max) return truncatedHead(head, limit);
  const cut = { lines: 0, review: 0, rest: 0 };

  // Changes to review: in full while the rest of them still fit as one line each; then one line each; then cut.
  if (review.count > 0) {
    // The heading only with a first entry under it: a heading over nothing would still count.
    const heading = size(review.heading);
    let linesLeft = sectionSize(review, 'line') - heading;
    let shown = 0;
    for (const e of review.entries()) {
      const lead = shown === 0 ? heading : 0;
      linesLeft -= size(e.line);
      let piece: string;
      if (used + lead + size(e.text) + linesLeft + reserve <= max) piece = e.text;
      else if (used + lead + size(e.line) + reserve <= max) {
        piece = e.line;
        cut.lines++;
      } else break;
      if (shown === 0) out.push(review.heading);
      out.push(piece);
      used += lead + size(piece);
      shown++;
    }
    cut.review = review.count - shown;
  }
  // Creates and plain Node updates only when everything to review is there in full.
  let restShown = 0;
  if (rest.count > 0 && cut.review === 0 && cut.lines === 0) {
    let headed = false;
    for (const e of rest.entries()) {
      const extra = (headed ? 0 : size(rest.heading)) + size(e.text);
      if (used + extra + reserve > max) break;
      if (!headed) out.push(rest.heading);
      headed = true;
      out.push(e.text);
      used += extra;
      restShown += e.changes;
    }
  }
  cut.rest = rest.count - restShown;
  out.push(cutNote(cut, review.count, rest.count, limit, file));
  return out.join('');
}

function cutNote(cut: { lines: number; review: number; rest: number }, reviewTotal: number, restTotal: number, limit: Limit, file: string): string {
  const parts: string[] = [];
  if (cut.lines > 0) parts.push(`the diffs of **${formatCount(cut.lines)} of ${plural(reviewTotal, 'change')} to review** (listed above in one line each)`);
  if (cut.review > 0) parts.push(`**${formatCount(cut.review)} of ${plural(reviewTotal, 'change')} to review**`);
  if (cut.rest > 0) parts.push(`${formatCount(cut.rest)} of ${formatCount(restTotal)} creates and Node annotation updates that overwrite nothing`);
  if (parts.length === 0) return '';
  const warning = cut.lines > 0 || cut.review > 0 ? '> [!WARNING]\n' : '';
  return `${warning}> Not shown, to keep this comment within ${formatCount(limit.max)} ${limit.unit}: ${parts.join('; ')}. To see all: ${seeAllHint(file)}, \`calico-migrate show ${file} -o markdown --max-chars 0\`, or the plan file itself.\n`;
}

function seeAllHint(file: string): string {
  return `\`calico-migrate show ${file} --verbose\``;
}

function truncatedHead(head: string, limit: Limit): string {
  const cut = `\n_This comment was cut to ${formatCount(limit.max)} ${limit.unit}; see the full plan artifact._\n`;
  if (limit.size(cut) > limit.max) return truncateLines(head, limit);
  return truncateLines(head, { ...limit, max: limit.max - limit.size(cut) }) + cut;
}

function foldedLine(fold: Fold, first: ResourceChange, hint: string): string {
  const symbol = ACTION_SYMBOL[primaryAction(first)];
  const names = fold.first.map((n) => code(n)).join(', ');
  return `- <code>${symbol}</code> **${formatCount(fold.count)} ${escapeHtml(fold.label)}** (first: ${names} …; ${hint} lists all)\n\n`;
}

function headSection(plan: Plan): string {
  const s = plan.summary;
  const out: string[] = [];
  out.push(`### calico-migrate plan \`${plan.plan_id}\``, '');
  out.push(`**Plan: ${countsSentence(s)}.**${s.destructive ? ' Overwrites or deletes existing objects.' : ''}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Mode | ${cell(modeDescription(plan))} |`);
  out.push(`| Tool | ${cell(`${plan.tool.name} ${plan.tool.version}`)} |`);
  out.push(`| Source | ${cell(sourceDescription(plan))} |`);
  out.push(`| Target | ${cell(targetDescription(plan))} |`, '');
  if (!plan.source.locked) out.push(`> [!WARNING]`, `> ${escapeHtml(PREVIEW_NOTE)}`, '');
  const banner = targetingBanner(plan);
  if (banner) out.push(`> [!WARNING]`, `> ${escapeHtml(banner)}`, '');

  const rows = kindRows(s);
  if (rows.length > 0) {
    out.push('| Kind | create | update | delete | extra | no-op |', '|---|--:|--:|--:|--:|--:|');
    for (const [kind, c] of rows) out.push(`| ${cell(kind)} | ${c.create} | ${c.update} | ${c.delete} | ${c.extra} | ${c.no_op} |`);
    out.push(`| **Total** | ${s.create} | ${s.update} | ${s.delete} | ${s.extra} | ${s.no_op} |`, '');
  }

  if (plan.checks.length > 0) {
    const failed = s.checks.fail > 0 ? ` — ${plural(s.checks.fail, 'check')} failed; apply will refuse this plan` : '';
    out.push(`#### Checks${failed}`, '', '| | Check | Result |', '|---|---|---|');
    const order: Check['status'][] = ['fail', 'warn', 'pass'];
    for (const status of order) {
      for (const c of plan.checks.filter((x) => x.status === status)) {
        out.push(`| ${STATUS_ICON[status]} | ${cell(c.id)} | ${cell(c.message)}${itemsCell(c.items)} |`);
      }
    }
    out.push('');
  }
  if (plan.warnings.length > 0) {
    out.push('#### Warnings', '');
    for (const w of plan.warnings) out.push(`- ${escapeHtml(w)}`);
    out.push('');
  }
  if (plan.skipped.length > 0) {
    out.push(`Skipped ${plural(plan.skipped.length, 'source key')} (not migrated): ${escapeHtml(skippedByCategory(plan))}.`, '');
  }
  if (!plan.resource_changes.some((c) => primaryAction(c) !== 'no-op')) out.push('#### Changes', '', 'No changes: the target already matches the source.', '');
  return out.join('\n') + '\n';
}

function changeBlock(change: ResourceChange): string {
  return blockOf(change, changeTitle(change));
}

/** A change in one line, without its diff: what is kept of a change to review when the diffs do not all fit. */
function changeLine(change: ResourceChange): string {
  return `- ${changeTitle(change)}\n\n`;
}

function changeTitle(change: ResourceChange): string {
  const action = primaryAction(change);
  let title = `<code>${ACTION_SYMBOL[action]} ${action}</code> ${escapeHtml(displayName(change))}`;
  const overwritten = overwrittenAnnotations(change);
  if (overwritten.length > 0) title += ` — ⚠️ overwrites ${plural(overwritten.length, 'annotation')} the Node has: ${escapeHtml(overwritten.join(', '))}`;
  if (action === 'update') title += ` — ${escapeHtml(pathList(change.change.changed_paths))}`;
  if (action === 'extra') title += ` (${escapeHtml(extraNote(change))})`;
  if (change.dry_run?.status === 'error') title += ` — ❌ server dry-run failed: ${escapeHtml(change.dry_run.message ?? 'no message')}`;
  return title;
}

function blockOf(change: ResourceChange, title: string): string {
  const action = primaryAction(change);
  // An extra is shown as it is, not as a diff: nothing will change it.
  const lines = action === 'extra' ? toYaml(change.change.before).trimEnd().split('\n') : detailLines(change);
  const body = lines.join('\n');
  const fence = fenceFor(body);
  const lang = action === 'extra' ? 'yaml' : 'diff';
  return `<details><summary>${title}</summary>\n\n${fence}${lang}\n${body}\n${fence}\n\n</details>\n\n`;
}

function pathList(paths: readonly string[]): string {
  const more = paths.length > NAMED_PATHS ? `, +${paths.length - NAMED_PATHS} more` : '';
  return paths.slice(0, NAMED_PATHS).join(', ') + more;
}

function itemsCell(items: readonly string[]): string {
  if (items.length === 0) return '';
  const shown = items
    .slice(0, MAX_CHECK_ITEMS)
    .map((i) => code(i).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|'))
    .join(', ');
  const more = items.length > MAX_CHECK_ITEMS ? `, … and ${items.length - MAX_CHECK_ITEMS} more` : '';
  return `<br>${shown}${more}`;
}

/** Text for a table cell: no line breaks, pipes escaped (GFM needs that even inside code spans). */
function cell(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>').replace(/\|/g, '\\|');
}

function code(text: string): string {
  const ticks = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function fenceFor(body: string): string {
  return '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of whole lines within the limit (cut inside a line only if the first line is too long; never inside a code point). */
function truncateLines(text: string, limit: Limit): string {
  const { max, size } = limit;
  if (max <= 0) return '';
  let out = '';
  for (const line of text.split('\n')) {
    const next = out + line + '\n';
    if (size(next) > max) break;
    out = next;
  }
  if (out !== '') return out;
  let prefix = '';
  for (const ch of text) {
    if (size(prefix + ch) > max) break;
    prefix += ch;
  }
  return prefix;
}
