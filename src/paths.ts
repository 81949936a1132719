import { existsSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root: the nearest directory above this module that holds package.json. The same whether the code runs
 * as compiled modules (dist/src/…) or as the bundle (dist/bundle/), from a clone or an npm install.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`llmcost: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();

/** A directory the package ships, with a trailing separator (file paths under it start with it). */
export const packageDir = (...parts: string[]): string => `${join(PACKAGE_ROOT, ...parts)}${sep}`;
