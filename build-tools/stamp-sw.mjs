// Trunk's post_build hook: writes into the staged sw.js what it must cache for offline use (the
// app shell, and the datasets' manifests) and a version that changes whenever any of those files
// does, so a new build installs a new service worker and drops the old shell.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('stamp-sw.mjs runs as a Trunk hook (TRUNK_STAGING_DIR is not set)');
const PLACEHOLDER = 'const BUILD = null;';

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [path.relative(staging, full).split(path.sep).join('/')];
  });
}

const files = filesUnder(staging).sort();
// Shards are cached by the worker under their SHA-256 (www/shard-cache.js), not here.
const shell = files.filter((f) => !f.startsWith('data/') && f !== 'sw.js' && !f.endsWith('_bg.wasm'));
// The wasm module's builds: the service worker caches the one this browser runs (wasm-module.js).
const modules = files.filter((f) => f.endsWith('_bg.wasm'));
// The manifests, the paper's trained model (#pretrained=1) with its note, and this project's
// study summary, for use offline.
const manifests = files.filter((f) => /^data\/[^/]+\/(manifest\.json|paper-model\.(json|safetensors)|summary\.json)$/.test(f));
const hash = crypto.createHash('sha256');
for (const file of [...shell, ...modules, ...manifests]) hash.update(file).update(fs.readFileSync(path.join(staging, file)));
const build = { version: hash.digest('hex').slice(0, 16), shell, manifests };

const swPath = path.join(staging, 'sw.js');
const source = fs.readFileSync(swPath, 'utf8');
if (!source.includes(PLACEHOLDER)) throw new Error(`sw.js has no "${PLACEHOLDER}" line to stamp`);
fs.writeFileSync(swPath, source.replace(PLACEHOLDER, `const BUILD = ${JSON.stringify(build)};`));
console.log(`stamp-sw: ${shell.length} shell files, ${modules.length} wasm builds, ${manifests.length} manifests, version ${build.version}`);
