/**
 * The Kubernetes and PostgreSQL name rules of constructs/platform/names.ts, each pattern
 * string (used by the JSON schema) agreeing with its function, and the short form of
 * derived names: always a DNS label within the limit, deterministic, distinct for distinct
 * inputs.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import {
  DNS_LABEL_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  dnsLabelProblem,
  dnsSubdomainProblem,
  HOSTNAME_PATTERN,
  hostnameProblem,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  labelKeyProblem,
  labelValueProblem,
  POSTGRES_IDENTIFIER_PATTERN,
  postgresIdentifierProblem,
  secretStoreNameProblem,
  shortName,
  storageClassNameProblem,
} from '../../../constructs/platform/names';

const matches = (pattern: string, value: string) => new RegExp(pattern, 'u').test(value);

describe('DNS labels and subdomains', () => {
  test.each(['a', 'region-a', '0abc', 'a'.repeat(63)])('label %s is valid', (name) => {
    expect(dnsLabelProblem(name)).toBeUndefined();
    expect(matches(DNS_LABEL_PATTERN, name)).toBe(true);
  });
  test.each([
    ['', /empty/],
    ['a'.repeat(64), /64 characters; a DNS label has at most 63/],
    ['postgres--', /not a DNS label/],
    ['postgres-ab-', /not a DNS label/],
    ['-a', /not a DNS label/],
    ['A', /not a DNS label/],
    ['a.b', /not a DNS label/],
  ])('label %j is refused', (name, why) => {
    expect(dnsLabelProblem(name)).toMatch(why);
    expect(matches(DNS_LABEL_PATTERN, name)).toBe(false);
  });

  test.each(['fast-ssd', 'fast.ssd-retain', 'a', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`])(
    'subdomain %s is valid',
    (name) => {
      expect(dnsSubdomainProblem(name)).toBeUndefined();
      expect(matches(DNS_SUBDOMAIN_PATTERN, name)).toBe(true);
    },
  );
  test.each([['\t'], ['../x'], ['a..b'], ['.a'], ['a.'], ['Fast'], ['a'.repeat(254)], ['']])('subdomain %j is refused', (name) => {
    expect(dnsSubdomainProblem(name)).toBeDefined();
    expect(matches(DNS_SUBDOMAIN_PATTERN, name)).toBe(false);
  });

  test('storage class and secret store names are DNS subdomains', () => {
    expect(storageClassNameProblem('../x')).toMatch(/not a DNS subdomain/);
    expect(secretStoreNameProblem('../x')).toMatch(/not a DNS subdomain/);
    expect(storageClassNameProblem('fast-ssd-retain')).toBeUndefined();
    expect(secretStoreNameProblem('platform-secrets')).toBeUndefined();
  });
});

describe('label keys and values', () => {
  test.each(['node.role', 'topology.kubernetes.io/zone', 'app.kubernetes.io/name', 'constructor', 'A_b.c-D', `example.org/${'n'.repeat(63)}`])(
    'key %s is valid',
    (key) => {
      expect(labelKeyProblem(key)).toBeUndefined();
      expect(matches(LABEL_KEY_PATTERN, key)).toBe(true);
    },
  );
  test.each([
    ['', /empty name part/],
    ['a b', /name part that is not/],
    ['-role', /name part that is not/],
    ['Example.org/role', /prefix "Example.org"/],
    ['example.org/', /empty name part/],
    [`example.org/${'n'.repeat(64)}`, /name part of 64 characters/],
    [`${'p'.repeat(254)}/role`, /254 characters/],
    ['__proto__', /name part that is not/],
  ])('key %j is refused', (key, why) => {
    expect(labelKeyProblem(key)).toMatch(why);
    expect(matches(LABEL_KEY_PATTERN, key)).toBe(false);
  });

  test.each(['', 'database', 'a.b_c-D', 'v'.repeat(63)])('value %j is valid', (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
    expect(matches(LABEL_VALUE_PATTERN, value)).toBe(true);
  });
  test.each(['a b', '-a', 'a-', 'v'.repeat(64), 'a/b'])('value %j is refused', (value) => {
    expect(labelValueProblem(value)).toBeDefined();
    expect(matches(LABEL_VALUE_PATTERN, value)).toBe(false);
  });
});

describe('host names', () => {
  test.each(['region-a.strata.example', 'kafka-prod.region-a.example.org'])('%s is valid', (host) => {
    expect(hostnameProblem(host)).toBeUndefined();
    expect(matches(HOSTNAME_PATTERN, host)).toBe(true);
  });
  test('315 characters are refused, naming the limit', () => {
    const host = `${`${'a'.repeat(62)}.`.repeat(5)}example`;
    expect(host.length).toBe(322);
    expect(hostnameProblem(host)).toBe('has 322 characters; a host name has at most 253');
    expect(matches(HOSTNAME_PATTERN, host)).toBe(false);
  });
  test('a label of 64 characters is refused', () => {
    expect(hostnameProblem(`${'k'.repeat(64)}.example.org`)).toMatch(/label "k{20}…" of 64 characters; each label has at most 63/);
    expect(matches(HOSTNAME_PATTERN, `${'k'.repeat(64)}.example.org`)).toBe(false);
  });
  test.each(['example', 'Region.example.org', 'a_b.example.org', 'a..example.org'])('%s is refused', (host) => {
    expect(hostnameProblem(host)).toBeDefined();
    expect(matches(HOSTNAME_PATTERN, host)).toBe(false);
  });
});

describe('PostgreSQL identifiers', () => {
  test.each(['hrm', 'payroll', 'a', 'hrm_cdc', 'a__b', `a${'b'.repeat(62)}`])('%s is valid', (name) => {
    expect(postgresIdentifierProblem(name)).toBeUndefined();
    expect(matches(POSTGRES_IDENTIFIER_PATTERN, name)).toBe(true);
  });
  test.each([
    ['_', /not a lower-case PostgreSQL identifier/],
    ['ab_', /not a lower-case PostgreSQL identifier/],
    ['2fa_events_cdc', /not a lower-case PostgreSQL identifier/],
    ['Hrm', /not a lower-case PostgreSQL identifier/],
    ['pg_monitor', /starts with pg_/],
    ['public', /reserved/],
    [`a${'b'.repeat(63)}`, /64 bytes/],
  ])('%j is refused', (name, why) => {
    expect(postgresIdentifierProblem(name)).toMatch(why);
  });
  test('the pattern refuses what the function refuses for its syntax', () => {
    for (const name of ['_', 'ab_', '2fa_events_cdc', 'pg_monitor', `a${'b'.repeat(63)}`]) {
      expect(matches(POSTGRES_IDENTIFIER_PATTERN, name)).toBe(false);
    }
  });
});

describe('shortName', () => {
  test('a valid name within the limit is kept as it is', () => {
    expect(shortName('mirror-maker-region-b')).toBe('mirror-maker-region-b');
    expect(shortName('postgres-pooler-payroll', 30)).toBe('postgres-pooler-payroll');
  });

  test('a long name keeps a prefix and appends 8 hex characters of its SHA-256', () => {
    const long = `mirror-maker-region-b${'-abcdefghij'.repeat(5)}`;
    const short = shortName(long);
    expect(short).toHaveLength(63);
    // sha256 of the full name, as `printf %s "$long" | sha256sum | cut -c1-8` gives it.
    expect(short).toBe(`${long.slice(0, 54)}-${createHash('sha256').update(long).digest('hex').slice(0, 8)}`);
  });

  test('a prefix ending in - is trimmed, never leaving -- or a trailing -', () => {
    const name = `${'a'.repeat(53)}-${'b'.repeat(20)}`;
    expect(shortName(name)).toMatch(/^a{53}-[0-9a-f]{8}$/);
  });

  test('a name with nothing usable becomes its hash', () => {
    expect(shortName('___')).toMatch(/^[0-9a-f]{8}$/);
  });

  test('an impossible limit is refused', () => {
    expect(() => shortName('x', 9)).toThrow(/max must be an integer from 10 to 63/);
    expect(() => shortName('x', 64)).toThrow(/max must be an integer from 10 to 63/);
  });

  test('property: always a DNS label within the limit, and deterministic', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 10, max: 63 }), (name, max) => {
        const short = shortName(name, max);
        expect(dnsLabelProblem(short)).toBeUndefined();
        expect(short.length).toBeLessThanOrEqual(max);
        expect(shortName(name, max)).toBe(short);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: long names made of label characters keep their start', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][-a-z0-9]{70,200}$/), (name) => {
        const short = shortName(name);
        expect(short.length).toBeLessThanOrEqual(63);
        expect(name.startsWith(short.slice(0, short.length - 9).replace(/-+$/, ''))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('property: distinct inputs give distinct outputs (on samples)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 120 }), { minLength: 50, maxLength: 200 }), (names) => {
        const shorts = new Set(names.map((n) => shortName(n)));
        expect(shorts.size).toBe(names.length);
      }),
      { numRuns: 100 },
    );
    // Names that differ only past the kept prefix still differ.
    const base = 'x'.repeat(80);
    expect(new Set(['a', 'b', 'c', 'd'].map((c) => shortName(base + c))).size).toBe(4);
  });
});
