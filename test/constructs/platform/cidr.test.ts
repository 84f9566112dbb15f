import { checkCidr } from '../../../constructs/platform/cidr';

describe('checkCidr', () => {
  test.each([
    ['10.0.0.1/32', 4],
    ['192.168.10.0/24', 4],
    ['0.0.0.0/8', 4],
    ['255.255.255.255/32', 4],
    ['fd00::1/128', 6],
    ['fd00:10::/64', 6],
    ['2001:DB8:0:0:0:0:0:0/32', 6],
    ['::1/128', 6],
    ['::ffff:10.0.0.1/128', 6],
  ])('accepts %s (IPv%d)', (value, family) => {
    expect(checkCidr(value)).toEqual({ ok: true, family });
  });

  test.each([
    ['10.0.0.1', /no prefix length/, /10\.0\.0\.1\/32/],
    ['fd00::1', /no prefix length/, /fd00::1\/128/],
    ['10.0.0.256/32', /not an IPv4 address/, /10\.0\.0\.1\/32/],
    ['10.0.0/24', /not an IPv4 address/, /IPv4 or IPv6/],
    ['010.0.0.1/32', /not an IPv4 address/, /IPv4 or IPv6/],
    ['api.example.org/32', /not an IPv4 address/, /IPv4 or IPv6/],
    ['10.0.0.1/33', /prefix length "33" is not between 0 and 32/, /10\.0\.0\.1\/32/],
    ['10.0.0.1/', /prefix length "" is not between/, /10\.0\.0\.1\/32/],
    ['10.0.0.1/024', /prefix length "024"/, /10\.0\.0\.1\/32/],
    ['fd00::1/129', /not between 0 and 128/, /fd00::1\/128/],
    ['fd00::1::2/128', /not an IPv6 address/, /IPv4 or IPv6/],
    ['fd00:1:2:3:4:5:6:7:8/128', /not an IPv6 address/, /IPv4 or IPv6/],
    ['fd00:12345::/64', /not an IPv6 address/, /IPv4 or IPv6/],
    ['0.0.0.0/0', /allows every address/, /list the actual addresses/],
    ['::/0', /allows every address/, /list the actual addresses/],
  ])('refuses %s', (value, message, fix) => {
    const check = checkCidr(value);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toMatch(message);
    expect(check.fix).toMatch(fix);
  });

  test('host bits set: offers the network and the single address', () => {
    expect(checkCidr('10.0.0.1/24')).toEqual({
      ok: false,
      message: 'has host bits set: Kubernetes would read it as the whole network 10.0.0.0/24',
      fix: 'write 10.0.0.0/24 for the network, or 10.0.0.1/32 for this one address',
    });
    // IPv6: the network in its shortest form.
    expect(checkCidr('fd00:0:0:10::1/64')).toMatchObject({
      ok: false,
      fix: 'write fd00:0:0:10::/64 for the network, or fd00:0:0:10::1/128 for this one address',
    });
    expect(checkCidr('2001:db8:1:2:3:4:5:6/16')).toMatchObject({ ok: false, fix: expect.stringMatching(/^write 2001::\/16 for the network/) });
  });
});
