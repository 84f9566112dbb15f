import fc from 'fast-check';
import { parseShard, selectOverlays } from '../../environments/overlay-selection';

const IDS = ['eu-west/dev', 'eu-west/prod', 'eu-central/prod', 'us-east/prod', 'us-east/staging'];

describe('--only', () => {
  const pick = (...only: string[]) => selectOverlays(IDS, { only });

  test('an overlay, a region, and wildcards in either part', () => {
    expect(pick('eu-west/prod').ids).toEqual(['eu-west/prod']);
    expect(pick('us-east').ids).toEqual(['us-east/prod', 'us-east/staging']);
    expect(pick('eu-*/prod').ids).toEqual(['eu-west/prod', 'eu-central/prod']);
    expect(pick('*/prod').ids).toEqual(['eu-west/prod', 'eu-central/prod', 'us-east/prod']);
    expect(pick('us-east/?ev', 'eu-west/d?v').ids).toEqual(['eu-west/dev']);
  });

  test("results keep the overlays' order and name each overlay once", () => {
    expect(pick('us-east/prod', '*/prod', 'eu-west').ids).toEqual(['eu-west/dev', 'eu-west/prod', 'eu-central/prod', 'us-east/prod']);
  });

  test('* does not cross the slash: a region pattern never matches an environment', () => {
    expect(pick('eu*').ids).toEqual(['eu-west/dev', 'eu-west/prod', 'eu-central/prod']);
    expect(pick('*').ids).toEqual(IDS);
    expect(pick('eu-west/prod/x').problems).toHaveLength(1);
  });

  test('a pattern that matches nothing, or is malformed, is a problem naming it and the overlays there are', () => {
    const { problems } = pick('eu-west/prod', 'ap-south/*', 'EU/Prod', '../etc');
    expect(problems.map((p) => [p.value, p.message])).toEqual([
      ['ap-south/*', '--only names no overlay that exists'],
      ['EU/Prod', '--only takes <region>/<env>, <region>, or either with * and ? wildcards'],
      ['../etc', '--only takes <region>/<env>, <region>, or either with * and ? wildcards'],
    ]);
    for (const p of problems) expect(p.fix).toBe(`use one of ${IDS.join(', ')}`);
  });
});

describe('--shard', () => {
  test('parses K/N with 1 <= K <= N <= 1000 only', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '1/1001', '1', '1/2/3', ' 1/2', '01/2', '1/2x', '-1/2']) expect(parseShard(bad)).toBeUndefined();
  });

  test('the shards of any list are disjoint, cover it, differ in size by at most one, and do not depend on its order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}\/[a-z][a-z0-9]{0,4}$/), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (ids, count) => {
          const shards = Array.from({ length: count }, (_, i) => selectOverlays(ids, { shard: { index: i + 1, count } }).ids);
          const all = shards.flat();
          expect(new Set(all).size).toBe(all.length);
          expect([...all].sort()).toEqual([...ids].sort());
          const sizes = shards.map((s) => s.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          const reversed = [...ids].reverse();
          shards.forEach((s, i) => expect([...selectOverlays(reversed, { shard: { index: i + 1, count } }).ids].sort()).toEqual([...s].sort()));
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });

  test('is taken of what --only selects', () => {
    expect(selectOverlays(IDS, { only: ['*/prod'], shard: { index: 1, count: 2 } }).ids).toEqual(['eu-central/prod', 'us-east/prod']);
    expect(selectOverlays(IDS, { only: ['*/prod'], shard: { index: 2, count: 2 } }).ids).toEqual(['eu-west/prod']);
  });
});
