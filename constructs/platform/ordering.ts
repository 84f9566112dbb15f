/**
 * The one string order of the project: UTF-16 code units, the same on every machine.
 * `localeCompare` follows the process's locale (cs_CZ sorts "ch" after "h", da_DK puts
 * "aa" after "z"), so two machines would render different trees from the same input.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
