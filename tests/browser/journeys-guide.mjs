// Journeys 3, 4, 5 and 9 of /work/shared/JOURNEYS.md end to end, by keyboard alone, in headless
// Chromium against `teilhabe serve --demo` with a real SMTP server on loopback (./smtp.mjs).
//
//   3. A woman in Laatzen searches the Wegweiser in Arabic on her phone for help with her child's
//      health (Laatzen and nearby, Arabic, free of charge, open on Thursday), opens the first
//      result (a child-health service in Laatzen that speaks Arabic: right to left, languages
//      before the description, Thursday hours, the tram, free) and its one-page sheet (one A4
//      page when printed). The service page and the sheet are measured on a repeat visit (under
//      50 KB each), and the service page is still there when the phone is offline (service
//      worker).
//   4. A nurse trained in Syria uses the recognition guide in Arabic: types "nurse" in Arabic,
//      opens nursing (regulated; the Lower Saxony body; documents, fees, duration; the Jobcenter
//      may pay), chooses Laatzen and finds a recognition counselling that speaks Arabic, with
//      opening hours; the federal Anerkennungs-Finder is linked.
//   5. A 24-year-old who passed B1 and wants a training place answers the four questions of
//      "Nach dem Integrationskurs" in German (B1, 24, training, Garbsen) and gets the
//      job-related German course towards B2, the youth migration service and the training step,
//      each with offers in Garbsen.
//   9. The team lead of the foreigners' office (no second factor) sees under "Sprachen im Amt"
//      that Dari and Tigrinya have demand and nobody on the team, that one colleague (Rami
//      Haddad) carries Arabic, and books an interpreter for Dari for next Tuesday 10:00
//      (Europe/Berlin); the Dari-speaking colleague of the pool gets the e-mail, signs in, takes
//      the request, and the lead sees it as "zugesagt".
//
// Only page.keyboard drives the pages (Tab, Shift+Tab, Enter, Space, arrows, typing); page.goto
// is used for the first page of each person and for opening links from e-mails; the browser
// itself reloads (offline), prints (PDF) and, in a context of its own without the service
// worker, loads the pages whose weight is measured. Every distinct page is checked with
// axe-core; on the phone, every page must also reflow to the screen's width. Problems the
// journeys survive are printed as notes at the end. Prints one line per step; exits 1 with
// the reason on the first failure (checks of layout, printing and focus visibility are
// collected on the way and asserted in the last steps, so that the journeys run to the end).
//
// Usage: node tests/browser/journeys-guide.mjs [path/to/teilhabe]
// (JOURNEYS_SAVE_PAGES=DIR keeps the HTML of every page checked with axe-core in DIR.)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtp } from './smtp.mjs';
import {
  root, freePort, startServer, launchChromium, axeViolations, focused, describe,
  tabTo, link, button, field, checkbox, pressAndLoad, follow, fill, arrowUntil, keyboardFindings, ftl,
} from './lib.mjs';

const bin = process.argv[2] || join(root, 'target/debug/teilhabe');
const TOTAL_BUDGET_MS = 90_000;
const MAIL_TIMEOUT_MS = 30_000;
const WEIGHT_LIMIT = 50 * 1024;

if (!existsSync(bin)) {
  console.error(`journeys-guide: no binary at ${bin}; build it first with: cargo build -p teilhabe`);
  process.exit(2);
}

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'teilhabe-journeys-guide-'));
let stepNo = 0;
let current = null; // the page a failure is reported for
const cleanups = [];

