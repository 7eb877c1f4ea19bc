import assert from 'node:assert/strict';
import { MigrateError } from '../../../src/errors.js';
import type { TargetReader } from '../../../src/ports/target.js';
import { backingApiGroup } from '../../../src/workflow/target.js';

/** Only the served API groups matter to this decision (Calico's discovery.go rule). */
const servedGroups = (groups: string[]): Pick<TargetReader, 'server' | 'apiGroups'> => ({ server: 'https://k8s.example:6443', apiGroups: async () => groups });

describe('backing API group (discovery.go rule)', () => {
  it('uses crd.projectcalico.org/v1 when it is served, even beside projectcalico.org', async () => {
    assert.equal(await backingApiGroup(servedGroups(['apps', 'crd.projectcalico.org'])), 'crd.projectcalico.org/v1');
    assert.equal(await backingApiGroup(servedGroups(['crd.projectcalico.org', 'projectcalico.org'])), 'crd.projectcalico.org/v1');
  });

  it('refuses a v3-only cluster with exit 15 and says why', async () => {
    await assert.rejects(backingApiGroup(servedGroups(['apps', 'projectcalico.org'])), (e: unknown) => {
      assert.ok(e instanceof MigrateError);
      assert.equal(e.exitCode, 15);
      assert.match(e.message, /serves Calico's projectcalico\.org\/v3 API only \(a v3-CRD cluster\)/);
      return true;
    });
  });

  it('refuses a cluster without Calico CRDs, naming the group to install', async () => {
    await assert.rejects(backingApiGroup(servedGroups(['apps'])), /has no Calico CRDs \(API group crd\.projectcalico\.org is not served\)/);
  });
});
