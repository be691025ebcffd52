// Lets plain `node` run the repo's TypeScript sources, the way jest's config does, so e2e tests can
// spawn real entry points (e.g. apps/gateway/src/mcp.main.ts) without a build:
//   node --import ./test/support/ts-source.hooks.mjs apps/gateway/src/mcp.main.ts
// `@sandboxed/<name>` resolves to its src/index.ts; `./x.js` from a .ts file to `./x.ts`;
// .ts files are transpiled one by one with decorator metadata (Node's own type stripping has none).
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2023,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  esModuleInterop: true,
  inlineSourceMap: true,
};

function workspaceEntry(name) {
  for (const group of ['libs', 'plugins', 'apps']) {
    const file = join(root, group, name, 'src', 'index.ts');
    if (existsSync(file)) return file;
  }
  return undefined;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const pkg = /^@sandboxed\/([a-z0-9-]+)$/.exec(specifier);
    const entry = pkg && workspaceEntry(pkg[1]);
    if (entry) return { url: pathToFileURL(entry).href, shortCircuit: true };
    const parent = context.parentURL;
    if (parent?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
      const candidate = fileURLToPath(new URL(specifier.replace(/\.js$/, '.ts'), parent));
      if (existsSync(candidate)) return { url: pathToFileURL(candidate).href, shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/'))
      return nextLoad(url, context);
    const fileName = fileURLToPath(url);
    const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), { compilerOptions, fileName });
    return { format: 'module', source: outputText, shortCircuit: true };
  },
});