async function step(name, fn) {
  stepNo++;
  const t0 = Date.now();
  try {
    const r = await fn();
    console.log(`ok   ${String(stepNo).padStart(2)} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return r;
  } catch (e) {
    console.log(`FAIL ${String(stepNo).padStart(2)} ${name}`);
    await fail(e);
  }
}

let failing = false;
async function fail(e) {
  if (failing) return;
  failing = true;
  console.log(`     ${String(e && e.message ? e.message : e).split('\n').join('\n     ')}`);
  if (current) {
    try {
      const f = join(dir, `failure-step-${stepNo}.html`);
      writeFileSync(f, await current.content());
      console.log(`     page: ${current.url()} (HTML saved to ${f})`);
    } catch { /* the page may be gone */ }
  }
  for (const n of notes) console.log(`note product problem: ${n}`);
  await cleanup(false);
  console.log(`journeys-guide: FAILED at step ${stepNo} after ${((Date.now() - started) / 1000).toFixed(1)} s (database and pages kept in ${dir})`);
  process.exit(1);
}

async function cleanup(removeDir) {
  for (const c of cleanups.reverse()) { try { await c(); } catch { /* already down */ } }
  cleanups.length = 0;
  if (removeDir) rmSync(dir, { recursive: true, force: true });
}

process.on('unhandledRejection', (e) => fail(e));
process.on('SIGINT', async () => { console.log('journeys-guide: interrupted'); await cleanup(false); process.exit(130); });
const budget = setTimeout(() => fail(new Error(`the journeys took longer than ${TOTAL_BUDGET_MS / 1000} s`)), TOTAL_BUDGET_MS);

function assert(ok, msg) { if (!ok) throw new Error(msg); }
/** Without the bidi isolation marks (U+2066–U+2069) the product puts around placeables. */
const plain = (s) => String(s ?? '').replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// ---- what the page shows (reading is free; only driving is restricted to the keyboard) ----

const mainText = (page) => page.evaluate(() => document.querySelector('main').innerText.replace(/[ \t]+/g, ' '));
const path = (page) => new URL(page.url()).pathname;
const docLang = (page) => page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
const h1 = async (page) => plain(await page.locator('main h1').first().innerText());

/** The text after a <dt> (a fact of a <dl>), by the <dt>'s text. */
const fact = (page, term) => page.evaluate((term) => {
  const dt = [...document.querySelectorAll('main dt')].find((d) => d.textContent.replace(/\s+/g, ' ').trim() === term);
  const dd = dt && dt.nextElementSibling;
  return dd && dd.tagName === 'DD' ? { text: dd.textContent.replace(/\s+/g, ' ').trim(), lang: dd.closest('[lang]')?.getAttribute('lang') } : null;
}, term);

/** What follows an <h2> (by its text) up to the next <h2>, as text. */
const section = (page, heading) => page.evaluate((heading) => {
  const h = [...document.querySelectorAll('main h2')].find((e) => e.textContent.replace(/\s+/g, ' ').trim() === heading);
  if (!h) return null;
  const out = [];
  for (let el = h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) out.push(el.innerText);
  return out.join('\n').replace(/[ \t]+/g, ' ');
}, heading);

/** The results of an `ol.th-results` (the first, or the one after `afterId`). */
const results = (page, afterId = null) => page.evaluate((afterId) => {
  let ol = null;
  if (afterId) {
    for (let el = document.getElementById(afterId)?.nextElementSibling; el; el = el.nextElementSibling) {
      if (el.matches('ol.th-results')) { ol = el; break; }
    }
  } else ol = document.querySelector('main ol.th-results');
  if (!ol) return null;
  return [...ol.querySelectorAll(':scope > li.th-result')].map((li) => {
    const a = li.querySelector('h3 a');
    const ps = [...li.querySelectorAll(':scope > p')];
    return {
      name: a.textContent.replace(/\s+/g, ' ').trim(),
      href: a.getAttribute('href'),
      langs: [...li.querySelectorAll('ul.th-langs-spoken > li')].map((l) => l.getAttribute('lang')),
      where: ps[0] ? ps[0].innerText.replace(/\s+/g, ' ').trim() : '',
      badges: [...li.querySelectorAll('.th-badge')].map((b) => b.textContent.trim()),
    };
  });
}, afterId);

/** The rows of the opening hours table: [[weekday, hours], ...]. */
const hours = (page) => page.evaluate(() => [...document.querySelectorAll('main table.th-hours tr')]
  .map((tr) => [tr.querySelector('th')?.textContent.trim(), tr.querySelector('td')?.textContent.replace(/\s+/g, ' ').trim()]));

/**
 * How far the page scrolls sideways (0 when it reflows into the viewport), and the innermost
 * elements that stick out of their parents.
 */
const sideways = (page) => page.evaluate(() => {
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow <= 0) return { overflow, culprits: [] };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const parent = el.parentElement;
    if (!parent || parent === document.body) continue;
    const r = el.getBoundingClientRect();
    const p = parent.getBoundingClientRect();
    if (r.width > 0 && (r.left < p.left - 1 || r.right > p.right + 1)) out.push(el);
  }
  const innermost = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
  return { overflow, culprits: innermost.slice(0, 3).map((el) => `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}> "${el.textContent.trim().slice(0, 60)}" (${Math.round(el.getBoundingClientRect().width)}px wide)`) };
});

// ---- product problems that do not break a journey: printed at the end ----

const notes = [];
/** Records a product problem found on the way that the journey survives (printed at the end). */
function note(ok, what) { if (!ok) notes.push(what); }

// ---- axe-core on every distinct page ----

const audited = new Set();
async function audit(page, label) {
  if (audited.has(label)) return;
  audited.add(label);
  if (process.env.JOURNEYS_SAVE_PAGES) writeFileSync(join(process.env.JOURNEYS_SAVE_PAGES, `guide-${audited.size}-${label.replace(/[^A-Za-z0-9]+/g, '-')}.html`), await page.content());
  const v = await axeViolations(page);
  assert(v.length === 0, `axe-core finds ${v.length} violation(s) on ${label} (${page.url()}):\n${v.join('\n')}`);
  const width = page.viewportSize()?.width || 0;
  if (width <= 400) {
    const s = await sideways(page);
    if (s.overflow > 0) reflow.push(`${label} (${new URL(page.url()).pathname}) scrolls sideways by ${s.overflow}px on a ${width}px phone: ${s.culprits.join('; ')}`);
  }
}
/** Phone pages that do not reflow (WCAG 1.4.10), asserted at the end. */
const reflow = [];

// ---- keyboard helpers of these journeys ----

/** Tabs to the link whose href is `href` and follows it with Enter. */
async function followHref(page, href, what, opts = {}) {
  await tabTo(page, (d) => d.tag === 'a' && d.href === href, { what, ...opts });
  return pressAndLoad(page, 'Enter');
}

/** Tabs to a select (by label) and arrows to the option with `value`; returns the focused select. */
async function choose(page, label, value, what, { max = 60 } = {}) {
  const d = await tabTo(page, (d) => d.tag === 'select' && (label instanceof RegExp ? label.test(d.name) : d.name === label), { what: `the choice "${label}"` });
  const start = d.value;
  // Options further up are reached with ArrowUp.
  const up = await page.evaluate(([id, v]) => {
    const s = document.getElementById(id);
    const i = [...s.options].findIndex((o) => o.value === v);
    return i >= 0 && i < s.selectedIndex;
  }, [d.id, value]);
  const got = await arrowUntil(page, (f) => f.value === value, { key: up ? 'ArrowUp' : 'ArrowDown', max, what });
  assert(got.value === value, `${what}: the choice holds ${got.value} (was ${start})`);
  return got;
}

/** Ticks a checkbox reached by Tab (Space), and checks it is ticked. */
async function tick(page, label, group, what) {
  await tabTo(page, checkbox(label, group), { what });
  await page.keyboard.press('Space');
  const d = await focused(page);
  assert(d.checked, `Space did not tick ${what}: ${describe(d)}`);
  return d;
}

/**
 * Types a date and time into the focused <input type=datetime-local> (its first part has the
 * focus), as a person does: the parts in the order the browser shows them (which depends on
 * the browser's language: day–month–year, month–day–year or year–month–day; the year needs Tab
 * to move on; a 12-hour clock takes "A" for the morning). Tries the orders until the field
 * holds the value; returns the order used.
 */
async function typeDateTime(page, id, { y, mo, d, h, mi }) {
  const want = `${y}-${mo}-${d}T${h}:${mi}`;
  assert(Number(h) < 12, 'typeDateTime types morning times only');
  for (const [order, parts] of Object.entries({ 'day-month-year': [d, mo, y], 'month-day-year': [mo, d, y], 'year-month-day': [y, mo, d] })) {
    for (const part of parts) {
      await page.keyboard.type(part);
      if (part === y) await page.keyboard.press('Tab');
    }
    await page.keyboard.type(h);
    await page.keyboard.type(mi);
    await page.keyboard.press('A');
    const value = await page.evaluate((id) => document.getElementById(id).value, id);
    if (value === want) return order;
    // Back to the field's first part: out of the field with Shift+Tab, and in again with Tab.
    for (let i = 0; i < 10 && (await focused(page)).id === id; i++) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    assert((await focused(page)).id === id, `Tab does not come back into #${id}`);
  }
  throw new Error(`could not type ${want} into #${id} in any order of day, month and year`);
}

/** Signs in on /anmelden (the page is there) with e-mail and password, by keyboard. */
async function signIn(page, email, password) {
  const de = ftl('de');
  await fill(page, de('field-email'), email);
  await fill(page, de('field-password'), password);
  await tabTo(page, button(de('login-submit')), { what: 'the sign-in button' });
  await pressAndLoad(page);
  assert(!path(page).startsWith('/anmelden'), `still on ${page.url()} after signing in as ${email}: ${(await mainText(page)).slice(0, 200)}`);
}

// ---- page weight (Chrome DevTools protocol: bytes received per response, headers included) ----

/** Bytes over the wire for loading `url` in `page` (`how`: goto or reload), by kind. */
async function weigh(cdp, page, url, how) {
  const reqs = new Map();
  const onReq = (e) => reqs.set(e.requestId, { url: e.request.url, bytes: 0, cached: false });
  const onCache = (e) => { const r = reqs.get(e.requestId); if (r) r.cached = true; };
  const onResp = (e) => { const r = reqs.get(e.requestId); if (r && (e.response.fromDiskCache || e.response.fromPrefetchCache)) r.cached = true; };
  const onDone = (e) => { const r = reqs.get(e.requestId); if (r) r.bytes = e.encodedDataLength; };
  cdp.on('Network.requestWillBeSent', onReq);
  cdp.on('Network.requestServedFromCache', onCache);
  cdp.on('Network.responseReceived', onResp);
  cdp.on('Network.loadingFinished', onDone);
  try {
    if (how === 'reload') await page.reload({ waitUntil: 'load' });
    else await page.goto(url, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => document.fonts.ready.then(() => true));
    await page.waitForTimeout(200);
  } finally {
    cdp.off('Network.requestWillBeSent', onReq);
    cdp.off('Network.requestServedFromCache', onCache);
    cdp.off('Network.responseReceived', onResp);
    cdp.off('Network.loadingFinished', onDone);
  }
  const all = [...reqs.values()];
  const sum = (f) => all.filter(f).reduce((a, r) => a + r.bytes, 0);
  const isFont = (r) => /\/fonts\//.test(r.url);
  return {
    total: sum(() => true),
    fonts: sum(isFont),
    css: sum((r) => /\.css\b/.test(r.url)),
    html: sum((r) => new URL(r.url).pathname === new URL(page.url()).pathname),
    requests: all.length,
    fromCache: all.filter((r) => r.cached).length,
    biggest: all.filter((r) => r.bytes > 0).sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((r) => `${new URL(r.url).pathname} ${kb(r.bytes)}`),
    fontFiles: all.filter((r) => isFont(r) && r.bytes > 0).map((r) => `${new URL(r.url).pathname.split('/').pop()} ${kb(r.bytes)}`),
  };
}

// =====================================================================================

