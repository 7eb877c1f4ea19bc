/**
 * Generic v3 ObjectMeta -> `crd.projectcalico.org/v1` CR metadata (libcalico-go
 * `ConvertCalicoResourceToK8sResource`, reference §3.2).
 *
 * ≥ v3.29 layout: the CR carries only labels/annotations whose key contains `projectcalico.org/`
 * or `operator.tigera.io/`; the whole v3 ObjectMeta minus namespace/resourceVersion/uid (and minus
 * the name except for tiered policies on ≥ v3.30) goes into the `projectcalico.org/metadata`
 * annotation. Older readers (≤ v3.28) took labels and annotations from the CR itself and would lose
 * the ones only present in the annotation, so for those targets the legacy layout is written.
 *
 * creationTimestamp: `calicoctl datastore migrate export` nulls it and the import stamps "now".
 * That makes the desired object differ on every run, which breaks plan/apply idempotency, so we
 * keep the SOURCE creationTimestamp when present (null otherwise). Readers use the annotation's
 * timestamp when it is set, so `calicoctl get` keeps showing when the object was really created.
 *
 * Dropped like export/import does: uid, resourceVersion, generation, generateName, selfLink,
 * managedFields, finalizers, deletion*. Kept (an improvement over calicoctl): ownerReferences,
 * with projectcalico.org/v3 owners rewritten to crd.projectcalico.org/v1 and their UID converted;
 * the plan then points them at the owners' uids in the target (plan/owner-references.ts).
 */
import type { KubeObject } from '../model/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import { GoMap, goJson, isRecord, pointer, sortedStringMap, type JsonRecord } from './json.js';
import { TOTAL_ANNOTATION_SIZE_LIMIT, annotationsSize, labelValueError, qualifiedNameError } from './k8s-names.js';

export const METADATA_ANNOTATION = 'projectcalico.org/metadata';

/** libcalico-go `isOurs`. */
export function isOurs(key: string): boolean {
  return key.includes('projectcalico.org/') || key.includes('operator.tigera.io/');
}

export interface MetadataContext {
  key: string;
  address: string;
  diag: DiagnosticSink;
}

/** Reads `metadata.labels` / `metadata.annotations`, reporting non-string maps. */
export function readStringMap(meta: JsonRecord, field: 'labels' | 'annotations', ctx: MetadataContext): Record<string, string> {
  const v = meta[field];
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) {
    ctx.diag.error({
      code: 'invalid-value',
      key: ctx.key,
      object: ctx.address,
      path: pointer('metadata', field),
      message: `metadata.${field} must be a map of strings`,
      hint: 'Fix the object in etcd (e.g. with calicoctl apply) so it is a valid Calico resource.',
    });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      ctx.diag.error({
        code: 'invalid-value',
        key: ctx.key,
        object: ctx.address,
        path: pointer('metadata', field, k),
        message: `metadata.${field}["${k}"] must be a string`,
        hint: 'Fix the object in etcd so every label/annotation value is a string.',
      });
      continue;
    }
    Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * libcalico-go `conversion.ConvertUID`: reverse the bits of every byte except bytes 6 and 8,
 * which hold the UUID version and variant. Returns null when the input is not a UUID.
 */
export function convertUid(uid: string): string | null {
  const hex = uid
    .replace(/^urn:uuid:/i, '')
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const bytes = Buffer.from(hex, 'hex');
  for (let i = 0; i < bytes.length; i++) {
    if (i === 6 || i === 8) continue;
    let b = bytes[i] ?? 0;
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    bytes[i] = r;
  }
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function convertOwnerReferences(raw: unknown, ctx: MetadataContext, translate: boolean): JsonRecord[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    ctx.diag.error({
      code: 'invalid-value',
      key: ctx.key,
      object: ctx.address,
      path: pointer('metadata', 'ownerReferences'),
      message: 'metadata.ownerReferences must be a list',
      hint: 'Fix the object in etcd so it is a valid Calico resource.',
    });
    return [];
  }
  const out: JsonRecord[] = [];
  raw.forEach((ref, i) => {
    const ok = isRecord(ref) && typeof ref.apiVersion === 'string' && typeof ref.kind === 'string' && typeof ref.name === 'string' && typeof ref.uid === 'string';
    if (!ok) {
      ctx.diag.error({
        code: 'invalid-value',
        key: ctx.key,
        object: ctx.address,
        path: pointer('metadata', 'ownerReferences', i),
        message: 'owner reference must have string apiVersion, kind, name and uid',
        hint: 'Fix or remove the owner reference in etcd.',
      });
      return;
    }
    let apiVersion = ref.apiVersion as string;
    let uid = ref.uid as string;
    if (translate && apiVersion === 'projectcalico.org/v3') {
      const converted = convertUid(uid);
      if (converted === null) {
        ctx.diag.warn({
          code: 'owner-reference-uid',
          key: ctx.key,
          object: ctx.address,
          path: pointer('metadata', 'ownerReferences', i, 'uid'),
          message: `owner reference uid "${uid}" is not a UUID; kept unchanged`,
        });
      } else {
        uid = converted;
      }
      apiVersion = 'crd.projectcalico.org/v1';
    }
    const o: JsonRecord = { apiVersion, kind: ref.kind, name: ref.name, uid };
    if (typeof ref.controller === 'boolean') o.controller = ref.controller;
    if (typeof ref.blockOwnerDeletion === 'boolean') o.blockOwnerDeletion = ref.blockOwnerDeletion;
    out.push(o);
  });
  // The converted uid names the owner as it was in etcd; the plan rewrites it to the owner's uid in
  // the target (plan/owner-references.ts).
  return out;
}

