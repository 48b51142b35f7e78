// Teilhabe Wegweiser: keeps the guide pages a person has opened, in the language she chose,
// for use without a connection. An enhancement only: every page works without it.
const CACHE = 'wegweiser-v1';
const FONTS = [
  '/assets/fonts/FiraSans-Regular.woff2',
  '/assets/fonts/FiraSans-SemiBold.woff2',
  '/assets/fonts/FiraSans-Bold.woff2',
  '/assets/fonts/NotoSansArabic-400.woff2',
  '/assets/fonts/NotoSansArabic-700.woff2',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FONTS).catch(() => {});
    // The start pages, and the stylesheets they name (their addresses carry a version).
    for (const page of ['/wegweiser', '/wegweiser/anerkennung', '/wegweiser/nach-dem-kurs']) {
      try {
        const res = await fetch(page, { credentials: 'same-origin' });
        if (!res.ok) continue;
        const html = await res.clone().text();
        await cache.put(page, res);
        for (const m of html.matchAll(/href="(\/assets\/[^"]+)"/g)) {
          await cache.add(m[1]).catch(() => {});
        }
      } catch (_) { /* offline while installing: pages are kept as they are visited */ }
    }
    self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
      return res;
    })));
    return;
  }
  if (!url.pathname.startsWith('/wegweiser')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    } catch (_) {
      return (await cache.match(req)) || (await cache.match(url.pathname)) || (await cache.match('/wegweiser')) ||
        new Response('offline', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
  })());
});
