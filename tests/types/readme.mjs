// Type-checks the README's JavaScript examples as printed, under `tsc --strict`, against the
// package's declarations (pkg-template/*.d.ts): each block that imports the package starts a
// module, and a block that does not continues the one before it (it uses what that one defined).
// Run by scripts/test.sh; exits non-zero when tsc finds an error.
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
if (blocks.length === 0) throw new Error('no ```js blocks in README.md');

const modules = [];
for (const code of blocks) {
  if (/^import /m.test(code) || modules.length === 0) modules.push(code);
  else modules[modules.length - 1] += code;
}

const out = path.join(root, 'target', 'readme-types');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = modules.map((code, i) => {
  const name = `readme-${i + 1}.ts`;
  // `export {}` keeps each file a module even if a block had no import (top-level await needs one).
  writeFileSync(path.join(out, name), `${code}\nexport {};\n`);
  return name;
});
const base = JSON.parse(readFileSync(path.join(root, 'tests/types/tsconfig.json'), 'utf8'));
const paths = Object.fromEntries(Object.entries(base.compilerOptions.paths).map(([k, [v]]) => [k, [path.relative(out, path.resolve(root, 'tests/types', v))]]));
writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base.compilerOptions, paths, noUnusedLocals: false }, files }, null, 2));
execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', path.join(out, 'tsconfig.json')], { stdio: 'inherit' });
console.log(`README examples type-check: ${blocks.length} blocks in ${files.length} modules`);
