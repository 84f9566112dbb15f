/**
 * Reads one file of an environments folder without trusting it: the entry is judged by
 * lstat/realpath before anything is opened (opening a FIFO blocks forever), symbolic links
 * are followed only when they stay inside the folder, the size is capped before reading, and
 * the bytes must be UTF-8 without a byte-order mark or NUL bytes. The text is then parsed by
 * parseEnvironmentYaml under its limits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseEnvironmentYaml } from './environment-yaml';
import { Problem } from './problems';

/** Environment files are settings, never bulk data. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** What an entry of the environments folder is, judged without opening it. */
export type EnvironmentEntry =
  | { readonly kind: 'file' | 'folder' | 'missing'; readonly real?: string }
  | { readonly kind: 'refused'; readonly message: string; readonly fix: string };

const MOVE_OR_REPLACE = 'replace it with a regular file, or move it out of the environments folder';

/** `rel` (relative to `root`), following symbolic links only while they stay inside `root`. */
export function environmentEntry(root: string, rel: string): EnvironmentEntry {
  const full = path.join(root, rel);
  let link: fs.Stats;
  try {
    link = fs.lstatSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'refused', message: `cannot be read (${code ?? 'error'})`, fix: 'check the file permissions' };
  }
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(full);
    realRoot = fs.realpathSync(root);
  } catch {
    const fix = 'point it at a file inside the environments folder, or remove it';
    return { kind: 'refused', message: 'is a symbolic link that points nowhere (or at itself)', fix };
  }
  const inside = path.relative(realRoot, real);
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    const what = link.isSymbolicLink() ? `is a symbolic link to ${fs.readlinkSync(full)}` : 'is reached through a symbolic link';
    const fix = 'copy the file into the environments folder instead of linking to it';
    return { kind: 'refused', message: `${what}, outside the environments folder`, fix };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(real);
  } catch (err) {
    // Removed or made unreadable between the two calls.
    return { kind: 'refused', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, fix: 'check the file permissions' };
  }
  if (st.isFile()) return { kind: 'file', real };
  if (st.isDirectory()) return { kind: 'folder', real };
  const kind = st.isFIFO()
    ? 'a named pipe (FIFO)'
    : st.isSocket()
      ? 'a socket'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : 'not a regular file';
  return { kind: 'refused', message: `is ${kind}, not a regular file`, fix: MOVE_OR_REPLACE };
}

/** The names in a folder of the environments folder, sorted (byte order, as on every machine). */
export function entryNames(root: string, rel: string): string[] {
  return fs.readdirSync(path.join(root, rel)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface EnvironmentFile {
  readonly rel: string;
  readonly data: Record<string, any>;
}

/** What an empty file (nothing but comments and blank lines) means, for this kind of file. */
export interface EmptyFile {
  readonly message: string;
  readonly fix: string;
}

/**
 * The file's top-level mapping, or undefined after pushing a problem that names the file.
 * Never opens anything but a regular file, never reads more than MAX_FILE_BYTES.
 */
export function readEnvironmentFile(root: string, rel: string, problems: Problem[], empty: EmptyFile): EnvironmentFile | undefined {
  const refuse = (message: string, fix: string, extra: { path?: string; value?: unknown } = {}) => {
    problems.push({ file: rel, path: extra.path ?? '', ...('value' in extra ? { value: extra.value } : {}), message, fix });
    return undefined;
  };
  const entry = environmentEntry(root, rel);
  if (entry.kind === 'refused') return refuse(entry.message, entry.fix);
  if (entry.kind === 'missing') return refuse('cannot read the file: it does not exist', 'check the file exists and is readable');
  if (entry.kind === 'folder') return refuse('is a folder, not a file', 'move its files out and remove the folder, or rename it');

  const bytes = readBounded(entry.real!);
  if (bytes === 'too large') {
    return refuse(
      `is larger than ${MAX_FILE_BYTES} bytes (1 MiB), the limit for environment files`,
      'keep environment files to settings; move bulk data elsewhere',
    );
  }
  if (typeof bytes === 'string') return refuse(bytes, MOVE_OR_REPLACE);
  const text = decode(bytes);
  if ('message' in text) return refuse(text.message, text.fix);

  const parsed = parseEnvironmentYaml(text.text);
  if (parsed.kind === 'problem') return refuse(parsed.problem.message, parsed.problem.fix, parsed.problem);
  if (parsed.kind === 'empty') return refuse(empty.message, empty.fix);
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return refuse('must be a YAML mapping', 'write key: value pairs at the top level', { value: data });
  }
  return { rel, data: data as Record<string, any> };
}

/**
 * The bytes of a regular file of at most MAX_FILE_BYTES (judged by its size before reading,
 * and again by what was read, for a file that grows), or why not. O_NONBLOCK and O_NOFOLLOW
 * keep a file swapped for a FIFO or a link after it was judged from blocking or escaping.
 */
function readBounded(file: string): Buffer | 'too large' | string {
  // eslint-disable-next-line no-bitwise -- open(2) flags are a bit set
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);
  let fd: number;
  try {
    fd = fs.openSync(file, flags);
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > MAX_FILE_BYTES) return 'too large';
    // One byte more than allowed: a file that grew since fstat is caught, not cut short.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return length > MAX_FILE_BYTES ? 'too large' : buffer.subarray(0, length);
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  } finally {
    fs.closeSync(fd);
  }
}

const SAVE_AS_UTF8 = 'save the file as UTF-8 without a byte-order mark';

/** UTF-8 text, or where the bytes stop being it. */
function decode(bytes: Uint8Array): { text: string } | { message: string; fix: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { message: 'starts with a byte-order mark', fix: SAVE_AS_UTF8 };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { message: 'starts with a UTF-16 byte-order mark', fix: SAVE_AS_UTF8 };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      message: `contains a NUL byte at byte offset ${nul} (line ${lineAt(bytes, nul)})`,
      fix: `${SAVE_AS_UTF8}: NUL bytes mean it is binary or UTF-16`,
    };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const offset = invalidUtf8Offset(bytes);
    const byte = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
    return {
      message: `is not valid UTF-8: byte 0x${byte} at byte offset ${offset} (line ${lineAt(bytes, offset)})`,
      fix: `${SAVE_AS_UTF8} (it may be Latin-1 or Windows-1252)`,
    };
  }
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Start of the first sequence that is not UTF-8 (the rules TextDecoder applies). */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes needed, and the range of the first one (excluding overlong forms,
    // surrogates and code points above U+10FFFF).
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) [need, low] = [2, 0xa0];
    else if (b === 0xed) [need, high] = [2, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) [need, low] = [3, 0x90];
    else if (b === 0xf4) [need, high] = [3, 0x8f];
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