const smtp = await startSmtp();
cleanups.push(() => smtp.close());
const port = await freePort();
const publicUrl = `http://127.0.0.1:${port}`;
const server = await step('teilhabe serve --demo starts with a fresh SQLite database and the SMTP sink', async () => {
  const s = await startServer({
    bin,
    db: `sqlite://${join(dir, 'journeys-guide.db')}`,
    listen: `127.0.0.1:${port}`,
    args: ['--smtp', `smtp://127.0.0.1:${smtp.port}`, '--public-url', publicUrl, '--mail-from', 'integration@region-hannover.example'],
  });
  cleanups.push(() => s.stop());
  return s;
});
const base = server.base;

const browser = await step('headless Chromium starts', async () => {
  const b = await launchChromium();
  cleanups.push(() => b.close());
  return b;
});
const external = [];
function watch(page) {
  page.on('request', (r) => { const u = new URL(r.url()); if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:') external.push(r.url()); });
  page.on('pageerror', (e) => external.push(`script error: ${e.message}`));
}
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, bypassCSP: true };

const ar = ftl('ar');
const de = ftl('de');

// ---------------- Journey 3 ----------------

const QUERY = 'طبيب أطفال لطفلي المريض'; // "paediatrician for my sick child"
const phoneCtx = await browser.newContext({ ...PHONE, locale: 'ar-SY', extraHTTPHeaders: { 'Accept-Language': 'ar-SY,ar;q=0.9' } });
const phone = await phoneCtx.newPage();
watch(phone);
current = phone;

await step('J3 opens the Wegweiser in Arabic on a phone: right to left, the service worker registers', async () => {
  const res = await phone.goto(`${base}/wegweiser?lang=ar`);
  assert(res.status() === 200, `/wegweiser?lang=ar answers ${res.status()}`);
  const { lang, dir: d } = await docLang(phone);
  assert(lang === 'ar' && d === 'rtl', `the page is lang="${lang}" dir="${d}", expected ar and rtl`);
  assert((await h1(phone)) === ar('guide-title'), `the heading is "${await h1(phone)}", expected "${ar('guide-title')}"`);
  // The enhancement: a service worker that keeps the pages she opens.
  const sw = await phone.evaluate(() => Promise.race([
    navigator.serviceWorker.ready.then((r) => (r.active ? r.active.scriptURL : 'no active worker')),
    new Promise((res) => setTimeout(() => res(null), 10_000)),
  ]));
  assert(sw && sw.endsWith('/wegweiser/sw.js'), `the service worker is not ready within 10 s: ${sw}`);
  await audit(phone, 'Wegweiser (Arabic, phone)');
});

let first;
await step('J3 searches in Arabic: Laatzen and nearby, Arabic, more filters: free and open on Thursday', async () => {
  const q = await fill(phone, ar('guide-search-label'), QUERY);
  assert(q.id === 'q' && q.type === 'search', `the search field is ${describe(q)}`);
  const ort = await choose(phone, ar('guide-place'), 'laatzen', 'Laatzen');
  assert(ort.selected === 'Laatzen', `the place reads "${ort.selected}"`);
  await tick(phone, ar('guide-nearby'), null, `"${ar('guide-nearby')}"`);
  const lang = await choose(phone, ar('guide-language'), 'ar', 'Arabic');
  assert(lang.selected.startsWith(ar('spoken-ar')), `the language reads "${lang.selected}", expected "${ar('spoken-ar')}"`);
  const more = await tabTo(phone, (d) => d.tag === 'summary', { what: `"${ar('guide-more-filters')}"`, max: 3 });
  assert(more.name === ar('guide-more-filters'), `the more-filters summary reads "${more.name}"`);
  await phone.keyboard.press('Enter');
  assert(await phone.evaluate(() => document.querySelector('details.th-more').open), 'Enter on the summary does not open "more filters"');
  const day = await choose(phone, ar('guide-open-on'), '4', 'Thursday');
  assert(day.selected === ar('weekday-4'), `the day reads "${day.selected}", expected "${ar('weekday-4')}"`);
  await tick(phone, ar('guide-free'), ar('guide-only'), `"${ar('guide-free')}"`);
  await tabTo(phone, button(ar('guide-search')), { what: 'the search button' });
  const res = await pressAndLoad(phone);
  const url = new URL(phone.url());
  const p = Object.fromEntries(url.searchParams);
  assert(res.status() === 200 && url.pathname === '/wegweiser/suche', `the search ends on ${phone.url()} (${res.status()})`);
  assert(p.q === QUERY && p.ort === 'laatzen' && p.umgebung === '1' && p.sprache === 'ar' && p.tag === '4' && p.kostenlos === '1',
    `the search asks for ${url.search}`);
  assert((await docLang(phone)).dir === 'rtl', 'the results are not right to left');
  const list = await results(phone);
  assert(list && list.length > 0, `no results: ${(await mainText(phone)).slice(0, 300)}`);
  first = list[0];
  console.log(`     ${list.length} results; first: "${first.name}" (${first.href}), ${plain(first.where)}`);
  assert(/الأطفال|طفل/.test(first.name), `the first result is not about children's health: "${first.name}"`);
  assert(plain(first.where).includes('Laatzen'), `the first result is not in Laatzen: ${first.where}`);
  assert(first.langs.includes('ar'), `the first result does not list Arabic: ${first.langs.join(', ')}`);
  assert(first.badges.includes(ar('guide-free-badge')), `the first result has no badge "${ar('guide-free-badge')}": ${first.badges.join(', ')}`);
  await audit(phone, 'search results (Arabic, phone)');
});

let servicePath, serviceName;
await step('J3 opens the first result: right to left, languages before the description, Thursday hours, tram, free', async () => {
  await followHref(phone, first.href, `the first result "${first.name}"`);
  servicePath = path(phone);
  assert(servicePath === first.href, `expected ${first.href}, got ${phone.url()}`);
  const { lang, dir: d } = await docLang(phone);
  assert(lang === 'ar' && d === 'rtl', `the service page is lang="${lang}" dir="${d}"`);
  serviceName = await h1(phone);
  assert(serviceName === first.name, `the heading is "${serviceName}", expected "${first.name}"`);
  assert(await phone.evaluate(() => getComputedStyle(document.querySelector('main h1')).direction === 'rtl'), 'the heading is not laid out right to left');
  // Languages spoken come first: before the description and every fact.
  const order = await phone.evaluate(() => {
    const langs = document.querySelector('main ul.th-langs-spoken');
    const desc = document.querySelector('main h1 ~ div[lang] p, main h1 ~ div p');
    const facts = document.querySelector('main dl.th-facts');
    const before = (a, b) => !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
    return { langs: !!langs, desc: desc && desc.textContent.slice(0, 60), langsFirst: before(langs, desc) && before(langs, facts),
      spoken: langs ? [...langs.querySelectorAll('li')].map((l) => l.getAttribute('lang')) : [] };
  });
  assert(order.langs && order.desc, `the page lacks the languages or the description: ${JSON.stringify(order)}`);
  assert(order.langsFirst, `the languages spoken do not come before the description: ${JSON.stringify(order)}`);
  assert(order.spoken.includes('ar'), `Arabic is not among the languages spoken: ${order.spoken.join(', ')}`);
  const langsHeading = await phone.evaluate(() => document.querySelector('main h2')?.textContent.trim());
  assert(langsHeading === ar('guide-languages-spoken'), `the first section is "${langsHeading}", expected "${ar('guide-languages-spoken')}"`);
  const costs = await fact(phone, ar('guide-costs'));
  assert(costs && costs.text === ar('guide-free-of-charge'), `the costs read ${JSON.stringify(costs)}, expected "${ar('guide-free-of-charge')}"`);
  const h = await hours(phone);
  const thursday = h.find(([day]) => day === ar('weekday-4'));
  assert(thursday && /\d{2}:\d{2}/.test(thursday[1]), `no Thursday (${ar('weekday-4')}) in the opening hours: ${JSON.stringify(h)}`);
  const where = await section(phone, ar('guide-where'));
  assert(where && where.includes(ar('guide-how-to-get-there')) && where.includes('Stadtbahn'), `"${ar('guide-where')}" does not name the tram (Stadtbahn): ${where}`);
  assert(where.includes('Laatzen'), `the address is not in Laatzen: ${where}`);
  const tram = await phone.evaluate(() => [...document.querySelectorAll('main [lang="de"]')].some((e) => e.textContent.includes('Stadtbahn')));
  assert(tram, 'the German directions ("Stadtbahn ...") on the Arabic page are not marked lang="de"');
  const verified = plain(await phone.locator('main .th-verified').innerText());
  assert(ar.pattern('guide-verified').test(verified) && /\d{4}/.test(verified), `no "last checked" date: "${verified}"`);
  const caption = await phone.evaluate(() => { const c = document.querySelector('main table.th-hours caption'); return c ? c.getBoundingClientRect().height : 0; });
  note(caption <= 1, `${servicePath} (and the sheet): the caption of the opening hours (class th-sr-only, meant for screen readers only) is shown, ${Math.round(caption)}px high, repeating the heading "${ar('guide-hours')}": app.css has no rule for .th-sr-only`);
  console.log(`     "${serviceName}": Thursday ${plain(thursday[1])}; ${plain(where.split('\n').find((l) => l.includes('Stadtbahn')))}`);
  await audit(phone, 'service (Arabic, phone)');
});

let printed;
await step('J3 opens the one-page sheet: the same facts, and prints it', async () => {
  await follow(phone, ar('guide-sheet-link'), { max: 150 });
  assert(path(phone) === `${servicePath}/blatt`, `expected ${servicePath}/blatt, got ${phone.url()}`);
  const { lang, dir: d } = await docLang(phone);
  assert(lang === 'ar' && d === 'rtl', `the sheet is lang="${lang}" dir="${d}"`);
  assert((await h1(phone)) === serviceName, `the sheet's heading is "${await h1(phone)}"`);
  const text = plain(await mainText(phone));
  assert(text.includes('Stadtbahn') && text.includes(ar('weekday-4')) && text.includes(ar('guide-free-of-charge')), 'the sheet lacks the tram, Thursday or "free"');
  assert(text.includes(`${publicUrl}${servicePath}`), `the sheet does not give the address of the service page (${publicUrl}${servicePath})`);
  await audit(phone, 'one-page sheet (Arabic, phone)');
  // Printed (as Chromium prints it on A4): what is printed is checked at the end.
  await phone.emulateMedia({ media: 'print' });
  const shown = await phone.evaluate(() => {
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    return ['header nav', 'footer', '.th-skip', 'main a[href]:not([href^="tel:"]):not([href^="mailto:"])']
      .flatMap((sel) => [...document.querySelectorAll(sel)].filter(visible).map((el) => `${sel}: "${el.textContent.replace(/\s+/g, ' ').trim().slice(0, 40)}"`));
  });
  const pdf = await phone.pdf({ format: 'A4', printBackground: false });
  await phone.emulateMedia({ media: 'screen' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
  printed = { pages, shown };
  console.log(`     printed: ${pages} A4 page(s), ${kb(pdf.length)} PDF${shown.length ? `; also printed: ${shown.join(', ')}` : ''}`);
});

await step('J3 goes back to the service page by keyboard', async () => {
  await follow(phone, ar('guide-back-to-service'), { max: 150 });
  assert(path(phone) === servicePath, `expected ${servicePath}, got ${phone.url()}`);
});

const weights = {};
await step('J3 page weight: the service page and the sheet each transfer under 50 KB on a repeat visit', async () => {
  // A context of its own without the service worker, so that the bytes are the HTTP cache's
  // doing: a first visit (nothing cached), then a repeat visit (a link followed again) and a
  // reload, with the fonts and the stylesheets in the cache.
  const ctx = await browser.newContext({ ...PHONE, locale: 'ar-SY', serviceWorkers: 'block' });
  cleanups.push(() => ctx.close());
  const page = await ctx.newPage();
  watch(page);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  for (const [label, url] of [['service page', `${base}${servicePath}?lang=ar`], ['sheet', `${base}${servicePath}/blatt?lang=ar`]]) {
    const w = {
      first: await weigh(cdp, page, url, 'goto'),
      repeat: await weigh(cdp, page, url, 'goto'),
      reload: await weigh(cdp, page, url, 'reload'),
    };
    weights[label] = w;
    console.log(`     ${label}: first visit ${kb(w.first.total)} in ${w.first.requests} responses (fonts ${kb(w.first.fonts)}, CSS ${kb(w.first.css)}, HTML ${kb(w.first.html)}); `
      + `repeat visit ${kb(w.repeat.total)} (${w.repeat.fromCache}/${w.repeat.requests} from the cache); reload ${kb(w.reload.total)} (${w.reload.fromCache}/${w.reload.requests} from the cache)`);
    if (w.first.fontFiles.length) console.log(`     fonts of the first visit: ${w.first.fontFiles.join(', ')}`);
  }
  await ctx.close();
  for (const [label, w] of Object.entries(weights)) {
    assert(w.repeat.total < WEIGHT_LIMIT, `the ${label} transfers ${kb(w.repeat.total)} on a repeat visit (limit ${kb(WEIGHT_LIMIT)}): ${w.repeat.biggest.join(', ')}`);
    assert(w.reload.total < WEIGHT_LIMIT, `the ${label} transfers ${kb(w.reload.total)} on a reload with the cache warm (limit ${kb(WEIGHT_LIMIT)}): ${w.reload.biggest.join(', ')}`);
  }
  const sheetFirst = weights.sheet.first; // the fonts and stylesheets are cached from the service page
  note(sheetFirst.total < WEIGHT_LIMIT, `the sheet's first visit with fonts and stylesheets cached transfers ${kb(sheetFirst.total)}`);
  const cold = weights['service page'].first;
  note(cold.total - cold.fonts < 100 * 1024,
    `a first visit of ${servicePath} transfers ${kb(cold.total - cold.fonts)} besides ${kb(cold.fonts)} of fonts (stylesheets ${kb(cold.css)}, sent without compression although the browser accepts gzip and br)`);
});

await step('J3 offline: the service worker keeps the service page; a reload without a connection still shows it in Arabic', async () => {
  const sw = await phone.evaluate(() => Promise.race([
    navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller),
    new Promise((res) => setTimeout(() => res(null), 5_000)),
  ]));
  assert(sw === true, `the service page is not controlled by the service worker (${sw})`);
  await phoneCtx.setOffline(true);
  try {
    const res = await phone.reload({ waitUntil: 'load' });
    assert(res && res.status() === 200, `the reload offline answers ${res && res.status()}`);
    assert(path(phone) === servicePath, `offline, the reload shows ${phone.url()}`);
    const { lang, dir: d } = await docLang(phone);
    assert(lang === 'ar' && d === 'rtl', `offline, the page is lang="${lang}" dir="${d}"`);
    assert((await h1(phone)) === serviceName, `offline, the heading is "${await h1(phone)}", expected "${serviceName}"`);
    const h = await hours(phone);
    assert(h.some(([day]) => day === ar('weekday-4')), 'offline, the page lacks the Thursday hours');
    const styled = await phone.evaluate(() => [...document.styleSheets].filter((s) => { try { return s.cssRules.length > 0; } catch { return false; } }).length);
    assert(styled >= 2, `offline, the stylesheets are missing (${styled} with rules)`);
    // The sheet she opened is kept too.
    await follow(phone, ar('guide-sheet-link'), { max: 150 });
    assert(path(phone) === `${servicePath}/blatt` && (await h1(phone)) === serviceName, `offline, the sheet shows "${await h1(phone)}" at ${phone.url()}`);
  } finally {
    await phoneCtx.setOffline(false);
  }
});

// ---------------- Journey 4 ----------------

const NURSE = 'ممرضة'; // "nurse"
const nurseCtx = await browser.newContext({ ...PHONE, locale: 'ar-SY', extraHTTPHeaders: { 'Accept-Language': 'ar-SY,ar;q=0.9' } });
const nurse = await nurseCtx.newPage();
watch(nurse);
current = nurse;

await step('J4 a nurse opens the recognition guide from the Wegweiser in Arabic', async () => {
  const res = await nurse.goto(`${base}/wegweiser?lang=ar`);
  assert(res.status() === 200, `/wegweiser?lang=ar answers ${res.status()}`);
  await follow(nurse, ar('guide-recognition-title'), { max: 150 });
  assert(path(nurse) === '/wegweiser/anerkennung', `expected /wegweiser/anerkennung, got ${nurse.url()}`);
  const { lang, dir: d } = await docLang(nurse);
  assert(lang === 'ar' && d === 'rtl', `the recognition guide is lang="${lang}" dir="${d}"`);
  assert((await h1(nurse)) === ar('guide-recognition-title'), `the heading is "${await h1(nurse)}"`);
  await audit(nurse, 'recognition guide (Arabic, phone)');
});

await step(`J4 types her profession in Arabic ("${NURSE}") and finds nursing, regulated`, async () => {
  const f = await fill(nurse, ar('guide-recognition-search'), NURSE);
  assert(f.id === 'beruf', `the profession field is ${describe(f)}`);
  await pressAndLoad(nurse, 'Enter');
  const url = new URL(nurse.url());
  assert(url.pathname === '/wegweiser/anerkennung' && url.searchParams.get('beruf') === NURSE, `the search ends on ${nurse.url()}`);
  const found = await nurse.evaluate(() => [...document.querySelectorAll('main ul.th-list > li')].map((li) => ({ href: li.querySelector('a')?.getAttribute('href'), text: li.innerText.replace(/\s+/g, ' ').trim() })));
  console.log(`     found: ${found.map((f) => f.text).join(' | ')}`);
  const nursing = found.find((f) => f.href === '/wegweiser/anerkennung/pflegefachkraft');
  assert(nursing, `nursing (pflegefachkraft) is not found for "${NURSE}": ${JSON.stringify(found)}`);
  assert(found[0] === nursing, `nursing is not the first match: ${found.map((f) => f.href).join(', ')}`);
  assert(nursing.text.includes('Pflegefach') && nursing.text.includes(ar('guide-recognition-regulated-short')), `the match reads "${nursing.text}"`);
  await audit(nurse, 'recognition search (Arabic, phone)');
});

await step('J4 opens nursing: regulated, the competent body in Lower Saxony, documents, fees, duration, the Jobcenter may pay', async () => {
  await followHref(nurse, '/wegweiser/anerkennung/pflegefachkraft', 'nursing');
  assert(path(nurse) === '/wegweiser/anerkennung/pflegefachkraft', `expected the nursing page, got ${nurse.url()}`);
  const { lang, dir: d } = await docLang(nurse);
  assert(lang === 'ar' && d === 'rtl', `the profession page is lang="${lang}" dir="${d}"`);
  const regulated = await section(nurse, ar('guide-recognition-regulated-q'));
  assert(regulated && regulated.includes(ar('guide-recognition-regulated')), `"${ar('guide-recognition-regulated-q')}" does not say "${ar('guide-recognition-regulated')}": ${regulated}`);
  const body = await section(nurse, ar('guide-recognition-body'));
  assert(body && body.includes('Niedersächsisches Landesamt für Soziales, Jugend und Familie'), `the competent body is not the Landesamt für Soziales, Jugend und Familie: ${body}`);
  const bodyLang = await nurse.evaluate(() => [...document.querySelectorAll('main [lang="de"]')].some((e) => e.textContent.includes('Niedersächsisches Landesamt')));
  assert(bodyLang, 'the German name of the body is not marked lang="de"');
  const docs = await nurse.evaluate((h) => {
    const h2 = [...document.querySelectorAll('main h2')].find((e) => e.textContent.trim() === h);
    const ul = h2 && h2.nextElementSibling;
    return ul && ul.tagName === 'UL' ? [...ul.querySelectorAll('li')].map((li) => li.textContent.trim()) : null;
  }, ar('guide-recognition-documents'));
  assert(docs && docs.includes(ar('rec-doc-qualification')) && docs.includes(ar('rec-doc-translations')) && docs.length >= 5,
    `the documents are not listed in Arabic: ${JSON.stringify(docs)}`);
  const fee = await fact(nurse, ar('guide-recognition-fee'));
  const duration = await fact(nurse, ar('guide-recognition-duration'));
  const payers = await fact(nurse, ar('guide-recognition-who-pays'));
  assert(fee && fee.text.length > 10, `no fees: ${JSON.stringify(fee)}`);
  assert(duration && /\d/.test(duration.text), `no duration: ${JSON.stringify(duration)}`);
  assert(payers && payers.text.includes('Jobcenter'), `the Jobcenter is not named among those who may pay: ${JSON.stringify(payers)}`);
  const german = [];
  for (const [k, f] of [['fees', fee], ['duration', duration], ['who may pay', payers]]) {
    assert(f.lang === 'ar' || f.lang === 'de', `the ${k} carry lang="${f.lang}"`);
    if (f.lang !== 'ar') german.push(`${k} ("${f.text.slice(0, 40)}…")`);
  }
  note(german.length === 0, `/wegweiser/anerkennung/pflegefachkraft in Arabic: ${german.join(', ')} are shown in German only (marked lang="de")`);
  console.log(`     ${plain(body.split('\n')[0])}; ${docs.length} documents; duration: ${duration.text.slice(0, 60)}…`);
  await audit(nurse, 'recognition: nursing (Arabic, phone)');
});

let counselling;
await step('J4 chooses Laatzen and shows counselling: a recognition counselling that speaks Arabic, with opening hours; the federal finder is linked', async () => {
  await choose(nurse, ar('guide-place'), 'laatzen', 'Laatzen', { max: 40 });
  await tabTo(nurse, button(ar('guide-show')), { what: `the button "${ar('guide-show')}"`, max: 3 });
  await pressAndLoad(nurse);
  const url = new URL(nurse.url());
  assert(url.pathname === '/wegweiser/anerkennung/pflegefachkraft' && url.searchParams.get('ort') === 'laatzen', `showing counselling ends on ${nurse.url()}`);
  const list = await results(nurse, 'beratung');
  assert(list && list.length > 0, `no counselling under "${ar('guide-recognition-counselling')}"`);
  counselling = list[0];
  console.log(`     ${list.length} services; first: "${counselling.name}", ${plain(counselling.where)}, ${counselling.langs.join(' ')}`);
  assert(counselling.langs.includes('ar'), `the first counselling does not speak Arabic: ${counselling.langs.join(', ')}`);
  assert(plain(counselling.where).includes('Laatzen'), `the first counselling is not in Laatzen: ${counselling.where}`);
  const today = [ar.pattern('guide-today'), ar.pattern('guide-open-now-until'), new RegExp(ar('guide-closed-today'))];
  assert(today.some((re) => re.test(plain(counselling.where))), `the first counselling shows no hours for today: ${counselling.where}`);
  const finder = await nurse.evaluate(() => [...document.querySelectorAll('main a')].filter((a) => a.href.startsWith('https://www.anerkennung-in-deutschland.de/')).map((a) => a.textContent.trim()));
  assert(finder.includes(ar('guide-recognition-finder')), `no link "${ar('guide-recognition-finder')}" to the federal Anerkennungs-Finder: ${JSON.stringify(finder)}`);
  await audit(nurse, 'recognition: nursing with counselling in Laatzen (Arabic, phone)');
});

await step('J4 opens that counselling: a recognition counselling in Arabic with its opening hours', async () => {
  await followHref(nurse, counselling.href, `the counselling "${counselling.name}"`);
  assert(path(nurse) === counselling.href, `expected ${counselling.href}, got ${nurse.url()}`);
  assert((await h1(nurse)) === counselling.name, `the heading is "${await h1(nurse)}"`);
  assert(/معادلة|الاعتراف/.test(counselling.name), `"${counselling.name}" is not a recognition counselling`);
  const h = await hours(nurse);
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((n) => ar(`weekday-${n}`));
  assert(h.length > 0 && h.every(([day, t]) => weekdays.includes(day) && /\d{2}:\d{2}/.test(t)), `the opening hours are not a table of weekdays: ${JSON.stringify(h)}`);
  console.log(`     hours: ${h.map(([day, t]) => `${day} ${plain(t)}`).join('; ')}`);
  await audit(nurse, 'service: recognition counselling (Arabic, phone)');
});

// ---------------- Journey 5 ----------------

const youthCtx = await browser.newContext({ ...PHONE, locale: 'de-DE', extraHTTPHeaders: { 'Accept-Language': 'de-DE,de;q=0.9' } });
const youth = await youthCtx.newPage();
watch(youth);
current = youth;

await step('J5 a 24-year-old opens "Nach dem Integrationskurs" from the Wegweiser (German, phone)', async () => {
  const res = await youth.goto(`${base}/wegweiser?lang=de`);
  assert(res.status() === 200, `/wegweiser?lang=de answers ${res.status()}`);
  assert((await docLang(youth)).lang === 'de', 'the Wegweiser is not in German');
  await audit(youth, 'Wegweiser (German, phone)');
  await follow(youth, de('guide-next-title'), { max: 150 });
  assert(path(youth) === '/wegweiser/nach-dem-kurs', `expected /wegweiser/nach-dem-kurs, got ${youth.url()}`);
  assert((await h1(youth)) === de('guide-next-title'), `the heading is "${await h1(youth)}"`);
  await audit(youth, 'next steps: the questions (German, phone)');
});

await step('J5 answers the four questions: B1, 24, a training place, Garbsen', async () => {
  const level = await choose(youth, de('guide-next-level'), 'b1', 'B1');
  assert(level.selected === de('next-level-b1'), `the level reads "${level.selected}"`);
  const age = await fill(youth, de('guide-next-age'), '24');
  assert(age.id === 'alter' && age.type === 'number', `the age field is ${describe(age)}`);
  const aim = await tick(youth, de('next-aim-training'), de('guide-next-aims'), `"${de('next-aim-training')}"`);
  assert(aim.id === 'ziel-training', `the aim ticked is ${describe(aim)}`);
  const place = await choose(youth, de('guide-place'), 'garbsen', 'Garbsen');
  assert(place.selected === 'Garbsen', `the place reads "${place.selected}"`);
  await tabTo(youth, button(de('guide-next-show')), { what: `the button "${de('guide-next-show')}"` });
  const res = await pressAndLoad(youth);
  const url = new URL(youth.url());
  const p = Object.fromEntries(url.searchParams);
  assert(res.status() === 200 && url.pathname === '/wegweiser/nach-dem-kurs', `the answers end on ${youth.url()} (${res.status()})`);
  assert(p.niveau === 'b1' && p.alter === '24' && url.searchParams.getAll('ziel').join() === 'training' && p.ort === 'garbsen', `the answers sent: ${url.search}`);
});

let courseHref;
await step('J5 gets the job-related German course B1 → B2, the youth migration service and the training step, each with offers in Garbsen', async () => {
  const heading = await youth.evaluate(() => document.getElementById('ergebnis')?.textContent.trim());
  assert(heading === de('guide-next-result'), `the result is headed "${heading}", expected "${de('guide-next-result')}"`);
  const steps = await youth.evaluate(() => [...document.querySelectorAll('main section.th-step')].map((s) => {
    const h = s.querySelector('h3');
    return {
      id: h.id,
      title: h.textContent.trim(),
      text: s.querySelector(':scope > p')?.textContent.trim(),
      offers: [...s.querySelectorAll('li.th-result')].map((li) => ({
        name: li.querySelector('a').textContent.trim(),
        href: li.querySelector('a').getAttribute('href'),
        where: li.querySelector(':scope > p')?.textContent.replace(/\s+/g, ' ').trim(),
        level: li.querySelector('h3, h4, h5')?.tagName,
      })),
      headingLevel: h.tagName,
    };
  }));
  const want = [['schritt-bsk-b2', 'next-step-bsk-b2-title'], ['schritt-jmd', 'next-step-jmd-title'], ['schritt-training', 'next-step-training-title']];
  assert(JSON.stringify(steps.map((s) => s.id)) === JSON.stringify(want.map((w) => w[0])), `the steps are ${steps.map((s) => s.id).join(', ')}, expected ${want.map((w) => w[0]).join(', ')}`);
  for (const [i, [, key]] of want.entries()) {
    const s = steps[i];
    assert(s.title === de(key), `step ${i + 1} is titled "${s.title}", expected "${de(key)}"`);
    const local = s.offers.filter((o) => o.where.includes('Garbsen'));
    console.log(`     ${s.title}: ${s.offers.length} offers, in Garbsen: ${local.map((o) => o.name).join('; ')}`);
    assert(local.length > 0, `"${s.title}" has no offer in Garbsen: ${JSON.stringify(s.offers)}`);
    assert(s.offers[0].where.includes('Garbsen'), `the first offer of "${s.title}" is not in Garbsen: ${JSON.stringify(s.offers[0])}`);
  }
  const [course, jmd, training] = steps;
  assert(/B1\s*(→|–|-|bis)\s*B2/.test(course.offers[0].name), `the first offer of "${course.title}" is not a B1 → B2 course: ${course.offers[0].name}`);
  assert(jmd.offers[0].name.includes('Jugendmigrationsdienst'), `the first offer of "${jmd.title}" is "${jmd.offers[0].name}"`);
  assert(training.offers.some((o) => o.where.includes('Garbsen') && /Ausbildung/.test(o.name)), `"${training.title}" lists no training offer in Garbsen: ${training.offers.map((o) => o.name).join('; ')}`);
  const offLevel = course.offers.filter((o) => /B2\s*(→|–|-|bis)\s*C1|A2\s*(→|–|-|bis)\s*B1/.test(o.name));
  note(offLevel.length === 0, `/wegweiser/nach-dem-kurs (B1, 24, training, Garbsen): the step "${course.title}" also lists courses of another level: ${offLevel.map((o) => `"${o.name}" (${o.where})`).join('; ')}`);
  const nested = steps.every((s) => s.offers.every((o) => o.level > s.headingLevel));
  note(nested, `/wegweiser/nach-dem-kurs results: the offers of a step are headed <${steps[0].offers[0]?.level.toLowerCase()}>, the same level as the step's own heading <${steps[0].headingLevel.toLowerCase()}> (the outline does not show that they belong to the step; WCAG 1.3.1)`);
  assert(!steps.some((s) => s.id === 'schritt-mbe'), 'a 24-year-old is sent to the migration counselling for adults (from 27)');
  courseHref = course.offers[0].href;
  await audit(youth, 'next steps: the answer (German, phone)');
});

await step('J5 opens the B1 → B2 course in Garbsen', async () => {
  await followHref(youth, courseHref, 'the B1 → B2 course');
  assert(path(youth) === courseHref, `expected ${courseHref}, got ${youth.url()}`);
  const where = await section(youth, de('guide-where'));
  assert(where && where.includes('Garbsen'), `the course is not in Garbsen: ${where}`);
  await audit(youth, 'service: job-related German course (German, phone)');
});

// ---------------- Journey 9 ----------------

const LEAD = { email: 'teamleitung.auslaenderbehoerde@region-hannover.example', password: 'Sprachen-im-Amt' };
const DARI = { email: 'dari.sprachmittlung@region-hannover.example', password: 'Sprachen-im-Amt' };
const UNIT = 'Ausländerbehörde der Region Hannover';
const PLACE = 'Ausländerbehörde, Vahrenwalder Straße 245, Raum 1.12';
const NOTE = 'Verlängerung der Aufenthaltserlaubnis, Klientin spricht nur Dari';

/** Next Tuesday (never today) in Europe/Berlin, as the parts of a date. */
function nextTuesday() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })
    .formatToParts(new Date()).map((p) => [p.type, p.value]));
  const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
  const ahead = ((2 - dow + 7) % 7) || 7;
  const d = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + ahead));
  const two = (n) => String(n).padStart(2, '0');
  return { y: String(d.getUTCFullYear()), mo: two(d.getUTCMonth() + 1), d: two(d.getUTCDate()), h: '10', mi: '00' };
}
const WHEN = nextTuesday();
const WHEN_DE = `${WHEN.d}.${WHEN.mo}.${WHEN.y}, ${WHEN.h}:${WHEN.mi}`;

