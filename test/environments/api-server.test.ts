import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { apiServerWarnings } from '../../environments/api-server';
import { loadEnvironments } from '../../environments/load';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(() => removeTempDirs());

const withApiServer = (apiServer: unknown, region = 'region-a') => environmentsWith({ [`regions/${region}.yaml`]: { merge: { apiServer } } });
const REGION_A = 'regions/region-a.yaml';

describe('region apiServer', () => {
  test('cidrs are kept as given, ports default to the Service and endpoint ports', () => {
    const overlays = loadEnvironments(withApiServer({ cidrs: ['10.96.0.1/32', '192.168.10.0/24', 'fd00:10::/64'] }), {
      only: ['region-a/dev', 'region-b/dev'],
    });
    expect(overlays.find((o) => o.id === 'region-a/dev')!.region.apiServer).toEqual({
      cidrs: ['10.96.0.1/32', '192.168.10.0/24', 'fd00:10::/64'],
      ports: [443, 6443],
    });
    expect(overlays.find((o) => o.id === 'region-b/dev')!.region.apiServer).toBeUndefined();
  });

  test('ports as given', () => {
    const [overlay] = loadEnvironments(withApiServer({ cidrs: ['10.96.0.1/32'], ports: [6443] }), { only: ['region-a/dev'] });
    expect(overlay.region.apiServer!.ports).toEqual([6443]);
  });

  test.each([
    [['10.0.0.1/24'], 'apiServer.cidrs.0', '10.0.0.1/24', /host bits set/, /write 10\.0\.0\.0\/24 for the network, or 10\.0\.0\.1\/32/],
    [['10.96.0.1/32', '10.0.0.1'], 'apiServer.cidrs.1', '10.0.0.1', /no prefix length/, /write 10\.0\.0\.1\/32/],
    [['fd00::1/129'], 'apiServer.cidrs.0', 'fd00::1/129', /not between 0 and 128/, /fd00::1\/128/],
    [['kubernetes.default.svc/32'], 'apiServer.cidrs.0', 'kubernetes.default.svc/32', /not an IPv4 address/, /IPv4 or IPv6 block/],
    [['0.0.0.0/0'], 'apiServer.cidrs.0', '0.0.0.0/0', /allows every address/, /list the actual addresses/],
    [['10.96.0.1/32', '10.96.0.1/32'], 'apiServer.cidrs.1', '10.96.0.1/32', /listed twice/, /remove the duplicate/],
  ])('cidrs %j: a problem at %s', (cidrs, fieldPath, value, message, fix) => {
    const err = environmentError(() => loadEnvironments(withApiServer({ cidrs })));
    expectProblem(err, { file: REGION_A, path: fieldPath, value, message, fix });
  });

  test.each([
    [{ cidrs: [] }, 'apiServer.cidrs', /fewer than 1 items/, /list the API server's addresses/],
    [{ cidrs: '10.96.0.1/32' }, 'apiServer.cidrs', /must be array/, /list the API server's addresses/],
    [{ cidrs: [10] }, 'apiServer.cidrs.0', /must be string/, /as a CIDR block/],
    [{ ports: [443] }, 'apiServer.cidrs', /required/, /set apiServer.cidrs/],
    [{ cidrs: ['10.96.0.1/32'], ports: [0] }, 'apiServer.ports.0', /must be >= 1/, /from 1 to 65535/],
    [{ cidrs: ['10.96.0.1/32'], cidr: ['10.0.0.1/32'] }, 'apiServer.cidr', /unknown field "cidr"/, /allowed here: cidrs, ports/],
  ])('schema: %j is a problem at %s', (apiServer, fieldPath, message, fix) => {
    const err = environmentError(() => loadEnvironments(withApiServer(apiServer)));
    expectProblem(err, { file: REGION_A, path: fieldPath, message, fix });
  });
});

describe('the open-egress warning', () => {
  test('one line for the run, naming each region without apiServer.cidrs and its file', () => {
    const overlays = loadEnvironments(withApiServer({ cidrs: ['10.96.0.1/32'] }, 'region-b'));
    const warnings = apiServerWarnings(overlays);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^region region-a has no apiServer\.cidrs, .* add apiServer\.cidrs to regions\/region-a\.yaml \(/);
    expect(warnings[0]).not.toMatch(/region-b/);
  });

  test('both regions in one line', () => {
    const [line, ...more] = apiServerWarnings(loadEnvironments(environmentsWith()));
    expect(more).toEqual([]);
    expect(line).toMatch(/^regions region-a, region-b have no apiServer\.cidrs/);
    expect(line).toMatch(/regions\/region-a\.yaml, regions\/region-b\.yaml/);
  });

  test('none when every region has them', () => {
    const envDir = environmentsWith({
      'regions/region-a.yaml': { merge: { apiServer: { cidrs: ['10.96.0.1/32'] } } },
      'regions/region-b.yaml': { merge: { apiServer: { cidrs: ['10.97.0.1/32'] } } },
    });
    expect(apiServerWarnings(loadEnvironments(envDir))).toEqual([]);
  });
});

describe('synth', () => {
  const read = (outDir: string, rel: string) => yaml.load(fs.readFileSync(path.join(outDir, rel), 'utf8')) as any;
  let outDir: string;
  let warnings: readonly string[];

  beforeAll(() => {
    outDir = path.join(tempDir(), 'dist');
    ({ warnings } = synth({ envDir: withApiServer({ cidrs: ['10.96.0.1/32', '192.168.10.0/24'] }), outDir, only: ['region-a/dev', 'region-b/dev'] }));
  });

  test('renders the addresses as ipBlock peers of API-server egress and webhook ingress', () => {
    const blocks = [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: '192.168.10.0/24' } }];
    const egress = read(outDir, 'region-a/dev/foundation/postgres_networkpolicy_allow-apiserver-egress.yaml');
    expect(egress.spec.egress).toEqual([
      {
        to: blocks,
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      },
    ]);
    const webhooks = read(outDir, 'region-a/dev/foundation/cnpg-system_networkpolicy_allow-webhook-ingress.yaml');
    expect(webhooks.spec.ingress).toEqual([{ from: blocks, ports: [{ port: 9443, protocol: 'TCP' }] }]);
  });

  test('a region without them keeps the open rules', () => {
    const egress = read(outDir, 'region-b/dev/foundation/postgres_networkpolicy_allow-apiserver-egress.yaml');
    expect(egress.spec.egress).toEqual([
      {
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      },
    ]);
  });

  test('warns once per run, for that region only', () => {
    expect(warnings.filter((w) => w.includes('apiServer'))).toEqual([expect.stringMatching(/^region region-b has no apiServer\.cidrs/)]);
  });
});
