/**
 * Stand-ins for kubeseal output: bytes with the structure of its hybrid ciphertext (2-byte
 * big-endian length 512, a 512-byte RSA block as from a 4096-bit key, then the AES-GCM
 * ciphertext and its 16-byte tag), derived from a label so that every run writes the same.
 */
import { createHash } from 'crypto';

/** `length` pseudo-random bytes derived from `label`. */
export function deterministicBytes(label: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${label}\u0000${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

/** What kubeseal writes for one value of `plaintextLength` bytes, as base64. */
export function sealedValue(label: string, plaintextLength = 24): string {
  const rsaLength = 512;
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(rsaLength);
  return Buffer.concat([prefix, deterministicBytes(label, rsaLength + plaintextLength + 16)]).toString('base64');
}