/** The items of the <ul> after an <h2> (by its text). */
const listAfter = (page, heading) => page.evaluate((heading) => {
  const h = [...document.querySelectorAll('main h2')].find((e) => e.textContent.replace(/\s+/g, ' ').trim() === heading);
  let el = h && h.nextElementSibling;
  while (el && !['UL', 'H2'].includes(el.tagName)) el = el.nextElementSibling;
  return el && el.tagName === 'UL' ? [...el.children].map((li) => li.innerText.replace(/\s+/g, ' ').trim()) : null;
}, heading);

const leadCtx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
const lead = await leadCtx.newPage();
watch(lead);
current = lead;

await step('J9 the team lead of the foreigners\' office signs in with e-mail and password (no second factor)', async () => {
  await lead.goto(`${base}/`);
  await audit(lead, 'home (visitor)');
  await follow(lead, de('nav-login'));
  assert(path(lead) === '/anmelden', `expected /anmelden, got ${lead.url()}`);
  await audit(lead, 'sign-in');
  await signIn(lead, LEAD.email, LEAD.password);
  assert(!path(lead).includes('zweiter-faktor'), 'the team lead is asked for a second factor');
  await audit(lead, `signed in as team lead (${path(lead)})`);
});

await step('J9 follows "Sprachen im Amt" in the main navigation: her team\'s languages', async () => {
  await follow(lead, de('admin-staff-nav'));
  assert(path(lead) === '/amt/sprachen', `expected /amt/sprachen, got ${lead.url()}`);
  assert((await h1(lead)) === de('admin-staff-mine'), `the heading is "${await h1(lead)}"`);
  assert((await mainText(lead)).includes(UNIT), `the page does not name "${UNIT}"`);
  await audit(lead, 'my languages (team lead)');
});

