import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { base32NoPad, blockAffinityName, hostnameHashLabel, ipamHandleName } from '../../../src/convert/names.js';
import { cidrToName } from '../../../src/model/cidr.js';

describe('convert/names', () => {
  describe('cidrToName (reference §3.4)', () => {
    it('turns 10.0.0.0/26 into 10-0-0-0-26', () => {
      assert.equal(cidrToName('10.0.0.0/26'), '10-0-0-0-26');
    });
    it('turns fd00::40/122 into fd00--40-122', () => {
      assert.equal(cidrToName('fd00::40/122'), 'fd00--40-122');
    });
    it('replaces at most 7 colons, like strings.Replace(…, 7)', () => {
      assert.equal(cidrToName('1:2:3:4:5:6:7:8/128'), '1-2-3-4-5-6-7-8-128');
      assert.equal(cidrToName('fd5f:abcd:64::/122'), 'fd5f-abcd-64---122');
    });
  });

  describe('blockAffinityName', () => {
    it('is <host>-<cidrname> below 253 characters', () => {
      assert.equal(blockAffinityName('node-1', '10-0-0-0-26'), 'node-1-10-0-0-0-26');
    });
    it('truncates and hashes when the name would be ≥ 253 characters', () => {
      const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}`;
      const cidrName = '192-168-40-0-26';
      const name = blockAffinityName(host, cidrName);
      const hash = createHash('sha256').update(`${host}+${cidrName}`).digest('hex').slice(0, 11);
      assert.equal(name, `${host.slice(0, 252 - cidrName.length - 13)}-${cidrName}-${hash}`);
      assert.equal(name.length, 252);
    });
    it('applies the hash exactly at the 253-character boundary', () => {
      const cidrName = '10-0-0-0-26';
      const justBelow = 'h'.repeat(252 - 1 - cidrName.length - 1) + 'x';
      assert.equal(blockAffinityName(justBelow, cidrName), `${justBelow}-${cidrName}`);
      const atLimit = `${justBelow}y`;
      assert.notEqual(blockAffinityName(atLimit, cidrName), `${atLimit}-${cidrName}`);
      assert.equal(blockAffinityName(atLimit, cidrName).length, 252);
    });
  });

  describe('hostnameHashLabel', () => {
    it('is base32(SHA3-256(hostname)) without padding', () => {
      // Cross-checked with Python: base64.b32encode(hashlib.sha3_256(b'n1.k8s').digest()).rstrip('=')
      assert.equal(hostnameHashLabel('n1.k8s'), 'DYSSQID5YBHNXU3C43J4CHMJET3I6J243I23SY4UUUKK2P6TPB6Q');
      assert.equal(hostnameHashLabel('n1.k8s').length, 52);
    });
    it('base32NoPad follows RFC 4648 test vectors', () => {
      const vectors: Array<[string, string]> = [
        ['', ''],
        ['f', 'MY'],
        ['fo', 'MZXQ'],
        ['foo', 'MZXW6'],
        ['foob', 'MZXW6YQ'],
        ['fooba', 'MZXW6YTB'],
        ['foobar', 'MZXW6YTBOI'],
      ];
      for (const [input, want] of vectors) assert.equal(base32NoPad(Buffer.from(input)), want);
    });
  });

  it('ipamHandleName lower-cases the handle ID', () => {
    assert.equal(ipamHandleName('k8s-pod-network.A1B2C3'), 'k8s-pod-network.a1b2c3');
  });
});
