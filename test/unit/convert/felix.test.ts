import assert from 'node:assert/strict';
import { convertIptablesFields, titleCaseAction } from '../../../src/convert/felix.js';

describe('convert/felix ConvertIptablesFields', () => {
  it('Title-cases the legacy upper-case actions (DROP -> Drop, ACCEPT -> Accept, RETURN -> Return)', () => {
    assert.equal(titleCaseAction('DROP'), 'Drop');
    assert.equal(titleCaseAction('ACCEPT'), 'Accept');
    assert.equal(titleCaseAction('RETURN'), 'Return');
  });
  it('leaves v3 values and empty values unchanged', () => {
    assert.equal(titleCaseAction('Drop'), 'Drop');
    assert.equal(titleCaseAction(''), '');
  });
  it('converts exactly the four iptables action fields', () => {
    const spec: Record<string, unknown> = {
      defaultEndpointToHostAction: 'DROP',
      iptablesFilterAllowAction: 'ACCEPT',
      iptablesMangleAllowAction: 'RETURN',
      iptablesFilterDenyAction: 'Drop',
      logSeverityScreen: 'INFO',
    };
    assert.deepEqual(convertIptablesFields(spec), ['defaultEndpointToHostAction', 'iptablesFilterAllowAction', 'iptablesMangleAllowAction']);
    assert.deepEqual(spec, {
      defaultEndpointToHostAction: 'Drop',
      iptablesFilterAllowAction: 'Accept',
      iptablesMangleAllowAction: 'Return',
      iptablesFilterDenyAction: 'Drop',
      logSeverityScreen: 'INFO',
    });
  });
});
