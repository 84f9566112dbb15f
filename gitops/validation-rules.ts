/**
 * The CEL validation rules (`x-kubernetes-validations`) of the pinned CRDs, checked the way
 * the API server checks them on create: each rule runs with `self` bound to every node of
 * the object at the rule's place in the schema, and an object for which a rule is false is
 * rejected. `npm run import` extracts the rules into imports/rules/<group>/<version>/<Kind>.json;
 * transition rules (those reading `oldSelf`) only apply to updates and are not extracted.
 *
 * A rule that cannot be evaluated here (a field it reads is absent and the API server would
 * default it, or a CEL function outside the standard library) is left to the API server:
 * only a rule that evaluates to false is reported, so a report is a certain rejection.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from '@marcbachmann/cel-js';
import { importedKindPath } from './imports-check';
// An ES module: Node (>= 20.19) loads it with require; jest compiles it (see .projenrc.ts).

/** One rule, where it applies and what the API server says when it fails. */
export interface ValidationRule {
  /** Where `self` is: a JSON pointer whose `*` segments stand for every list item or map value. */
  readonly path: string;
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** Path of the field the rule is about, relative to `self` (`.spec.replicas`). */
  readonly fieldPath?: string;
}

export interface RuleViolation {
  /** JSON pointer into the object. */
  readonly path: string;
  readonly message: string;
}

type Compiled = (context: Record<string, unknown>) => unknown;

/** CEL's int is a 64-bit integer: whole JSON numbers are ints, as the API server decodes them. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** A key as one JSON-pointer segment. */
export const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The nodes at a rule path, with their concrete JSON pointers. */
function nodesAt(root: unknown, rulePath: string): Array<{ pointer: string; value: unknown }> {
  const segments = rulePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let nodes: Array<{ pointer: string; value: unknown }> = [{ pointer: '', value: root }];
  for (const segment of segments) {
    const next: Array<{ pointer: string; value: unknown }> = [];
    for (const { pointer, value } of nodes) {
      if (value === null || typeof value !== 'object') continue;
      if (segment === '*') {
        const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
        for (const [k, v] of entries) next.push({ pointer: `${pointer}/${escapePointer(k)}`, value: v });
      } else if (!Array.isArray(value) && segment in value) {
        next.push({ pointer: `${pointer}/${escapePointer(segment)}`, value: (value as Record<string, unknown>)[segment] });
      }
    }
    nodes = next;
  }
  return nodes;
}

/** The rules of one kind, compiled once. */
export class KindRules {
  private readonly compiled: Array<{ rule: ValidationRule; check: Compiled; message?: Compiled }>;

  constructor(rules: readonly ValidationRule[]) {
    this.compiled = rules.map((rule) => ({
      rule,
      check: parse(rule.rule) as Compiled,
      message: rule.messageExpression ? (parse(rule.messageExpression) as Compiled) : undefined,
    }));
  }

  public violations(manifest: unknown): RuleViolation[] {
    const out: RuleViolation[] = [];
    // Converted once: the nodes rules see are parts of this one CEL value.
    const object = toCel(manifest);
    for (const { rule, check, message } of this.compiled) {
      for (const node of nodesAt(object, rule.path)) {
        const self = node.value;
        let result: unknown;
        try {
          result = check({ self });
        } catch {
          continue; // left to the API server (see the file comment)
        }
        if (result !== false) continue;
        let text = rule.message ?? `failed rule: ${rule.rule}`;
        if (message) {
          try {
            const produced = message({ self });
            if (typeof produced === 'string' && produced) text = produced;
          } catch {
            // the static message (or the rule) stands
          }
        }
        const field = rule.fieldPath ? rule.fieldPath.replace(/^\./, '').split('.').map(escapePointer).join('/') : '';
        out.push({ path: `${node.pointer}${field ? `/${field}` : ''}` || '/', message: `${text} (CRD validation rule: ${rule.rule})` });
      }
    }
    return out;
  }
}

/** Rules per kind from imports/rules/, loaded on first use; kinds without rules have none. */
export class ValidationRules {
  private readonly byKind = new Map<string, KindRules | undefined>();

  constructor(private readonly rulesDir: string) {}

  public forKind(apiVersion: string, kind: string): KindRules | undefined {
    const key = `${apiVersion}/${kind}`;
    if (!this.byKind.has(key)) {
      const kindPath = importedKindPath(apiVersion, kind);
      const file = kindPath && path.join(this.rulesDir, `${kindPath}.json`);
      this.byKind.set(key, file && fs.existsSync(file) ? new KindRules(JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationRule[]) : undefined);
    }
    return this.byKind.get(key);
  }
}
