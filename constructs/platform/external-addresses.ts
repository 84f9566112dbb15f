/** The addresses of machines outside the cluster, as rules see them: no construct code, so the loader's checks stay light. */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Why `addresses` cannot be the machines of an external service (`where` names it), or
 * undefined: IPv4 only, routable (the API server rejects loopback, link-local, multicast and
 * unspecified addresses in endpoints), each once.
 */
export function externalAddressesProblem(where: string, addresses: readonly string[], what: string, field = 'addresses'): string | undefined {
  if (addresses.length === 0) return `${where}: ${field} is empty; list the IPv4 addresses of the ${what}, e.g. ['10.20.0.11', '10.20.0.12']`;
  const seen = new Set<string>();
  const is = field === 'addresses' ? `${field} contains` : `${field} is`;
  for (const address of addresses) {
    if (!IPV4.test(address)) {
      return `${where}: ${is} "${address}", which is not an IPv4 address; write it as four decimal octets, e.g. 10.20.0.11`;
    }
    const [a, b] = address.split('.').map(Number);
    if (a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254)) {
      return `${where}: ${is} ${address}, an unspecified, loopback, link-local or multicast address; give the routable address of the ${what}`;
    }
    if (seen.has(address)) return `${where}: addresses lists ${address} twice; remove the duplicate`;
    seen.add(address);
  }
  return undefined;
}

/** The addresses as /32 blocks, for egress policies. */
export function addressBlocks(addresses: readonly string[]): string[] {
  return addresses.map((address) => `${address}/32`);
}
