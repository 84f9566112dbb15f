/**
 * Container image references, as the container runtimes parse them (the grammar of
 * github.com/distribution/reference), and the rule every image Strata renders follows:
 * pinned by a tag other than `latest` or by a sha256 digest. A digest is rendered exactly
 * as given (`name@sha256:…` or `name:tag@sha256:…`, where the runtime pulls by digest).
 */

export interface ImageReference {
  /** Registry host with optional port, e.g. `registry.example.org:5000`; absent for Docker Hub. */
  readonly registry?: string;
  /** Repository path, e.g. `library/nginx` or `platform/kafka-connect`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

/** Names longer than this are refused by the registry API. */
const NAME_MAX = 255;
const DOMAIN_COMPONENT = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The parsed reference, or why it is not one. */
export function parseImageReference(ref: string): { readonly image: ImageReference } | { readonly problem: string } {
  if (ref.length === 0) return { problem: 'is empty' };
  if (/\s/.test(ref)) return { problem: 'contains white space' };

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { problem: `has the digest "${digest}", which is not sha256: and 64 lower-case hex characters` };
  }

  // A tag follows the last ':' after the last '/'; a ':' before it is a registry port.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      return { problem: `has the tag "${tag}", which is not 1 to 128 letters, digits, '_', '.' and '-' (not starting with '.' or '-')` };
    }
  }

  const name = rest;
  if (name.length === 0) return { problem: 'has no repository name' };
  if (name.length > NAME_MAX) return { problem: `has a name of ${name.length} characters; at most ${NAME_MAX}` };

  const parts = name.split('/');
  let registry: string | undefined;
  // As the runtimes decide: the first part is a registry when it has a '.' or ':', is localhost, or has upper case.
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost' || parts[0] !== parts[0].toLowerCase())) {
    registry = parts.shift()!;
    const why = registryProblem(registry);
    if (why) return { problem: why };
  }
  for (const part of parts) {
    if (!PATH_COMPONENT.test(part)) {
      return {
        problem: `has the repository path component "${part}", which is not lower-case letters and digits separated by '.', '_', '__' or '-'`,
      };
    }
  }
  return { image: { ...(registry ? { registry } : {}), repository: parts.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } };
}

function registryProblem(registry: string): string | undefined {
  const portAt = registry.startsWith('[') ? registry.indexOf(':', registry.indexOf(']')) : registry.indexOf(':');
  const host = portAt === -1 ? registry : registry.slice(0, portAt);
  const port = portAt === -1 ? undefined : registry.slice(portAt + 1);
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `has the registry port "${port}", which is not a number from 1 to 65535`;
  }
  if (IPV6_HOST.test(host)) return undefined;
  if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return `has the registry host "${host}", which is not a host name`;
  return undefined;
}

/**
 * Why `ref` is not an image Strata may render, or undefined: a valid reference pinned by a
 * tag (never `latest`) or a digest, so every cluster runs the same bytes.
 */
export function pinnedImageProblem(ref: string): string | undefined {
  const parsed = parseImageReference(ref);
  if ('problem' in parsed) return `is not a valid image reference: it ${parsed.problem}`;
  const { tag, digest } = parsed.image;
  if (!tag && !digest) return 'has no tag or digest, so each pull may run a different image';
  if (tag === 'latest' && !digest) return 'is tagged latest, which moves: each pull may run a different image';
  return undefined;
}

/** Why `repository` cannot prefix the images Strata pushes (`<repository>/<name>:<tag>`), or undefined. */
export function imageRepositoryProblem(repository: string): string | undefined {
  if (repository.includes('@')) return 'names a digest; give only the registry and repository path, e.g. registry.example.org/platform';
  const parsed = parseImageReference(`${repository}/image`);
  if ('problem' in parsed) return `is not a registry and repository path: it ${parsed.problem}`;
  return undefined;
}

/**
 * Whether a parsed, pinned image names its PostgreSQL major version where CloudNativePG reads
 * it: a tag starting with it (`15-cjk`, `17.5`), or a digest (then the catalog is not needed).
 */
export function tagStartsWithMajorVersion(ref: string): boolean {
  const parsed = parseImageReference(ref);
  return !('image' in parsed) || parsed.image.digest !== undefined || /^[0-9]/.test(parsed.image.tag ?? '');
}
