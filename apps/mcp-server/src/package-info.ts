import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

/** This package's version, from its `package.json`. */
export const PACKAGE_VERSION: string = packageJson.version;