function creationTimestamp(meta: JsonRecord, ctx: MetadataContext): string | null {
  const ts = meta.creationTimestamp;
  if (ts === undefined || ts === null) return null;
  if (typeof ts === 'string') return ts;
  ctx.diag.warn({
    code: 'invalid-value',
    key: ctx.key,
    object: ctx.address,
    path: pointer('metadata', 'creationTimestamp'),
    message: 'metadata.creationTimestamp is not a string; written as null',
  });
  return null;
}

export interface CrMetadataInput {
  /** The v3 ObjectMeta as read (name/namespace/uid are ignored; use the explicit fields). */
  meta: JsonRecord;
  /** Labels and annotations after read-side conversion and defaulting. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  crName: string;
  namespace: string | null;
  /** The v3 name, stored in the annotation when set (tiered policies on ≥ v3.30). */
  annotationName?: string;
  /** false: the ≤ v3.28 layout (all labels/annotations on the CR). */
  annotationLayout: boolean;
  /** IPAM objects bypass clientv3, so Calico always writes a null creationTimestamp for them. */
  keepCreationTimestamp: boolean;
}

export function buildCrMetadata(input: CrMetadataInput, ctx: MetadataContext): KubeObject['metadata'] {
  const { labels, annotations } = input;
  const ts = input.keepCreationTimestamp ? creationTimestamp(input.meta, ctx) : null;
  const owners = convertOwnerReferences(input.meta.ownerReferences, ctx, input.annotationLayout);

  const annotationBody: JsonRecord = {};
  if (input.annotationLayout && input.annotationName !== undefined) annotationBody.name = input.annotationName;
  annotationBody.creationTimestamp = ts;
  if (input.annotationLayout && Object.keys(labels).length > 0) annotationBody.labels = new GoMap(labels);
  if (input.annotationLayout && Object.keys(annotations).length > 0) annotationBody.annotations = new GoMap(annotations);
  if (owners.length > 0) annotationBody.ownerReferences = owners;

  if (annotations[METADATA_ANNOTATION] !== undefined) {
    ctx.diag.warn({
      code: 'metadata-annotation-overwritten',
      key: ctx.key,
      object: ctx.address,
      path: pointer('metadata', 'annotations', METADATA_ANNOTATION),
      message: `the v3 object carries its own ${METADATA_ANNOTATION} annotation; it is replaced by the one the Kubernetes datastore needs`,
    });
  }

  const crLabels = input.annotationLayout ? Object.fromEntries(Object.entries(labels).filter(([k]) => isOurs(k))) : { ...labels };
  const crAnnotations: Record<string, string> = input.annotationLayout
    ? Object.fromEntries(Object.entries(annotations).filter(([k]) => isOurs(k) && k !== METADATA_ANNOTATION))
    : Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== METADATA_ANNOTATION));
  crAnnotations[METADATA_ANNOTATION] = goJson(annotationBody);

  validateCrLabelsAndAnnotations(crLabels, crAnnotations, ctx);

  const md: KubeObject['metadata'] = { name: input.crName };
  if (input.namespace !== null) md.namespace = input.namespace;
  if (Object.keys(crLabels).length > 0) md.labels = sortedStringMap(crLabels);
  md.annotations = sortedStringMap(crAnnotations);
  return md;
}

export function validateCrLabelsAndAnnotations(labels: Record<string, string>, annotations: Record<string, string>, ctx: MetadataContext): void {
  for (const [k, v] of Object.entries(labels)) {
    const keyErr = qualifiedNameError(k);
    const valErr = labelValueError(v);
    if (keyErr || valErr) {
      ctx.diag.error({
        code: 'invalid-label',
        key: ctx.key,
        object: ctx.address,
        path: pointer('metadata', 'labels', k),
        message: `label "${k}" cannot be stored on the Kubernetes object: ${keyErr ? `key ${keyErr}` : `value ${valErr}`}`,
        hint: 'Fix or remove the label on the source object in etcd, then plan again.',
      });
    }
  }
  for (const k of Object.keys(annotations)) {
    const keyErr = qualifiedNameError(k);
    if (keyErr) {
      ctx.diag.error({
        code: 'invalid-annotation',
        key: ctx.key,
        object: ctx.address,
        path: pointer('metadata', 'annotations', k),
        message: `annotation key "${k}" is not valid on a Kubernetes object: ${keyErr}`,
        hint: 'Fix or remove the annotation on the source object in etcd, then plan again.',
      });
    }
  }
  const size = annotationsSize(annotations);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    ctx.diag.error({
      code: 'annotations-too-large',
      key: ctx.key,
      object: ctx.address,
      path: pointer('metadata', 'annotations'),
      message: `annotations total ${size} bytes; Kubernetes allows at most ${TOTAL_ANNOTATION_SIZE_LIMIT}`,
      hint: 'Reduce the labels/annotations on the source object in etcd.',
    });
  }
}
