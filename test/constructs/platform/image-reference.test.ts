/**
 * Image references (constructs/platform/image-reference.ts): the runtimes' grammar, the
 * pinning rule (a tag other than latest, or a digest), and every pin in
 * constructs/versions.ts following it.
 */
import { imageRepositoryProblem, parseImageReference, pinnedImageProblem } from '../../../constructs/platform/image-reference';
import { IMAGES, POSTGRES_IMAGES, SEARCH_IMAGES } from '../../../constructs/versions';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageReference', () => {
  test.each([
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['docker.io/library/busybox:1.37.0', { registry: 'docker.io', repository: 'library/busybox', tag: '1.37.0' }],
    [
      'registry.example.org:5000/platform/kafka-connect:1.2.0-8ba14d245e',
      { registry: 'registry.example.org:5000', repository: 'platform/kafka-connect', tag: '1.2.0-8ba14d245e' },
    ],
    ['localhost/app:v1', { registry: 'localhost', repository: 'app', tag: 'v1' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
    ['[::1]:5000/app:v1', { registry: '[::1]:5000', repository: 'app', tag: 'v1' }],
    [`ghcr.io/org/app@${DIGEST}`, { registry: 'ghcr.io', repository: 'org/app', digest: DIGEST }],
    [`ghcr.io/org/app:1.0@${DIGEST}`, { registry: 'ghcr.io', repository: 'org/app', tag: '1.0', digest: DIGEST }],
    ['quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z', { registry: 'quay.io', repository: 'minio/mc', tag: 'RELEASE.2025-08-13T08-35-41Z' }],
    ['a__b/c.d-e:x_Y', { repository: 'a__b/c.d-e', tag: 'x_Y' }],
  ])('%s', (ref, image) => {
    expect(parseImageReference(ref)).toEqual({ image });
  });

  test.each([
    ['', /is empty/],
    ['a b/c:1', /contains white space/],
    ['Upper:1', /repository path component "Upper"/],
    ['registry.example.org/Team/app:1', /repository path component "Team"/],
    ['app:-1', /tag "-1"/],
    [`app:${'t'.repeat(129)}`, /tag "t+"/],
    ['app@sha256:abc', /digest "sha256:abc"/],
    [`app@md5:${'0'.repeat(32)}`, /digest "md5:/],
    ['reg.example.org:99999/app:1', /registry port "99999"/],
    ['reg_x.example.org/app:1', /registry host "reg_x.example.org"/],
    ['registry.example.org/:1', /repository path component ""/],
    ['app-:1', /repository path component "app-"/],
    [':1', /has no repository name/],
    [`${'a'.repeat(256)}:1`, /name of 256 characters/],
  ])('%j is refused', (ref, why) => {
    const parsed = parseImageReference(ref);
    expect('problem' in parsed && parsed.problem).toMatch(why);
  });
});

describe('pinnedImageProblem', () => {
  test.each([
    'docker.io/library/busybox:1.37.0',
    `ghcr.io/org/app@${DIGEST}`,
    `ghcr.io/org/app:latest@${DIGEST}`,
    'registry.example.org:5000/connect:3.6.2',
  ])('%s is pinned', (ref) => {
    expect(pinnedImageProblem(ref)).toBeUndefined();
  });
  test.each([
    ['registry.example.org/connect', /has no tag or digest/],
    ['registry.example.org:5000/connect', /has no tag or digest/],
    ['registry.example.org/connect:latest', /tagged latest/],
    ['a b/c:1', /not a valid image reference: it contains white space/],
  ])('%s is refused', (ref, why) => {
    expect(pinnedImageProblem(ref)).toMatch(why);
  });
});

describe('imageRepositoryProblem', () => {
  test.each(['registry.region-a.strata.example/platform', 'registry.example.org:5000', 'registry.example.org/a/b'])(
    '%s can prefix pushed images',
    (repo) => {
      expect(imageRepositoryProblem(repo)).toBeUndefined();
    },
  );
  test.each([
    ['registry.example.org/platform:1', /repository path component "platform:1"/],
    [`registry.example.org/platform@${DIGEST}`, /names a digest/],
    ['registry example.org/platform', /white space/],
    ['registry.example.org/Platform', /repository path component "Platform"/],
  ])('%j is refused', (repo, why) => {
    expect(imageRepositoryProblem(repo)).toMatch(why);
  });
});

describe('the pins of constructs/versions.ts', () => {
  const pins = { ...IMAGES, ...POSTGRES_IMAGES, ...SEARCH_IMAGES };
  test('there are pins to check', () => {
    expect(Object.keys(pins).length).toBeGreaterThanOrEqual(5);
  });
  test.each(Object.entries(pins))('%s (%s) is a valid, pinned reference', (_name, ref) => {
    expect(pinnedImageProblem(ref)).toBeUndefined();
  });
});
