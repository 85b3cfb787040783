// The service worker: the page works offline, and a second visit opens without downloading the
// app again, cross-origin isolated (below). The shell (every built file but the data, of the wasm module's two builds the one
// this browser runs, and the eigen-shells' build) is cached at install, one cache per build;
// the datasets' manifests (and the paper's trained model) are fetched network first, so new
// checksums are seen as soon as the host serves them, and the cached copy answers offline. Shards are not handled here: the worker
// keeps each under its SHA-256 (shard-cache.js). A new build waits, as service workers do, until
// every tab of the old one is closed, so one tab never mixes two builds.
const BUILD = null; // replaced after each build by build-tools/stamp-sw.mjs
importScripts('wasm-module.js'); // which build of the wasm module this browser runs
const SHELL_PREFIX = 'bayes-renorm-shell-';
const SHELL_CACHE = SHELL_PREFIX + BUILD.version;
const MANIFEST_CACHE = 'bayes-renorm-manifests';
const scope = new URL(self.registration.scope);
const shellUrls = new Set(BUILD.shell.map((file) => new URL(file, scope).href));
const moduleUrl = new URL(self.bayesWasmModule.file, scope).href;
// The page loads it only when the eigen-shells run; cached with the shell all the same, so they
// work offline and its glue and code always come from one build.
const eigenModuleUrl = new URL(self.bayesWasmModule.eigenFile, scope).href;
// The threaded build, for the worker of a cross-origin isolated page (which this worker's
// headers make it), where relaxed SIMD is there.
const threadsModuleUrl = self.bayesWasmModule.threadsFile && new URL(self.bayesWasmModule.threadsFile, scope).href;
const modules = [moduleUrl, eigenModuleUrl, threadsModuleUrl].filter(Boolean);
const INDEX = new URL('index.html', scope).href;
// The manifests, and the paper's trained model and its note (#pretrained=1).
const isManifest = (url) => url.href.startsWith(scope.href) &&
  /\/data\/[^/]+\/(manifest\.json|paper-model\.(json|safetensors))$/.test(url.pathname);

// `reload`: the files themselves, never the browser's HTTP cache of an older build.
const fresh = (url) => new Request(url, { cache: 'reload' });

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    await (await caches.open(SHELL_CACHE)).addAll([...shellUrls, ...modules].map(fresh));
    await (await caches.open(MANIFEST_CACHE)).addAll(BUILD.manifests.map((file) => fresh(new URL(file, scope))));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  const key = request.mode === 'navigate' && url.href === scope.href ? INDEX : url.href;
  if (shellUrls.has(key) || modules.includes(key)) event.respondWith(cacheFirst(key, request).then(isolated));
  else if (isManifest(url)) event.respondWith(networkFirst(key, request));
});

async function cacheFirst(key, request) {
  return (await caches.match(key, { cacheName: SHELL_CACHE })) ?? fetch(request);
}

// The headers that make the page cross-origin isolated, so that its worker may share memory
// with its helpers (the fast pool), on hosts that cannot send them (the _headers file says them
// to those that can). The page loads nothing from other origins; CORP lets a course page that
// is itself isolated embed it.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function isolated(response) {
  if (response.type === 'opaque' || response.headers.get('Cross-Origin-Embedder-Policy')) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function networkFirst(key, request) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(MANIFEST_CACHE)).put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(key, { cacheName: MANIFEST_CACHE });
    if (cached) return cached;
    throw error;
  }
}
