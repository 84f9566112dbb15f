/**
 * CIDR blocks as NetworkPolicy `ipBlock.cidr` takes them, IPv4 or IPv6. Kubernetes accepts a
 * block with host bits set (10.0.0.1/24) and silently means the whole network, which is
 * rarely what was meant, so such a block is refused with both readings offered.
 */
/* eslint-disable no-bitwise -- IPv4 addresses and prefixes are 32-bit masks */

export type CidrCheck = { readonly ok: true; readonly family: 4 | 6 } | { readonly ok: false; readonly message: string; readonly fix: string };

const EXAMPLE = 'write an IPv4 or IPv6 block such as 10.0.0.1/32, 192.168.10.0/24 or fd00:10::/64';

export function checkCidr(value: string): CidrCheck {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const family = address.includes(':') ? 6 : 4;
  const bits = parseAddress(address, family);
  if (bits === undefined) return { ok: false, message: `"${address}" is not an IPv${family} address`, fix: EXAMPLE };
  const width = family === 4 ? 32 : 128;
  if (slash < 0) {
    return { ok: false, message: 'has no prefix length', fix: `write ${address}/${width} for this one address, or give the network's prefix length` };
  }
  const prefixText = value.slice(slash + 1);
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= width)) {
    return {
      ok: false,
      message: `the prefix length "${prefixText}" is not between 0 and ${width}`,
      fix: `write ${address}/${width} for this one address, or a prefix length from 0 to ${width}`,
    };
  }
  if (prefix === 0) {
    return {
      ok: false,
      message: 'allows every address, which is what leaving the field out does',
      fix: 'list the actual addresses, each with its prefix length',
    };
  }
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = formatAddress(bits & ~hostMask, family);
    return {
      ok: false,
      message: `has host bits set: Kubernetes would read it as the whole network ${network}/${prefix}`,
      fix: `write ${network}/${prefix} for the network, or ${address}/${width} for this one address`,
    };
  }
  return { ok: true, family };
}

/** The address as an integer, or undefined when it is not written the way Kubernetes accepts. */
function parseAddress(text: string, family: 4 | 6): bigint | undefined {
  return family === 4 ? parseIpv4(text) : parseIpv6(text);
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  // Leading zeros are refused: some tools read them as octal, and Kubernetes rejects them.
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'));
  let head = groups(halves[0]);
  let tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address (::ffff:10.0.0.1) stands for the last two groups.
  const last = halves.length === 2 ? tail : head;
  if (last.length && last[last.length - 1].includes('.')) {
    const v4 = parseIpv4(last[last.length - 1]);
    if (v4 === undefined) return undefined;
    const replaced = [...last.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (halves.length === 2) tail = replaced;
    else head = replaced;
  }
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const all = [...head, ...new Array(8 - count).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

/** Dotted quad, or RFC 5952 text (lower case, the longest run of zero groups as ::). */
function formatAddress(bits: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
