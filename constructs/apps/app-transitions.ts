/**
 * What may change in an app's storage. A claim cannot shrink or change its storage class (the
 * API server refuses both), and a StatefulSet's claim templates cannot change at all once it
 * runs: the way forward for a new layout is a new volume name, with the data copied over.
 * Removing a volume is no data loss here: claims are prune-protected (a Deployment's) or kept
 * by the StatefulSet's retention policy, and stay on the cluster.
 */
import { at, show, sizeNotShrunk, TransitionChange, TransitionRule } from '../platform/transition-rules';

/** `apps.<app>.volumes.<volume>.<field>`: the setting a claim's field comes from. */
const volumeSetting = (app: unknown, volume: unknown, field: string) => `apps.${String(app)}.volumes.${String(volume)}.${field}`;

const storageClassUnchanged = (before: unknown, after: unknown, field: string, setting: string): TransitionChange[] =>
  before === after
    ? []
    : [
        {
          field,
          before,
          after,
          setting,
          impossible: true,
          message: `the storage class of its volume would change from ${show(before)} to ${show(after)}; a claim keeps the class it was made with`,
          fix: `keep ${setting} as it is, or add a volume of another name on the new class, copy the data over, and remove the old one`,
        },
      ];

export const APP_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: '',
    kind: 'PersistentVolumeClaim',
    check: (previous, next) => {
      const app = at(next, ['metadata', 'labels', 'app.kubernetes.io/name']);
      const volume = String(at(next, 'metadata.name') ?? '').slice(String(app).length + 1);
      return [
        ...sizeNotShrunk(
          at(previous, 'spec.resources.requests.storage'),
          at(next, 'spec.resources.requests.storage'),
          'spec.resources.requests.storage',
          'its volume',
          volumeSetting(app, volume, 'size'),
        ),
        ...storageClassUnchanged(
          at(previous, 'spec.storageClassName'),
          at(next, 'spec.storageClassName'),
          'spec.storageClassName',
          volumeSetting(app, volume, 'storageClass'),
        ),
      ];
    },
  },
  {
    group: 'apps',
    kind: 'StatefulSet',
    check: (previous, next) => {
      const app = at(next, 'metadata.name');
      const templates = (m: unknown) => new Map(((at(m, 'spec.volumeClaimTemplates') ?? []) as any[]).map((t) => [String(t?.metadata?.name), t]));
      const before = templates(previous);
      const after = templates(next);
      const changes: TransitionChange[] = [];
      for (const [volume, was] of before) {
        const now = after.get(volume);
        const field = `spec.volumeClaimTemplates[${volume}]`;
        if (!now) {
          changes.push({
            field,
            before: volume,
            after: undefined,
            setting: `apps.${String(app)}.volumes.${volume}`,
            impossible: true,
            message: `volume ${volume} would be removed from its claim templates, which cannot change once the StatefulSet runs`,
            fix: `keep apps.${String(app)}.volumes.${volume}, or give the app a new name for the new layout and move the data`,
          });
          continue;
        }
        const size = 'spec.resources.requests.storage';
        const shrunk = sizeNotShrunk(at(was, size), at(now, size), `${field}.${size}`, `volume ${volume}`, volumeSetting(app, volume, 'size'));
        changes.push(...shrunk);
        if (!shrunk.length && at(was, size) !== at(now, size)) {
          changes.push({
            field: `${field}.${size}`,
            before: at(was, size),
            after: at(now, size),
            setting: volumeSetting(app, volume, 'size'),
            impossible: true,
            message: `volume ${volume} would grow in its claim template, which cannot change once the StatefulSet runs`,
            fix: `keep ${volumeSetting(app, volume, 'size')} as it is and grow each claim ${volume}-${String(app)}-<ordinal> itself (kubectl patch pvc), on a class that allows expansion`,
          });
        }
        changes.push(
          ...storageClassUnchanged(
            at(was, 'spec.storageClassName'),
            at(now, 'spec.storageClassName'),
            `${field}.spec.storageClassName`,
            volumeSetting(app, volume, 'storageClass'),
          ),
        );
      }
      for (const volume of after.keys()) {
        if (!before.has(volume)) {
          changes.push({
            field: `spec.volumeClaimTemplates[${volume}]`,
            before: undefined,
            after: volume,
            setting: `apps.${String(app)}.volumes.${volume}`,
            impossible: true,
            message: `volume ${volume} would be added to its claim templates, which cannot change once the StatefulSet runs`,
            fix: `remove apps.${String(app)}.volumes.${volume}, or give the app a new name for the new layout and move the data`,
          });
        }
      }
      return changes;
    },
  },
];
