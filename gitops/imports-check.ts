/**
 * A cheap staleness check for imports/, run by `synth --check`: imports/manifest.json
 * (written by `npm run import`) records the pins it was generated from and a hash of every
 * generated file. A changed pin without a re-import, or a hand edit, is reported.
 * (`npm run import -- --check` regenerates everything from the CRD folder and compares.)
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { StatIndex } from './stat-index';
import { CORE_APIS, CRD_APIS, KUBERNETES_SCHEMA_VERSION } from '../constructs/versions';
import { PROJECT_ROOT } from '../environments/project-root';

export const IMPORTS_MANIFEST = 'manifest.json';

/**
 * `<group>/<version>/<Kind>`: where a kind's generated files live under imports/schemas,
 * imports/validators and imports/rules (`core` for the legacy group). Undefined for a name
 * that cannot be a kind's (path tricks such as `../`).
 */
export function importedKindPath(apiVersion: string, kind: string): string | undefined {
  const parts = apiVersion.split('/');
  if (parts.length > 2) return undefined;
  const [group, version] = parts.length === 1 ? ['core', parts[0]] : parts;
  const safe = (part: string) => /^[A-Za-z0-9.-]+$/.test(part) && !/^\.+$/.test(part);
  return [group, version, kind].every(safe) ? `${group}/${version}/${kind}` : undefined;
}

export function pinsFingerprint(): string {
  return sha256(JSON.stringify({ CRD_APIS, CORE_APIS, KUBERNETES_SCHEMA_VERSION }));
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stale files under imports/ (empty when up to date). */
export function checkImports(importsDir = path.join(PROJECT_ROOT, 'imports'), index?: StatIndex): string[] {
  const rel = (f: string) => path.relative(process.cwd(), path.join(importsDir, f));
  const manifestFile = path.join(importsDir, IMPORTS_MANIFEST);
  if (!fs.existsSync(manifestFile)) return [`${rel(IMPORTS_MANIFEST)} (missing: run npm run import)`];
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { pins: string; files: Record<string, string> };
  const stale: string[] = [];
  if (manifest.pins !== pinsFingerprint()) stale.push(`${rel(IMPORTS_MANIFEST)} (constructs/versions.ts changed since the last import)`);
  for (const [file, hash] of Object.entries(manifest.files)) {
    const full = path.resolve(importsDir, file);
    // Known by its stat to hold what the manifest says (gitops/stat-index.ts): not read again.
    if (index?.holds(full, hash)) continue;
    if (!fs.existsSync(full)) stale.push(`${rel(file)} (missing)`);
    else if (sha256(fs.readFileSync(full)) !== hash) stale.push(`${rel(file)} (edited by hand)`);
    else index?.record(full, hash);
  }
  index?.save();
  return stale;
}