await step('J9 "Sprachabdeckung": Dari and Tigrinya in demand and nobody on the team, Arabic carried by one person (Rami Haddad)', async () => {
  await follow(lead, de('admin-staff-coverage'));
  assert(path(lead) === '/amt/sprachen/abdeckung', `expected /amt/sprachen/abdeckung, got ${lead.url()}`);
  const gaps = await listAfter(lead, de('admin-staff-gaps'));
  assert(gaps, `no list under "${de('admin-staff-gaps')}"`);
  const gapRe = de.pattern('admin-staff-gap-line', { unit: UNIT }, { whole: true });
  const ours = gaps.map((g) => g.match(gapRe)?.groups).filter(Boolean);
  for (const language of ['Dari', 'Tigrinya']) {
    const g = ours.find((o) => o.language.startsWith(language));
    assert(g && Number(g.count) > 0, `"${de('admin-staff-gaps')}" does not list ${language} at ${UNIT}: ${JSON.stringify(gaps.slice(0, 6))}`);
    console.log(`     gap: ${gaps.find((l) => l.startsWith(g.language) && l.includes(UNIT))}`);
  }
  const singles = await listAfter(lead, de('admin-staff-singles'));
  const singleRe = de.pattern('admin-staff-single-line', { unit: UNIT }, { whole: true });
  const arabic = (singles || []).map((l) => l.match(singleRe)?.groups).find((g) => g && g.language.startsWith('Arabisch'));
  assert(arabic, `"${de('admin-staff-singles')}" does not list Arabic at ${UNIT}: ${JSON.stringify(singles)}`);
  const table = await lead.evaluate(() => {
    const t = document.querySelector('main table');
    if (!t) return null;
    const cells = (tr) => [...tr.children].map((c) => c.innerText.replace(/\s+/g, ' ').trim());
    return { name: t.getAttribute('aria-labelledby') ? document.getElementById(t.getAttribute('aria-labelledby'))?.textContent.trim() : t.caption?.textContent.trim(),
      head: cells(t.tHead.rows[0]), rows: [...t.tBodies[0].rows].map(cells) };
  });
  assert(table && table.name === de('admin-staff-table'), `no table "${de('admin-staff-table')}"`);
  const col = (k) => table.head.indexOf(de(k));
  const row = table.rows.find((r) => r[0].startsWith('Arabisch') && r[col('admin-staff-unit')].startsWith(UNIT));
  assert(row && row[col('admin-staff-speakers')].includes('Rami Haddad') && row[col('admin-staff-status')] === de('admin-staff-cover-single'),
    `the table's Arabic row at ${UNIT} does not name Rami Haddad as the one person: ${JSON.stringify(row)}`);
  for (const language of ['Dari', 'Tigrinya']) {
    const r = table.rows.find((r) => r[0].startsWith(language) && r[col('admin-staff-unit')].startsWith(UNIT));
    assert(r && r[col('admin-staff-speakers')] === '0' && r[col('admin-staff-status')] === de('admin-staff-cover-gap'), `the table's ${language} row at ${UNIT}: ${JSON.stringify(r)}`);
  }
  console.log(`     Arabic at ${UNIT}: ${row[col('admin-staff-recent')]} requests in 3 months, ${row[col('admin-staff-speakers')]}`);
  const csvLink = await tabTo(lead, (d) => d.tag === 'a' && d.name === de('admin-staff-csv'), { what: 'the CSV link', max: 150 });
  const csv = await leadCtx.request.get(new URL(csvLink.href, base).href);
  const csvText = (await csv.text()).replace(/^\uFEFF/, '');
  assert(csv.status() === 200 && /text\/csv/.test(csv.headers()['content-type'] || ''), `the CSV answers ${csv.status()} ${csv.headers()['content-type']}`);
  const [csvHead, ...csvRows] = csvText.trim().split(/\r?\n/).map((l) => l.split(';'));
  const c = (name) => csvHead.indexOf(name);
  assert(c(de('admin-staff-unit')) >= 0 && c(de('admin-staff-language')) >= 0 && c(de('admin-staff-status')) >= 0, `the CSV's columns: ${csvHead.join(';')}`);
  const codes = [];
  for (const [language, code] of [['Dari', 'prs'], ['Tigrinya', 'ti']]) {
    const r = csvRows.find((r) => r[c(de('admin-staff-unit'))] === UNIT && [code, language].some((v) => r[c(de('admin-staff-language'))].startsWith(v)));
    assert(r && r[c(de('admin-staff-status'))] === de('admin-staff-cover-gap'), `the CSV has no gap for ${language} at ${UNIT}: ${JSON.stringify(r)}`);
    if (r[c(de('admin-staff-language'))].startsWith(code)) codes.push(`"${code}" for ${language}, "${r[c(de('admin-staff-municipality'))]}" for the place`);
  }
  note(codes.length === 0, `/amt/sprachen/abdeckung.csv gives codes and keys where the page gives names: ${codes.join('; ')}`);
  await audit(lead, 'language coverage (team lead)');
});

