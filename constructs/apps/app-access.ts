/**
 * What an app gets from another app's grant (`Application.grantAccess`), and the variables it
 * sets: no construct code here, so the loader's checks use it without loading the constructs.
 */
/** What a grant to another app gives: its Service, in its namespace. */
export interface AppAccess {
  /** The granting app's name. */
  readonly app: string;
  readonly host: string;
  readonly port: number;
}

/** `<APP>_HOST` / `<APP>_PORT`: the variables a grant of app `name` sets. */
export function appAccessVariables(name: string): { readonly host: string; readonly port: string } {
  const prefix = name.toUpperCase().replace(/-/g, '_');
  return { host: `${prefix}_HOST`, port: `${prefix}_PORT` };
}
