import * as fs from 'fs';
import * as path from 'path';

/**
 * The repository root, whether this module runs from source (ts-jest, ts-node) or from
 * the launcher's build (.strata-build/).
 */
export const PROJECT_ROOT: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'imports'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the Strata project root above ${__dirname}`);
  }
})();