let mail;
const seenNote = []; // [where, text] of the places the booking's note should show up
await step(`J9 books an interpreter for Dari on Tuesday ${WHEN_DE} (Europe/Berlin): one colleague is asked`, async () => {
  await follow(lead, de('admin-staff-interpreting'), { back: true, max: 200 });
  assert(path(lead) === '/amt/dolmetschen', `expected /amt/dolmetschen, got ${lead.url()}`);
  await audit(lead, 'interpreting (team lead)');
  const lang = await choose(lead, de('admin-staff-language'), 'prs', 'Dari');
  assert(lang.selected.startsWith('Dari'), `the language reads "${lang.selected}"`);
  const when = await tabTo(lead, (d) => d.id === 'starts_at', { what: 'the date and time', max: 2 });
  assert(when.type === 'datetime-local' && when.name === de('admin-staff-when'), `the date field is ${describe(when)}`);
  const order = await typeDateTime(lead, 'starts_at', WHEN);
  console.log(`     typed ${WHEN_DE} as ${order}, hours and minutes`);
  await fill(lead, de('admin-staff-minutes'), '60', { max: 4 });
  await fill(lead, de('admin-staff-place'), PLACE);
  await fill(lead, /^Hinweis/, NOTE);
  await tabTo(lead, button(de('admin-staff-book-submit')), { what: 'the send button' });
  const res = await pressAndLoad(lead);
  assert(res.status() === 200 && path(lead) === '/amt/dolmetschen', `the booking ends on ${lead.url()} (${res.status()}): ${(await mainText(lead)).slice(0, 300)}`);
  const notice = plain(await lead.locator('main [role=status]').first().innerText());
  // The message is a plural selection; the singular variant is expected for one colleague.
  assert(notice === 'Anfrage gesendet an 1 Kollegin oder Kollegen.', `the notice reads "${notice}", expected the singular for one colleague`);
  const ours = await listAfter(lead, de('admin-staff-ours'));
  const mine = ours && ours.find((l) => l.startsWith('Dari') && l.includes(WHEN_DE));
  assert(mine && mine.includes(PLACE) && mine.includes(de('admin-staff-request-open')), `"${de('admin-staff-ours')}" does not list the request as open: ${JSON.stringify(ours)}`);
  console.log(`     ${notice} — ${mine}`);
  seenNote.push(['the team lead\'s list', await mainText(lead)]);
  await audit(lead, 'interpreting after booking (team lead)');
  [mail] = await smtp.waitFor((m) => m.to[0] === DARI.email, 1, MAIL_TIMEOUT_MS, `e-mails to ${DARI.email}`);
  assert(de.pattern('admin-staff-mail-subject', {}, { whole: true }).test(mail.subject) && mail.subject.includes('Dari'), `the e-mail's subject is "${mail.subject}"`);
  const body = mail.body.replace(/\r\n/g, '\n');
  assert(body.includes(UNIT) && body.includes(PLACE), `the e-mail does not name the team and the place:\n${body}`);
  assert(body.includes(`${WHEN.y}-${WHEN.mo}-${WHEN.d} 10:00`) || body.includes(WHEN_DE), `the e-mail does not give the time ${WHEN_DE}:\n${body}`);
  assert(body.includes(`${publicUrl}/amt/dolmetschen`), `the e-mail has no link to ${publicUrl}/amt/dolmetschen:\n${body}`);
  const others = smtp.messages.filter((m) => m.subject === mail.subject && m.to[0] !== DARI.email);
  assert(others.length === 0, `the request also went to ${others.map((m) => m.to[0]).join(', ')}`);
  console.log(`     e-mail to ${DARI.email}: "${mail.subject}"`);
});

