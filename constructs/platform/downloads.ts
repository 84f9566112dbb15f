/**
 * Files a rendered object makes the cluster download at run time (Kafka Connect plugin
 * archives Strimzi builds into an image, OpenSearch plugins a node installs when it starts).
 * A download without a checksum runs whatever the URL serves that day. Constructs record
 * each download where they render it; `downloadsIn` collects them from a construct tree, so
 * a plain cdk8s app can list them as synth does.
 */
import { IConstruct } from 'constructs';
import { compareStrings } from './ordering';

/** Construct metadata type of a recorded download. */
const DOWNLOAD_METADATA = 'strata:download';

export interface Download {
  /** What downloads it, e.g. `KafkaConnect streaming/cdc`. */
  readonly object: string;
  /** Field of the object that carries the URL, e.g. `spec.build.plugins[0].artifacts[0].url`. */
  readonly field: string;
  readonly url: string;
  /** SHA-512 the downloader checks the file against; absent: nothing checks it. */
  readonly sha512?: string;
  /** Where a checksum comes from and where to set it (or how to do without the download). */
  readonly fix: string;
}

/** Records a download rendered by `scope`. */
export function recordDownload(scope: IConstruct, download: Download): void {
  scope.node.addMetadata(DOWNLOAD_METADATA, download);
}

/** Every download recorded under `root`, in object, field order. */
export function downloadsIn(root: IConstruct): Download[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === DOWNLOAD_METADATA).map((m) => m.data as Download))
    .sort((a, b) => compareStrings(a.object, b.object) || compareStrings(a.field, b.field));
}

/** Downloads nothing verifies. */
export function unverifiedDownloads(root: IConstruct): Download[] {
  return downloadsIn(root).filter((d) => !d.sha512);
}
