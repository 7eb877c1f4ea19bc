import assert from 'node:assert/strict';
import { versionLines, versionReport } from '../../../src/workflow/version.js';

describe('version report', () => {
  const r = versionReport({ name: 'calico-migrate', version: '1.2.3' }, { node: 'v20.19.0', platform: 'linux', arch: 'arm64' });

  it('names the tool, the runtime, the plan format and schema, and the Calico release the conversion targets', () => {
    assert.deepEqual(r, {
      name: 'calico-migrate',
      version: '1.2.3',
      node: 'v20.19.0',
      platform: 'linux',
      arch: 'arm64',
      plan: { format_version: '4', readable_format_versions: ['4'], schema: { id: 'https://github.com/calico-migrate/calico-migrate/schemas/plan.schema.json', draft: 'draft-07' } },
      calico_version: 'v3.32.1',
    });
  });

  it('renders one line per field', () => {
    assert.deepEqual(versionLines(r), [
      'calico-migrate 1.2.3',
      'node: v20.19.0',
      'platform: linux-arm64',
      'plan format: 4 (reads 4)',
      'plan schema: https://github.com/calico-migrate/calico-migrate/schemas/plan.schema.json (JSON Schema draft-07)',
      'calico: v3.32.1 (the CRDs and validation rules the conversion targets)',
    ]);
  });
});
