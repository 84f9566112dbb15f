/**
 * Extracts the CEL validation rules (`x-kubernetes-validations`) of a CRD version's schema,
 * with the place each applies, for gitops/validation-rules.ts. Transition rules (reading
 * `oldSelf`) apply only to updates and are left out. The walk follows properties, list
 * items (`*`), map values (`*`) and combinator branches (same place), in sorted key order so
 * the output is stable.
 */
import { escapePointer, ValidationRule } from '../gitops/validation-rules';

type Json = any;

export function extractValidationRules(schema: Json): ValidationRule[] {
  const out: ValidationRule[] = [];
  const walk = (node: Json, at: string) => {
    if (node === null || typeof node !== 'object') return;
    for (const v of node['x-kubernetes-validations'] ?? []) {
      if (typeof v.rule !== 'string' || /\boldSelf\b/.test(v.rule)) continue;
      out.push({
        path: at,
        rule: v.rule,
        ...(v.message ? { message: v.message } : {}),
        ...(v.messageExpression ? { messageExpression: v.messageExpression } : {}),
        ...(v.fieldPath ? { fieldPath: v.fieldPath } : {}),
      });
    }
    for (const name of Object.keys(node.properties ?? {}).sort()) walk(node.properties[name], `${at}/${escapePointer(name)}`);
    if (node.items) walk(node.items, `${at}/*`);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${at}/*`);
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of node[key] ?? []) walk(branch, at);
  };
  walk(schema, '');
  return out;
}