const dariCtx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
const dari = await dariCtx.newPage();
watch(dari);

await step('J9 the Dari-speaking colleague opens the link of the e-mail, signs in and takes the request', async () => {
  current = dari;
  const href = mail.body.match(/https?:\/\/\S+\/amt\/dolmetschen\S*/)[0];
  await dari.goto(href);
  assert(path(dari) === '/anmelden', `the link asks no sign-in: ${dari.url()}`);
  await signIn(dari, DARI.email, DARI.password);
  assert(path(dari) === '/amt/dolmetschen', `after signing in, the colleague is on ${dari.url()}, not back at /amt/dolmetschen`);
  const forMe = await listAfter(dari, de('admin-staff-for-me'));
  const req = forMe && forMe.find((l) => l.startsWith('Dari') && l.includes(WHEN_DE));
  assert(req && req.includes(UNIT) && req.includes(PLACE), `"${de('admin-staff-for-me')}" does not list the request: ${JSON.stringify(forMe)}`);
  console.log(`     ${req}`);
  seenNote.push(['the colleague\'s list', await mainText(dari)]);
  await audit(dari, 'interpreting: a request in her languages (staff)');
  // The button's accessible name says which request it takes ("Übernehmen: Dari … · 01.12.2026, 10:00").
  const acceptName = new RegExp(`^${de('admin-staff-accept')}: .*Dari.*`);
  const take = await tabTo(dari, button(acceptName), { what: `the button "${de('admin-staff-accept')}" of the Dari request`, max: 150 });
  assert(/\/amt\/dolmetschen\/\d+\/uebernehmen$/.test(take.form), `the button posts to ${take.form}`);
  await pressAndLoad(dari);
  const notice = plain(await dari.locator('main [role=status]').first().innerText());
  assert(notice === de('admin-staff-accepted'), `the notice reads "${notice}", expected "${de('admin-staff-accepted')}"`);
  const after = await listAfter(dari, de('admin-staff-for-me'));
  assert(!after || !after.some((l) => l.includes(WHEN_DE)), `the request is still offered: ${JSON.stringify(after)}`);
  await audit(dari, 'interpreting after taking a request (staff)');
});

