/**
 * Calico creates its protected tiers in every datastore it initialises (see
 * model/protected-tiers.ts). Sources written by older Calico versions may not store them, yet
 * policies in the default tier still need it. When neither the source nor the target has one,
 * the desired state includes it, built with the same metadata rules as a converted source tier,
 * so its form is exactly what Calico would store. Calico stamps them when it initialises the
 * datastore, so their creationTimestamp is the source datastore's (`datastoreCreatedAt`), which
 * keeps the plan a function of its inputs; null only when no source object carries a time.
 */
import { CRD_API_VERSION } from '../model/kinds.js';
import { PROTECTED_TIERS } from '../model/protected-tiers.js';
import type { DesiredObject } from '../model/types.js';
import { DiagnosticSink, objectAddress } from './diagnostics.js';
import { buildCrMetadata } from './metadata.js';
import { sortObjects } from './order.js';
import { DEFAULT_NAMING_VERSION, parseCalicoVersion, usesMetadataAnnotationLayout, type CalicoVersion } from './version.js';

/** The objects plus the implied protected tiers, in conversion order. */
export function withImpliedTiers(objects: readonly DesiredObject[], liveTierNames: ReadonlySet<string>, namingVersion: string, createdAt: string | null): DesiredObject[] {
  return sortObjects([...objects, ...impliedTiers(objects, liveTierNames, namingVersion, createdAt)]);
}

/** The protected tiers neither `objects` nor the target (`liveTierNames`) has, for the given naming version. */
export function impliedTiers(objects: readonly DesiredObject[], liveTierNames: ReadonlySet<string>, namingVersion: string, createdAt: string | null): DesiredObject[] {
  const have = new Set(objects.filter((o) => o.kind === 'Tier').map((o) => o.name));
  const version: CalicoVersion = parseCalicoVersion(namingVersion) ?? (parseCalicoVersion(DEFAULT_NAMING_VERSION) as CalicoVersion);
  return PROTECTED_TIERS.filter((t) => !have.has(t.name) && !liveTierNames.has(t.name)).map((t) => {
    // A tier with no labels, annotations or owners cannot produce a diagnostic; the sink only
    // satisfies the metadata builder's signature.
    const metadata = buildCrMetadata(
      {
        meta: { name: t.name, creationTimestamp: createdAt },
        labels: {},
        annotations: {},
        crName: t.name,
        namespace: null,
        annotationLayout: usesMetadataAnnotationLayout(version),
        keepCreationTimestamp: true,
      },
      { key: '', address: objectAddress(CRD_API_VERSION, 'Tier', null, t.name), diag: new DiagnosticSink() },
    );
    return {
      apiVersion: CRD_API_VERSION,
      kind: 'Tier',
      namespace: null,
      name: t.name,
      body: { apiVersion: CRD_API_VERSION, kind: 'Tier', metadata, spec: { order: t.order, defaultAction: t.defaultAction } },
      // Not read from the source: no source key, so staleness checks ignore them.
      sources: [],
    };
  });
}
