/**
 * Reads the changes of a plan file for the benchmark's own use (the minimal client's writes and
 * the per-kind counts), without the tool's code: the benchmark must keep measuring while the plan
 * format evolves. It accepts format 1 (one JSON document with `resource_changes`) and a
 * line-per-record format (a header, one change per line, a trailer); a change is any record with
 * an `address`, its action from `action` or `change.actions[0]`, its objects from the record or
 * from `change`. It claims no validation: the tool validates its own plans.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface BenchChange {
  address: string;
  action: string;
  kind: string;
  namespace: string | null;
  name: string;
  before: any;
  after: any;
}

function toChange(rec: any): BenchChange | null {
  if (!rec || typeof rec !== 'object' || typeof rec.address !== 'string') return null;
  const action = String(rec.action ?? rec.change?.action ?? (Array.isArray(rec.change?.actions) ? rec.change.actions[0] : ''));
  const after = rec.after ?? rec.change?.after ?? null;
  const before = rec.before ?? rec.change?.before ?? null;
  const obj = after ?? before ?? {};
  return {
    address: rec.address,
    action,
    kind: rec.kind ?? obj.kind ?? '',
    namespace: rec.namespace ?? obj.metadata?.namespace ?? null,
    name: rec.name ?? obj.metadata?.name ?? '',
    before,
    after,
  };
}

function* changesOf(rec: any): Generator<BenchChange> {
  // Format 1 is one (compact, canonical) JSON document holding every change.
  if (Array.isArray(rec?.resource_changes)) {
    for (const rc of rec.resource_changes) {
      const c = toChange(rc);
      if (c) yield c;
    }
    return;
  }
  // A line record may carry its change directly or wrapped.
  const c = toChange(rec?.address ? rec : (rec?.resource_change ?? rec?.change_record ?? null));
  if (c) yield c;
}

export async function* planChanges(file: string): AsyncGenerator<BenchChange> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let first = true;
  for await (const line of lines) {
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      if (!first) throw new Error(`${file}: a line is not JSON (${(e as Error).message})`);
      // Not one record per line: a pretty-printed document.
      lines.close();
      yield* changesOf(JSON.parse(readFileSync(file, 'utf8')));
      return;
    }
    first = false;
    yield* changesOf(rec);
  }
}

export interface PlanCounts {
  changes: number;
  byAction: Record<string, number>;
  byKind: Record<string, number>;
}

export async function countPlan(file: string): Promise<PlanCounts> {
  const counts: PlanCounts = { changes: 0, byAction: {}, byKind: {} };
  for await (const c of planChanges(file)) {
    counts.changes++;
    counts.byAction[c.action] = (counts.byAction[c.action] ?? 0) + 1;
    counts.byKind[c.kind] = (counts.byKind[c.kind] ?? 0) + 1;
  }
  return counts;
}
