/**
 * The plan as a pull-request comment: the plan_id to approve, the summary and the checks always,
 * then each change folded in a <details> block. Comment size is capped (GitHub: 65,536
 * characters), so with `maxBytes` the changes are cut, whole blocks at a time, and a note says how
 * many were left out; the output never exceeds `maxBytes` UTF-8 bytes.
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
import type { Check, Plan, ResourceChange } from './types.js';

export interface MarkdownRenderOptions {
  /** Upper bound on the UTF-8 size of the result. @default unlimited */
  maxBytes?: number;
}

/** A size that fits one GitHub comment with room to spare. */
export const GITHUB_COMMENT_MAX_BYTES = 60_000;

/** How many changed paths an update's summary line names. */
const NAMED_PATHS = 6;

const STATUS_ICON: Record<Check['status'], string> = { fail: '❌', warn: '⚠️', pass: '✅' };

export function renderPlanMarkdown(plan: Plan, options: MarkdownRenderOptions = {}): string {
  const head = headSection(plan);
  const blocks = plan.resource_changes.filter((c) => primaryAction(c) !== 'no-op').map(changeBlock);
  const full = head + blocks.join('');
  const max = options.maxBytes;
  if (max === undefined || bytes(full) <= max) return full;

  // Whole blocks in apply order until the next one (plus the note) would not fit.
  let size = bytes(head);
  let used = 0;
  for (const block of blocks) {
    const next = size + bytes(block);
    if (next + bytes(omittedNote(blocks.length - used - 1, blocks.length)) > max) break;
    size = next;
    used++;
  }
  const withNote = head + blocks.slice(0, used).join('') + omittedNote(blocks.length - used, blocks.length);
  if (bytes(withNote) <= max) return withNote;
  // Even the summary does not fit: keep whole lines of it, then say so.
  const cut = `\n_This comment was cut to ${max} bytes; see the full plan artifact._\n`;
  if (bytes(cut) > max) return truncateLines(head, max);
  return truncateLines(head, max - bytes(cut)) + cut;
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
  out.push('#### Changes', '');
  if (!plan.resource_changes.some((c) => primaryAction(c) !== 'no-op')) out.push('No changes: the target already matches the source.', '');
  return out.join('\n') + '\n';
}

function changeBlock(change: ResourceChange): string {
  const action = primaryAction(change);
  let title = `<code>${ACTION_SYMBOL[action]} ${action}</code> ${escapeHtml(displayName(change))}`;
  if (action === 'update') title += ` — ${escapeHtml(pathList(change.change.changed_paths))}`;
  if (action === 'extra') title += ` (${escapeHtml(extraNote(change))})`;
  if (change.dry_run?.status === 'error') title += ` — ❌ server dry-run failed: ${escapeHtml(change.dry_run.message ?? 'no message')}`;
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

function omittedNote(omitted: number, total: number): string {
  if (omitted <= 0) return '';
  return `> **${omitted} of ${plural(total, 'change')} not shown** to keep this comment small. See the full plan artifact for them.\n`;
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

/** The longest prefix of whole lines within `max` bytes (cut inside a line only if the first line is too long). */
function truncateLines(text: string, max: number): string {
  if (max <= 0) return '';
  let out = '';
  for (const line of text.split('\n')) {
    const next = out + line + '\n';
    if (bytes(next) > max) break;
    out = next;
  }
  if (out !== '') return out;
  let prefix = '';
  for (const ch of text) {
    if (bytes(prefix + ch) > max) break;
    prefix += ch;
  }
  return prefix;
}
