import assert from 'node:assert/strict';
import { canonicalCidr, cidrsOverlap, formatIp, parseCidr, parseIp } from '../../../src/model/cidr.js';

describe('convert/cidr', () => {
  it('formats IPv6 like Go net.IP.String()', () => {
    const cases: Array<[string, string]> = [
      ['fd00:0:0:0:0:0:0:40', 'fd00::40'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fd5f:abcd:64::1:0', 'fd5f:abcd:64::1:0'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
    ];
    for (const [input, want] of cases) {
      const ip = parseIp(input);
      assert.ok(ip, input);
      assert.equal(formatIp(ip.bytes), want, input);
    }
  });

  it('parses and masks CIDRs', () => {
    const c = parseCidr('10.1.2.3/16');
    assert.ok(c);
    assert.equal(c.masked, false);
    assert.equal(canonicalCidr(c), '10.1.0.0/16');
    const v6 = parseCidr('fd00:0::40/122');
    assert.ok(v6);
    assert.equal(v6.masked, true);
    assert.equal(canonicalCidr(v6), 'fd00::40/122');
  });

  it('rejects malformed input', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '010.0.0.0/8', 'fd00::/129', 'fd00:::1/64', '1::2::3/64', 'x/1', '10.0.0.0/-1', '']) {
      assert.equal(parseCidr(bad), null, bad);
    }
  });

  it('detects overlaps within one IP version only', () => {
    const a = parseCidr('172.20.0.0/16');
    const b = parseCidr('172.20.128.0/17');
    const c = parseCidr('172.21.0.0/16');
    const d = parseCidr('::/0');
    assert.ok(a && b && c && d);
    assert.equal(cidrsOverlap(a, b), true);
    assert.equal(cidrsOverlap(a, c), false);
    assert.equal(cidrsOverlap(a, d), false);
  });
});