await step('J9 the team lead sees the request as "zugesagt"', async () => {
  current = lead;
  await follow(lead, de('admin-staff-interpreting'), { max: 200 });
  const ours = await listAfter(lead, de('admin-staff-ours'));
  const mine = ours && ours.find((l) => l.startsWith('Dari') && l.includes(WHEN_DE));
  assert(mine && mine.includes(de('admin-staff-request-accepted')), `the request is not "${de('admin-staff-request-accepted')}": ${JSON.stringify(ours)}`);
  console.log(`     ${mine}`);
  note(/Farid|Ahmadi/.test(mine), `/amt/dolmetschen (team lead): an accepted request does not say who takes it ("${mine}")`);
  await audit(lead, 'interpreting with an accepted request (team lead)');
});

await step('J9 the note of the booking reaches the interpreter (in the e-mail or in her list)', async () => {
  current = null;
  const where = [['the e-mail', mail.body], ...seenNote].filter(([, text]) => text.includes(NOTE)).map(([w]) => w);
  assert(where.includes('the e-mail') || where.includes('the colleague\'s list'),
    `the note "${NOTE}" typed into "${de('admin-staff-note')}" on /amt/dolmetschen is not shown to the interpreter: not in the e-mail to ${DARI.email}, not in her list "${de('admin-staff-for-me')}"${where.length ? `; only in ${where.join(', ')}` : ' (nor in the team lead\'s list)'}`);
});

// ---------------- all journeys ----------------

await step('no page asked another host for anything, no script errors', async () => {
  assert(external.length === 0, external.slice(0, 5).join(', '));
});

await step('J3 the sheet prints on one A4 page, without the navigation and the links of the screen', async () => {
  current = null;
  assert(printed.shown.length === 0, `printing ${servicePath}/blatt also prints ${printed.shown.join(', ')}`);
  assert(printed.pages === 1, `the "one-page" sheet ${servicePath}/blatt prints on ${printed.pages} A4 pages`);
});

await step('on the phone, every page reflows to the screen\'s width (no sideways scrolling, WCAG 1.4.10)', async () => {
  assert(reflow.length === 0, reflow.join('\n'));
});

await step('every element passed while tabbing was visible and showed a focus indicator', async () => {
  const lines = [...keyboardFindings].map(([k, n]) => `${k}${n > 1 ? ` (${n}×)` : ''}`);
  assert(lines.length === 0, lines.join('\n'));
});

clearTimeout(budget);
for (const n of notes) console.log(`note product problem: ${n}`);
await cleanup(true);
const w = (label) => `${label} ${kb(weights[label].repeat.total)} (reload ${kb(weights[label].reload.total)})`;
console.log(`journeys-guide: ${stepNo} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${audited.size} pages checked with axe-core, ${smtp.messages.length} e-mails received; repeat visits: ${w('service page')}, ${w('sheet')})`);
process.exit(0);
