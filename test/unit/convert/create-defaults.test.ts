import assert from 'node:assert/strict';
import { applyCreateDefaults, DURATION_FIELDS } from '../../../src/convert/create-defaults.js';
import { formatGoDuration, normalizeGoDuration, parseGoDuration } from '../../../src/convert/go-duration.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

describe('Go durations (time.ParseDuration / Duration.String)', () => {
  // Expected values are what Go 1.24 prints for time.ParseDuration(in).String().
  const cases: Array<[string, string | null]> = [
    ['5m', '5m0s'],
    ['90s', '1m30s'],
    ['1h', '1h0m0s'],
    ['15m0s', '15m0s'],
    ['0', '0s'],
    ['0s', '0s'],
    ['1.5h', '1h30m0s'],
    ['1h2m3.5s', '1h2m3.5s'],
    ['300ms', '300ms'],
    ['1500ms', '1.5s'],
    ['2.5ms', '2.5ms'],
    ['1500us', '1.5ms'],
    ['999ns', '999ns'],
    ['-5m', '-5m0s'],
    ['', null],
    ['5', null],
    ['5 m', null],
    ['5d', null],
    ['.s', null],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => assert.equal(normalizeGoDuration(input), want));
  }
  it('formats and parses back every whole second up to two hours', () => {
    for (let s = 0n; s <= 7200n; s += 7n) {
      const ns = s * 1_000_000_000n;
      assert.equal(parseGoDuration(formatGoDuration(ns)), ns);
    }
  });
});

describe('create-time defaults of calicoctl import (clientv3)', () => {
  it('FelixConfiguration: floatingIPs, the BPF connect-time LB pair and bpfLogLevel, never replacing a value', () => {
    const spec: Record<string, unknown> = { logSeverityScreen: 'Info', floatingIPs: 'Enabled' };
    const changed = applyCreateDefaults('FelixConfiguration', spec);
    assert.deepEqual(spec, { logSeverityScreen: 'Info', floatingIPs: 'Enabled', bpfConnectTimeLoadBalancing: 'TCP', bpfHostNetworkedNATWithoutCTLB: 'Enabled', bpfLogLevel: '' });
    assert.deepEqual(changed, ['spec.bpfConnectTimeLoadBalancing', 'spec.bpfHostNetworkedNATWithoutCTLB', 'spec.bpfLogLevel']);
    assert.deepEqual(applyCreateDefaults('FelixConfiguration', spec), [], 'idempotent');
  });

  it('FelixConfiguration: the deprecated bpfConnectTimeLoadBalancingEnabled decides both fields, as setDefaults does', () => {
    const on: Record<string, unknown> = { bpfConnectTimeLoadBalancingEnabled: true, bpfConnectTimeLoadBalancing: 'TCP' };
    applyCreateDefaults('FelixConfiguration', on);
    assert.equal(on.bpfConnectTimeLoadBalancing, 'Enabled');
    assert.equal(on.bpfHostNetworkedNATWithoutCTLB, 'Disabled');
    const off: Record<string, unknown> = { bpfConnectTimeLoadBalancingEnabled: false };
    applyCreateDefaults('FelixConfiguration', off);
    assert.equal(off.bpfConnectTimeLoadBalancing, 'Disabled');
    assert.equal(off.bpfHostNetworkedNATWithoutCTLB, 'Disabled');
  });

  it('FelixConfiguration: durations in Go form, list items included', () => {
    const spec: Record<string, unknown> = { reportingInterval: '90s', healthTimeoutOverrides: [{ name: 'x', timeout: '2m' }], wireguardKeepAlive: 'bogus' };
    applyCreateDefaults('FelixConfiguration', spec);
    assert.equal(spec.reportingInterval, '1m30s');
    assert.deepEqual(spec.healthTimeoutOverrides, [{ name: 'x', timeout: '2m0s' }]);
    assert.equal(spec.wireguardKeepAlive, 'bogus', 'left for validation to report');
  });

  it('KubeControllersConfiguration: prometheusMetricsPort, leakGracePeriod (node controller only), assignIPs, durations', () => {
    const spec: Record<string, unknown> = {
      etcdV3CompactionPeriod: '10m',
      controllers: { node: { reconcilerPeriod: '5m', syncLabels: 'Enabled' }, policy: { reconcilerPeriod: '5m' }, loadBalancer: { assignIPs: '' } },
    };
    applyCreateDefaults('KubeControllersConfiguration', spec);
    assert.deepEqual(spec, {
      etcdV3CompactionPeriod: '10m0s',
      controllers: { node: { reconcilerPeriod: '5m0s', syncLabels: 'Enabled', leakGracePeriod: '15m0s' }, policy: { reconcilerPeriod: '5m0s' }, loadBalancer: { assignIPs: 'AllServices' } },
      prometheusMetricsPort: 9094,
    });
    const none: Record<string, unknown> = { controllers: {}, prometheusMetricsPort: 0 };
    applyCreateDefaults('KubeControllersConfiguration', none);
    assert.deepEqual(none, { controllers: {}, prometheusMetricsPort: 0 }, 'no node controller, no leak grace period; an explicit 0 port stays');
  });

  it('BGPPeer and BGPConfiguration durations; other kinds untouched', () => {
    const peer: Record<string, unknown> = { keepaliveTime: '30s', maxRestartTime: '120s' };
    applyCreateDefaults('BGPPeer', peer);
    assert.deepEqual(peer, { keepaliveTime: '30s', maxRestartTime: '2m0s' });
    const pool: Record<string, unknown> = { cidr: '10.0.0.0/8' };
    assert.deepEqual(applyCreateDefaults('IPPool', pool), []);
  });

  it('the duration fields listed are string fields of the vendored v3.32.1 CRDs', () => {
    const plural: Record<string, string> = {
      FelixConfiguration: 'felixconfigurations',
      KubeControllersConfiguration: 'kubecontrollersconfigurations',
      BGPConfiguration: 'bgpconfigurations',
      BGPPeer: 'bgppeers',
    };
    for (const [kind, fields] of Object.entries(DURATION_FIELDS)) {
      const crd = YAML.parse(readFileSync(path.resolve(import.meta.dirname, `../../../crds/crd.projectcalico.org_${plural[kind]}.yaml`), 'utf8')) as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: unknown } } } }> };
      };
      const specSchema = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec;
      for (const f of fields) {
        let node = specSchema as { type?: string; properties?: Record<string, unknown>; items?: unknown } | undefined;
        for (const part of f.split('.')) {
          const list = part.endsWith('[]');
          node = node?.properties?.[list ? part.slice(0, -2) : part] as typeof node;
          if (list) node = node?.items as typeof node;
        }
        assert.equal(node?.type, 'string', `${kind} spec.${f}`);
      }
    }
  });
});
