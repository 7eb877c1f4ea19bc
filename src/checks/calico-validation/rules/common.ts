/** Rules that span kinds: selector syntax, Go durations, and the `name` format of references. */
import { join, list, nonEmpty, present, rec, show, type JsonRecord } from '../access.js';
import { DURATION_FIELDS } from '../../../convert/create-defaults.js';
import { parseGoDuration } from '../go.js';
import { isName } from '../names.js';
import { selectorError } from '../selector.js';
import type { Issue, Rule, Subject } from '../types.js';
import { at, issue, POLICY_KINDS, policyRules, SIDES, strings } from './helpers.js';

interface Field {
  value: unknown;
  path: string;
}

function field(spec: JsonRecord, ...keys: string[]): Field[] {
  return keys.map((k) => ({ value: spec[k], path: join('spec', k) }));
}

/** Every field that holds a Calico selector (`validate:"selector"`), by kind. */
export function selectorFields(s: Subject): Field[] {
  const spec = s.spec;
  switch (s.kind) {
    case 'GlobalNetworkPolicy':
    case 'StagedGlobalNetworkPolicy':
    case 'NetworkPolicy':
    case 'StagedNetworkPolicy': {
      const out = field(spec, 'selector', 'namespaceSelector', 'serviceAccountSelector');
      for (const r of policyRules(spec)) {
        for (const side of SIDES) {
          const e = rec(r.rule[side]);
          const base = join(r.path, side);
          for (const k of ['selector', 'notSelector', 'namespaceSelector']) out.push({ value: e[k], path: join(base, k) });
          out.push({ value: rec(e.serviceAccounts).selector, path: join(join(base, 'serviceAccounts'), 'selector') });
        }
      }
      return out;
    }
    case 'IPPool':
      return field(spec, 'nodeSelector', 'namespaceSelector');
    case 'BGPPeer':
      return field(spec, 'nodeSelector', 'peerSelector', 'localWorkloadSelector');
    case 'FelixConfiguration':
      return field(spec, 'nodeSelector');
    case 'KubeControllersConfiguration': {
      const templates = at(spec, 'controllers.node.hostEndpoint.templates');
      return list(templates.value).map((t, i) => ({ value: rec(t).nodeSelector, path: join(join(templates.path, i), 'nodeSelector') }));
    }
    default:
      return [];
  }
}

const SELECTOR_KINDS = [...POLICY_KINDS, 'IPPool', 'BGPPeer', 'FelixConfiguration', 'KubeControllersConfiguration'];

/** The `metav1.Duration` fields conversion normalises (`listField[].item` for each item of a list). */
function durationFields(s: Subject): Field[] {
  return (DURATION_FIELDS[s.kind] ?? []).flatMap((d): Field[] => {
    const [listPath = d, item] = d.split('[].');
    if (item === undefined) return [at(s.spec, d)];
    const l = at(s.spec, listPath);
    return list(l.value).map((o, i) => ({ value: rec(o)[item], path: join(join(l.path, i), item) }));
  });
}

/** References whose struct tag is `name`: a DNS-1123 subdomain. */
function nameReferences(s: Subject): Field[] {
  const spec = s.spec;
  switch (s.kind) {
    case 'BGPPeer':
      return [...field(spec, 'node'), ...strings(spec.filters, 'spec.filters')];
    case 'HostEndpoint':
      return [...field(spec, 'node'), ...strings(spec.profiles, 'spec.profiles')];
    case 'GlobalNetworkPolicy':
    case 'StagedGlobalNetworkPolicy':
    case 'NetworkPolicy':
    case 'StagedNetworkPolicy': {
      const out = field(spec, 'tier');
      for (const r of policyRules(spec)) {
        for (const side of SIDES) {
          const services = rec(rec(r.rule[side]).services);
          const base = join(join(r.path, side), 'services');
          out.push({ value: services.name, path: join(base, 'name') }, { value: services.namespace, path: join(base, 'namespace') });
        }
      }
      return out;
    }
    case 'KubeControllersConfiguration': {
      const templates = at(spec, 'controllers.node.hostEndpoint.templates');
      return list(templates.value).map((t, i) => ({ value: rec(t).generateName, path: join(join(templates.path, i), 'generateName') }));
    }
    default:
      return [];
  }
}

export const COMMON_RULES: readonly Rule[] = [
  {
    id: 'selector-syntax',
    kinds: SELECTOR_KINDS,
    description: "Every selector (policy, rule source/destination, namespace, service account, node, peer, local workload) parses with Calico's selector grammar",
    source: 'validator.go validateSelector (lib/selector/parser)',
    check: (s) =>
      selectorFields(s).flatMap((f): Issue[] => {
        if (typeof f.value !== 'string') return [];
        const e = selectorError(f.value);
        return e ? [issue(f.path, `selector ${show(f.value)} does not parse: ${e}`)] : [];
      }),
  },
  {
    id: 'duration-format',
    kinds: Object.keys(DURATION_FIELDS),
    description: 'Duration fields are strings Go\'s time.ParseDuration accepts (e.g. "90s", "1m30s"); anything else fails to decode',
    source: 'metav1.Duration UnmarshalJSON',
    check: (s) =>
      durationFields(s).flatMap((f): Issue[] => {
        if (!present(f.value)) return [];
        if (typeof f.value === 'string' && parseGoDuration(f.value) !== null) return [];
        return [issue(f.path, `${show(f.value)} is not a Go duration (e.g. "90s", "5m0s", "1h")`)];
      }),
  },
  {
    id: 'reference-name-format',
    kinds: ['BGPPeer', 'HostEndpoint', ...POLICY_KINDS, 'KubeControllersConfiguration'],
    description: 'Names that refer to other resources (node, tier, profiles, filters, services, template generateName) are lower-case DNS-1123 subdomains',
    source: 'struct tag validate:"name"',
    check: (s) =>
      nameReferences(s).flatMap((f): Issue[] => {
        if (!present(f.value) || f.value === '') return [];
        if (nonEmpty(f.value) && isName(f.value)) return [];
        return [issue(f.path, `${show(f.value)} is not a valid name (lower-case alphanumerics, '-' and '.')`)];
      }),
  },
];
