/** KubeControllersConfiguration rules (KubeControllersConfigurationSpec struct tags). */
import { join, list, rec, show } from '../access.js';
import { goRegexpError } from '../go.js';
import { labelValueError, qualifiedNameError } from '../names.js';
import { cidrProblem } from '../net.js';
import type { Issue, Rule } from '../types.js';
import { at, inRange, issue, oneOf } from './helpers.js';

const ENABLED_DISABLED = ['Enabled', 'Disabled'];

/** Dotted spec path -> allowed values. */
const ENUMS: Record<string, readonly string[]> = {
  logSeverityScreen: ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal'],
  healthChecks: ENABLED_DISABLED,
  'controllers.node.syncLabels': ENABLED_DISABLED,
  'controllers.node.hostEndpoint.autoCreate': ENABLED_DISABLED,
  'controllers.node.hostEndpoint.createDefaultHostEndpoint': ENABLED_DISABLED,
  'controllers.policyMigration.enabled': ENABLED_DISABLED,
  'controllers.loadBalancer.assignIPs': ['AllServices', 'RequestedServicesOnly'],
};

function templates(spec: Record<string, unknown>): Issue[] {
  const t = at(spec, 'controllers.node.hostEndpoint.templates');
  return list(t.value).flatMap((x, i) => {
    const tpl = rec(x);
    const p = join(t.path, i);
    const out: Issue[] = [];
    list(tpl.interfaceCIDRs).forEach((c, j) => {
      const e = typeof c === 'string' ? cidrProblem(c) : 'is not a string';
      if (e) out.push(issue(join(join(p, 'interfaceCIDRs'), j), `${show(c)} ${e}`));
    });
    if (typeof tpl.interfacePattern === 'string' && tpl.interfacePattern !== '') {
      const e = goRegexpError(tpl.interfacePattern);
      if (e) out.push(issue(join(p, 'interfacePattern'), `${show(tpl.interfacePattern)} ${e}`));
    }
    for (const [k, v] of Object.entries(rec(tpl.labels))) {
      const e = qualifiedNameError(k) ?? (typeof v === 'string' ? labelValueError(v) : 'must be a string');
      if (e) out.push(issue(join(join(p, 'labels'), k), `label ${show(k)}: ${e}`));
    }
    return out;
  });
}

export const KUBE_CONTROLLERS_RULES: readonly Rule[] = [
  {
    id: 'kcc-enums',
    kinds: ['KubeControllersConfiguration'],
    description:
      'logSeverityScreen is a Calico log level (not None or Panic, which the CRD allows); the controller switches are Enabled or Disabled; assignIPs is AllServices or RequestedServicesOnly',
    source: 'struct tags logLevel, oneof=Enabled Disabled, createDefaultHostEndpoint, assignIPs',
    check: (s) =>
      Object.entries(ENUMS).flatMap(([path, allowed]) => {
        const f = at(s.spec, path);
        return oneOf(f.value, f.path, allowed);
      }),
  },
  {
    id: 'kcc-ports',
    kinds: ['KubeControllersConfiguration'],
    description: 'prometheusMetricsPort and debugProfilePort are 0-65535',
    source: 'kubebuilder Minimum=0 Maximum=65535',
    check: (s) => [...inRange(s.spec.prometheusMetricsPort, 'spec.prometheusMetricsPort', 0, 65535), ...inRange(s.spec.debugProfilePort, 'spec.debugProfilePort', 0, 65535)],
  },
  {
    id: 'kcc-host-endpoint-templates',
    kinds: ['KubeControllersConfiguration'],
    description: 'Auto host endpoint templates have valid interfaceCIDRs, a Go interfacePattern and valid labels',
    source: 'Template struct tags cidrs, regexp, labels',
    check: (s) => templates(s.spec),
  },
];
