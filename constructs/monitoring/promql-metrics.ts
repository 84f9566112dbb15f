/**
 * The metric names a PromQL expression reads: identifiers that are neither functions nor
 * aggregations (followed by `(`), keywords, label names (inside `{...}` and the label lists of
 * `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`), durations, numbers, strings
 * or Grafana variables (`$namespace`). Enough for the expressions Strata writes; not a parser.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const LABEL_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/gi;

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^[\]]*\]/g, ' ')
    .replace(LABEL_LIST, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/gi, ' ')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ' ');
  const names = new Set<string>();
  const token = /(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_:][\w:]*)(\s*\()?/gi;
  for (const m of stripped.matchAll(token)) {
    const [, number, name, call] = m;
    if (number || !name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** The selector of a Grafana `label_values(<selector>, <label>)` variable query (or the whole query). */
export function variableSelector(query: string): string {
  const m = /^\s*label_values\(\s*(.+),\s*[A-Za-z_]\w*\s*\)\s*$/.exec(query);
  return m ? m[1] : query;
}
