/**
 * .github/workflows/synth.yml: the shards render every overlay exactly once, every synth
 * command in it is one synth accepts, and the tree job reads the caches the shards upload.
 * (The tests and lint run in review.yml: test/ci/review-workflow.test.ts.)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { selectOverlays } from '../../environments/overlay-selection';
import { PROJECT_ROOT } from '../../environments/project-root';
import { parseArgs } from '../../main';

const workflow = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, '.github', 'workflows', 'synth.yml'), 'utf8')) as any;
const runs = (job: string): string[] => workflow.jobs[job].steps.filter((s: any) => s.run).map((s: any) => s.run as string);
const synthArgs = (command: string): string[] => command.replace(/^npm run synth -- /, '').split(/\s+/);

describe('the sharded synth workflow', () => {
  const shards: number[] = workflow.jobs.shard.strategy.matrix.shard;

  test('each shard runs a synth check of its share; together they cover every overlay once', () => {
    const [command] = runs('shard').filter((r) => r.startsWith('npm run synth'));
    const counts = new Set<number>();
    const ids = ['a/prod', 'a/dev', 'b/prod', 'b/dev', 'c/prod', 'c/test', 'd/prod'];
    const covered = shards.flatMap((k) => {
      const options = parseArgs(synthArgs(command.replace('${{ matrix.shard }}', String(k))));
      expect(options.check).toBe(true);
      expect(options.shard?.index).toBe(k);
      counts.add(options.shard!.count);
      return selectOverlays(ids, { shard: options.shard }).ids;
    });
    expect([...counts]).toEqual([shards.length]);
    expect([...covered].sort()).toEqual([...ids].sort());
  });

  test('the tree job checks the whole tree after every shard, from the render caches they upload', () => {
    expect(workflow.jobs.tree.needs).toBe('shard');
    const [command] = runs('tree').filter((r) => r.startsWith('npm run synth'));
    const options = parseArgs(synthArgs(command));
    expect(options.check).toBe(true);
    expect(options.only ?? []).toEqual([]);
    expect(options.shard).toBeUndefined();
    const upload = workflow.jobs.shard.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact@'));
    const download = workflow.jobs.tree.steps.find((s: any) => String(s.uses).startsWith('actions/download-artifact@'));
    // The launcher's default render cache (gitops/render-cache.ts) in both jobs.
    expect(upload.with.path).toBe('.strata-build/render-cache/');
    expect(download.with.path).toBe(upload.with.path);
    expect(upload.with.name).toBe('render-cache-${{ matrix.shard }}');
    expect(download.with.pattern).toBe('render-cache-*');
    expect(download.with['merge-multiple']).toBe(true);
  });

  test("every job installs with the README's command and the same Node version", () => {
    for (const job of Object.keys(workflow.jobs)) {
      expect(runs(job)[0]).toBe('npm ci');
      expect(workflow.jobs[job].steps.find((s: any) => String(s.uses).startsWith('actions/setup-node@')).with['node-version']).toBe(20);
    }
  });
});
