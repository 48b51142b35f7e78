// Browser checks: every HTML page taken from the router, opened in headless Chromium (Debian's
// package) in German and Arabic, as a visitor and as the demo coordinator, is checked with
// axe-core (WCAG 2.1 A/AA and best practices) and must have zero violations. Each page's
// landmark and heading outline is compared with a committed snapshot (UPDATE_SNAPSHOTS=1
// rewrites them). Pages for people with an account are also checked as the demo's organisation
// member. Then journey 10: a second tenant added with one command shows nothing of
// Region Hannover. Usage: node tests/browser/run.mjs path/to/teilhabe
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { here, COORDINATOR, totp, startServer, launchChromium, axeViolations } from './lib.mjs';

const bin = process.argv[2] || 'target/debug/teilhabe';
const dir = mkdtempSync(join(tmpdir(), 'teilhabe-browser-'));
const db = `sqlite://${join(dir, 'site.db')}`;
const SECOND_HOST = 'zweite-stadt.example';
// The demo's member of the parents' association in Garbsen (crates/demo, MEMBER_PASSWORD).
const MEMBER = { email: 'kontakt361@deutsch-tuerkischer-elternverein-garbsen-west.example', password: 'Elternverein-Garbsen-West' };
let passed = 0, failed = 0;
const failures = [];

function check(name, ok, detail = '') {
  if (ok) { passed++; } else { failed++; failures.push(`${name}${detail ? ': ' + detail : ''}`); }
}

async function outline(page) {
  return page.evaluate(() => {
    const name = (el) => (el.getAttribute('aria-label') || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80);
    const items = [];
    for (const el of document.querySelectorAll('header, nav, main, footer, aside, [role=search], h1, h2, h3, h4, h5, h6')) {
      const tag = el.tagName.toLowerCase();
      if (/^h[1-6]$/.test(tag)) items.push(`${tag} ${name(el)}`);
      else if (tag === 'nav') items.push(`navigation "${el.getAttribute('aria-label') || ''}"`);
      else if (tag === 'header' && !el.closest('main, article, section')) items.push('banner');
      else if (tag === 'footer' && !el.closest('main, article, section')) items.push('contentinfo');
      else if (tag === 'main') items.push('main');
    }
    return { lang: document.documentElement.lang, dir: document.documentElement.dir, outline: items };
  });
}

async function audit(page, label, snapshots) {
  const result = await axeViolations(page);
  check(`axe ${label}`, result.length === 0, result.join('; '));
  snapshots[label] = await outline(page);
}

// Each sign-in uses a fresh TOTP time step (a code works once): the n-th sign-in uses the code
// of the step n-1 ahead, which the server accepts as clock skew.
let signIns = 0;
async function signIn(page, base) {
  await page.goto(`${base}/anmelden`);
  await page.fill('#email', COORDINATOR.email);
  await page.fill('#password', COORDINATOR.password);
  await Promise.all([page.waitForNavigation(), page.click('form.th-form button[type=submit]')]);
  await page.fill('#code', totp(COORDINATOR.totpSecret, Date.now() + 30_000 * signIns++));
  await Promise.all([page.waitForNavigation(), page.click('form.th-form button[type=submit]')]);
  check('coordinator signs in with the second factor', !page.url().includes('/anmelden'), page.url());
}

const routes = JSON.parse(execFileSync(bin, ['routes'], { encoding: 'utf8' }));
const pages = routes.filter((r) => r.page && r.method === 'GET');
const publicPages = pages.filter((r) => r.access === 'Public');
const signedInPages = pages.filter((r) => r.access !== 'Public');

const { stop, base } = await startServer({ bin, db });
const port = new URL(base).port;
const browser = await launchChromium([`--host-resolver-rules=MAP ${SECOND_HOST} 127.0.0.1`]);
const snapshots = {};
try {
  for (const locale of ['de', 'ar']) {
    const ctx = await browser.newContext({ locale, bypassCSP: true });
    const page = await ctx.newPage();
    const external = [];
    page.on('request', (r) => { const u = new URL(r.url()); if (!['127.0.0.1', SECOND_HOST].includes(u.hostname) && u.protocol !== 'data:') external.push(r.url()); });
    for (const r of publicPages) {
      await page.goto(base + r.example);
      await audit(page, `${locale} visitor ${r.example}`, snapshots);
    }
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    if (locale === 'ar') check('Arabic pages are right to left', html.includes('dir="rtl"'));
    // The coordinator's pages, with a draft open.
    await signIn(page, base);
    if (locale === 'de') {
      await page.goto(`${base}/verwaltung`);
      await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    }
    for (const r of signedInPages) {
      await page.goto(base + r.example);
      await audit(page, `${locale} coordinator ${r.example}`, snapshots);
    }
    check(`no request to another host (${locale})`, external.length === 0, external.join(', '));
    // The pages of a person with an account: the demo's member of the parents' association.
    const member = await browser.newContext({ locale, bypassCSP: true });
    const mp = await member.newPage();
    await mp.goto(`${base}/anmelden`);
    await mp.fill('#email', MEMBER.email);
    await mp.fill('#password', MEMBER.password);
    await Promise.all([mp.waitForNavigation(), mp.click('form.th-form button[type=submit]')]);
    check('the demo member signs in', !mp.url().includes('/anmelden'), mp.url());
    for (const r of signedInPages.filter((r) => r.access === 'Account')) {
      const res = await mp.goto(base + r.example);
      check(`member ${r.example} answers`, res.status() === 200, String(res.status()));
      await audit(mp, `${locale} member ${r.example}`, snapshots);
    }
    await member.close();
    // 320 px wide: nothing scrolls sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${base}/konzept`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(`no horizontal scrolling at 320 px (${locale})`, overflow <= 0, `${overflow}px`);
    await ctx.close();
  }

  // Journey 10: another region with one command; nothing of Region Hannover is visible there.
  execFileSync(bin, ['--database', db, 'tenant', 'add', '--host', SECOND_HOST, '--name', 'Zweite Stadt']);
  const ctx = await browser.newContext({ locale: 'de', bypassCSP: true });
  const page = await ctx.newPage();
  const second = `http://${SECOND_HOST}:${port}`;
  for (const r of publicPages) {
    const res = await page.goto(second + r.example);
    const text = await page.evaluate(() => document.body.innerText);
    check(`second tenant ${r.example} shows nothing of Hannover`, !/Hannover|Vielfalt und Zusammenhalt|Willkommenskultur/.test(text), text.slice(0, 120));
    check(`second tenant ${r.example} answers`, res.status() < 500, String(res.status()));
  }
  const title = await (await page.goto(second + '/')).text();
  check('second tenant is named', title.includes('Zweite Stadt'));
  await ctx.close();
} finally {
  await browser.close();
  await stop();
}

const file = join(here, 'snapshots', 'outlines.json');
const text = JSON.stringify(snapshots, null, 2) + '\n';
if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) writeFileSync(file, text);
check('page outlines match the snapshot (UPDATE_SNAPSHOTS=1 to accept)', readFileSync(file, 'utf8') === text);
rmSync(dir, { recursive: true, force: true });

for (const f of failures) console.log(`FAIL ${f}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
