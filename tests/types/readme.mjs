// Type-checks the README's code blocks as printed, under `tsc --strict`.
//
//   node tests/types/readme.mjs              the blocks that import only the package (and fhir/r4),
//                                            against pkg-template/*.d.ts (scripts/test.sh, early)
//   node tests/types/readme.mjs --in <dir>   every block, each import resolved from <dir>'s
//                                            node_modules (tests/e2e/toolchains.test.mjs, with the
//                                            packed package, React, Vitest and the sandbox there)
//
// A block whose first line is a comment naming a file (`// PatientBanner.tsx`) is that file, on
// its own. The others are usage fragments: each that imports the package starts a module, and one
// that does not continues the module before it (it uses what that one defined).
// Exits non-zero when tsc finds an error.
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const inAt = process.argv.indexOf('--in');
const within = inAt > 0 ? path.resolve(process.argv[inAt + 1]) : null;

/** The README's blocks of these languages: { lang, code, file } (file: the name its first line gives). */
export function readmeBlocks(langs = ['js', 'ts', 'tsx']) {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)]
    .filter((m) => langs.includes(m[1]))
    .map((m) => ({ lang: m[1], code: m[2], file: /^\/\/ ([\w./-]+\.(?:m?[jt]sx?))\b/.exec(m[2])?.[1] ?? null }));
}

const ROOT_MODULES = new Set(['smart-wasm', 'smart-wasm/identity', 'smart-wasm/inline', 'smart-wasm/identity/inline', 'fhir/r4']);
const imports = (code) => [...code.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const blocks = readmeBlocks().filter((b) => within || imports(b.code).every((i) => ROOT_MODULES.has(i)));
  if (blocks.length === 0) throw new Error('no code blocks in README.md');
  const out = path.join(within ?? path.join(root, 'target'), 'readme-types');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = [];
  let fragment = null;
  blocks.forEach((b, i) => {
    const ext = b.lang === 'tsx' || b.file?.endsWith('x') ? '.tsx' : '.ts';
    if (b.file) {
      const name = path.join(`block-${i + 1}`, path.basename(b.file).replace(/\.m?[jt]sx?$/, ext));
      mkdirSync(path.join(out, path.dirname(name)), { recursive: true });
      writeFileSync(path.join(out, name), `${b.code}\nexport {};\n`);
      files.push(name);
    } else if (imports(b.code).length > 0 || fragment === null) {
      fragment = `usage-${i + 1}${ext}`;
      writeFileSync(path.join(out, fragment), `${b.code}\nexport {};\n`);
      files.push(fragment);
    } else {
      writeFileSync(path.join(out, fragment), `${readFileSync(path.join(out, fragment), 'utf8')}\n${b.code}\nexport {};\n`);
    }
  });
  const base = JSON.parse(readFileSync(path.join(root, 'tests/types/tsconfig.json'), 'utf8')).compilerOptions;
  const compilerOptions = { ...base, jsx: 'react-jsx', noUnusedLocals: false, types: within ? ['node'] : [] };
  if (within) delete compilerOptions.paths;
  else compilerOptions.paths = Object.fromEntries(Object.entries(base.paths).map(([k, [v]]) => [k, [path.relative(out, path.resolve(root, 'tests/types', v))]]));
  writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
  const tsc = path.join(within ?? root, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-p', path.join(out, 'tsconfig.json')], { stdio: 'inherit' });
  console.log(`README examples type-check: ${blocks.length} blocks in ${files.length} files${within ? ` (modules from ${path.relative(root, within)})` : ''}`);
}
