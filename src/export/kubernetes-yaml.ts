/**
 * `export -o kubernetes`: the converted objects as multi-document YAML, in apply order.
 *
 * Keys keep the order the converter builds them in (apiVersion, kind, metadata, spec; Calico's own
 * field order), so the output reads like what `kubectl get -o yaml` shows and is byte-identical to
 * the reviewed golden files (test/fixtures/datasets/<name>/expected.k8s.yaml). Lists of scalars
 * (IPAM allocations, nets, types) go on one line to keep large IPAM blocks reviewable.
 */
import YAML, { Document, isScalar, isSeq, visit } from 'yaml';
import type { DesiredObject } from '../model/types.js';

/** Plain block YAML of a value, keys in insertion order (used for the calicoctl export's v3 lists). */
export function toYamlDocument(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}

/** YAML of one converted object: keys in insertion order, lists of scalars in flow style. */
export function objectYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.length > 0 && node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

export function renderKubernetesYaml(objects: readonly DesiredObject[]): string {
  return objects.map((o) => objectYaml(o.body)).join('---\n');
}
