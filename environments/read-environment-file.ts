/**
 * Reads one environment file as hostile input: only regular files inside the environments
 * folder, bounded in size, valid UTF-8 without a byte-order mark or NUL bytes, one YAML 1.2
 * document (core schema) with unique keys, few aliases and a bounded, acyclic expansion. Any
 * failure is one Problem naming the file; nothing here can hang (no FIFO or device is ever
 * opened) or blow up memory (an alias bomb stops at the alias budget).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import type { Problem } from './problems';

/** Environment files are small; a larger one is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases per document: a handful is normal, a bomb needs many. */
export const MAX_ALIASES = 100;
/** Values (scalars, list items, map entries) after aliases are expanded. */
export const MAX_NODES = 100_000;

export type ReadResult = { readonly data: unknown } | { readonly problem: Problem };

const problem = (file: string, message: string, fix: string): ReadResult => ({ problem: { file, path: '', message, fix } });

export function readEnvironmentFile(dir: string, rel: string): ReadResult {
  const full = path.join(dir, rel);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(full);
    if (stat.isSymbolicLink()) {
      const target = fs.realpathSync(full);
      const root = fs.realpathSync(dir);
      if (target !== root && !target.startsWith(root + path.sep)) {
        return problem(rel, `is a symbolic link to ${target}, outside the environments folder`, 'copy the file into the environments folder instead of linking to it');
      }
      stat = fs.statSync(full);
    }
  } catch (err) {
    return problem(rel, `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the file exists and is readable');
  }
  if (!stat.isFile()) {
    const what = stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : stat.isDirectory() ? 'a folder' : 'a device';
    return problem(rel, `is ${what}, not a regular file`, 'replace it with a regular YAML file, or remove it');
  }
  if (stat.size > MAX_FILE_BYTES) {
    return problem(rel, `is ${stat.size} bytes; environment files are at most ${MAX_FILE_BYTES} bytes`, 'keep only settings in environment files; split or shorten it');
  }
  const bytes = fs.readFileSync(full);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return problem(rel, 'starts with a byte-order mark', 'save the file as UTF-8 without a byte-order mark');
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return problem(rel, `holds a NUL byte at byte offset ${nul}`, 'remove it: environment files are text');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return problem(rel, `is not valid UTF-8 (first bad byte at offset ${invalidUtf8Offset(bytes)})`, 'save the file as UTF-8');
  }

  const docs = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true, merge: false, prettyErrors: true });
  const all = Array.isArray(docs) ? docs : [docs];
  if (all.length > 1) return problem(rel, `holds ${all.length} YAML documents`, 'keep one document per environment file (remove the --- separators)');
  const doc = all[0];
  if (!doc) return { data: undefined };
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const reason = error.code === 'DUPLICATE_KEY' ? 'a key appears twice in one mapping' : error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return problem(rel, `is not valid YAML: ${reason}${where}`, error.code === 'DUPLICATE_KEY' ? 'keep one of the two entries' : 'fix the YAML syntax (indentation, quotes, colons)');
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    return problem(rel, `expands too far: ${(err as Error).message.split('\n')[0]}`, `use at most ${MAX_ALIASES} aliases (*name), or write the values out`);
  }
  const shape = measure(data);
  if (shape === 'cycle') return problem(rel, 'holds an alias that refers to itself', 'write the value out instead of referring to its own anchor');
  if (shape === 'too-large') return problem(rel, `expands to more than ${MAX_NODES} values once aliases are resolved`, 'write the values out, without aliases that repeat large structures');
  return { data };
}

/** Walks the value once, stopping at a cycle or past MAX_NODES. */
function measure(value: unknown): 'ok' | 'cycle' | 'too-large' {
  let count = 0;
  const onPath = new Set<unknown>();
  const walk = (v: unknown): 'ok' | 'cycle' | 'too-large' => {
    if (++count > MAX_NODES) return 'too-large';
    if (v === null || typeof v !== 'object') return 'ok';
    if (onPath.has(v)) return 'cycle';
    onPath.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      const r = walk(child);
      if (r !== 'ok') return r;
    }
    onPath.delete(v);
    return 'ok';
  };
  return walk(value);
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : (c & 0xf0) === 0xe0 ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}
