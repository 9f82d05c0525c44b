// Assembles the browser client after `tsc -p src/client/tsconfig.json` compiled it
// into dist/client/client/:
//   1. hash the compiled modules and the stylesheet together (SHA-256, 12 hex digits);
//   2. copy them into dist/public/assets/<hash>/, dropping older hash folders;
//   3. write dist/public/index.html with {{ASSETS}} replaced by /assets/<hash>.
// Every asset URL thus changes whenever any asset changes, so src/http/static.ts can
// serve them as immutable for a year while index.html is revalidated on every load.
// The modules import each other by relative URL, so they share one folder.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// rootDir is src/ (the client imports the server's shape types), so the modules land in dist/client/client/.
const compiled = path.join(root, 'dist', 'client', 'client');
const source = path.join(root, 'src', 'client');
const publicDir = path.join(root, 'dist', 'public');
const assetsDir = path.join(publicDir, 'assets');

const files = [
  ...readdirSync(compiled).filter((name) => name.endsWith('.js')).map((name) => path.join(compiled, name)),
  path.join(source, 'style.css'),
].sort();

// Step 1: one hash over names and contents.
const hash = createHash('sha256');
for (const file of files) hash.update(path.basename(file)).update('\0').update(readFileSync(file)).update('\0');
const version = hash.digest('hex').slice(0, 12);

// Step 2: fresh hashed folder.
rmSync(assetsDir, { recursive: true, force: true });
const target = path.join(assetsDir, version);
mkdirSync(target, { recursive: true });
for (const file of files) copyFileSync(file, path.join(target, path.basename(file)));

// Step 3: the page, pointing at that folder.
const html = readFileSync(path.join(source, 'index.html'), 'utf8').replaceAll('{{ASSETS}}', `/assets/${version}`);
writeFileSync(path.join(publicDir, 'index.html'), html);
console.log(`client assets: /assets/${version}/ (${files.length} files)`);
