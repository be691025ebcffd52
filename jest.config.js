import { readdirSync, existsSync } from 'node:fs';

// Workspace packages resolve to their TypeScript sources, so tests need no build.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
for (const group of ['libs', 'plugins', 'apps']) {
  for (const name of readdirSync(group)) {
    if (existsSync(`${group}/${name}/src/index.ts`)) {
      moduleNameMapper[`^@sandboxed/${name}$`] = `<rootDir>/${group}/${name}/src/index.ts`;
    }
  }
}

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json' }] },
  moduleNameMapper,
  testMatch: ['<rootDir>/{libs,plugins,apps,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
};
