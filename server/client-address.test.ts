import { describe, expect, it } from 'vitest';
import { addressBucket, isPrivateAddress, normalizeAddress, parseTrustProxy, TRUST_PRIVATE_HOPS } from './client-address.ts';
import { loadConfig } from './config.ts';

describe('TRUST_PROXY', () => {
  it('takes false, true (private hops), a hop count, or IPs/CIDRs/named ranges', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('true')).toEqual({ addresses: TRUST_PRIVATE_HOPS });
    expect(parseTrustProxy('2')).toEqual({ hops: 2 });
    expect(parseTrustProxy(' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,loopback')).toEqual({ addresses: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8', 'loopback'] });
  });

  it('stops start-up with a message naming the variable for anything else', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY="maybe": must be true, false, a hop count, or comma-separated IPs\/CIDRs.*invalid IP address: maybe/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY="10.0.0.0\/33": .*invalid range/);
    expect(() => loadConfig({ TRUST_PROXY: '1000' })).toThrow(/TRUST_PROXY="1000": must be a hop count between 0 and 100/);
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});

describe('client addresses', () => {
  it('are plain IPs or nothing', () => {
    expect(normalizeAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeAddress('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    for (const bad of ['not-an-ip', '1.2.3.4:5678', '[::1]', '127.1', '0x7f.0.0.1', '', undefined, '1.2.3.4 ', '::ffff:999.1.1.1']) {
      expect(normalizeAddress(bad), String(bad)).toBeUndefined();
    }
  });

  it('are counted per address, IPv6 per /64', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::ffff')).toBe(addressBucket('2001:db8:1:2:aaaa::1'));
  });

  it('are private on loopback, RFC 1918, unique-local and link-local networks only', () => {
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '192.168.1.1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1']) expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['203.0.113.9', '8.8.8.8', '100.64.0.1', '2001:db8::1', '0.0.0.0', '::', 'not-an-ip']) expect(isPrivateAddress(ip), ip).toBe(false);
  });
});
