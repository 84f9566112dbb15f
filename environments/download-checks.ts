/**
 * Downloads without a checksum (see constructs/platform/downloads.ts): one warning per URL
 * today, and an error naming the overlay's file where the region sets `requireChecksums:
 * true` or synth runs with `--require-checksums`.
 */
import type { OverlaySpec } from './model';
import { Problem, settingSource } from './problems';
import type { Download } from '../constructs/platform/downloads';
import { compareStrings } from '../constructs/platform/ordering';

/** The environment setting that does without a download, by the kind that downloads it. */
const SETTING_BY_KIND: Readonly<Record<string, { readonly path: string; readonly fix: string }>> = {
  KafkaConnect: {
    path: 'streaming.connect.image',
    fix: 'the prebuilt image is streaming.connect.image (by tag, or better by @sha256 digest)',
  },
  OpenSearchCluster: {
    path: 'opensearch.prometheusExporter',
    fix: 'that is opensearch.prometheusExporter: false',
  },
};

export interface OverlayDownloads {
  readonly overlay: OverlaySpec;
  /** Downloads no checksum covers. */
  readonly unverified: readonly Download[];
}

/**
 * Errors for overlays whose region requires checksums (or every overlay with `required`),
 * each in the file that sets what causes the download.
 */
export function checksumProblems(found: readonly OverlayDownloads[], options: { readonly required?: boolean } = {}): Problem[] {
  const problems: Problem[] = [];
  for (const { overlay, unverified } of found) {
    if (!options.required && !overlay.region.requireChecksums) continue;
    const why = overlay.region.requireChecksums
      ? `regions/${overlay.region.name}.yaml sets requireChecksums: true`
      : 'synth runs with --require-checksums';
    for (const d of unverified) {
      const setting = SETTING_BY_KIND[d.object.split(' ')[0]];
      const path = setting?.path ?? '';
      problems.push({
        file: setting ? settingSource(overlay, path) : overlay.sourceFile,
        path,
        value: d.url,
        message: `${overlay.id}: ${d.object} downloads this with no checksum (${d.field}), and ${why}`,
        fix: setting ? `${d.fix}; ${setting.fix}` : d.fix,
      });
    }
  }
  return problems;
}

/** One warning per unverified URL, naming the overlays that download it. */
export function checksumWarnings(found: readonly OverlayDownloads[]): string[] {
  const byUrl = new Map<string, { download: Download; overlays: string[] }>();
  for (const { overlay, unverified } of found) {
    for (const d of unverified) {
      const entry = byUrl.get(d.url) ?? { download: d, overlays: [] };
      if (!entry.overlays.includes(overlay.id)) entry.overlays.push(overlay.id);
      byUrl.set(d.url, entry);
    }
  }
  return [...byUrl.keys()].sort(compareStrings).map((url) => {
    const { download: d, overlays } = byUrl.get(url)!;
    const setting = SETTING_BY_KIND[d.object.split(' ')[0]];
    return (
      `${url} is downloaded with no checksum (${d.object.split(' ')[0]} ${d.field} in ${overlays.sort(compareStrings).join(', ')}): ` +
      `${d.fix}${setting ? `; ${setting.fix}` : ''}. A region with requireChecksums: true, or --require-checksums, refuses it`
    );
  });
}
