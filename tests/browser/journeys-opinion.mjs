// Journey 6 of /work/shared/JOURNEYS.md end to end, by keyboard alone, in headless Chromium
// against `teilhabe serve --demo` on a fresh SQLite database.
//
//   6. During the consultation, 3,000 residents vote on statements about "Willkommenskultur";
//      the public and the coordinator see three opinion groups, what each stands for, and the
//      statements all groups agree on, updated within seconds of each vote.
//
// A resident opens the demo's opinion map (/meinungsbild/1) in German: three groups (A, B, C)
// described in words whose sizes add up to the clustered participants, at least one statement
// all agree on, a picture with a description; the same page in Arabic (right to left). She
// votes on five statements (Tab to a button, Enter or Space): each time the next statement is
// one she has not seen and the progress counts up; the map's stored result (the JSON API) then
// counts her as participant 3,001 with her five votes, and the time from her last key press to
// that result is measured and printed. She writes a statement of her own: it waits for the
// coordinator and is not offered for voting. The coordinator signs in (password and TOTP),
// opens the conversation's moderation page, finds the statement in the queue and accepts it.
// Back on the map, the resident votes until the accepted statement comes up and agrees with
// it; the map counts that vote.
//
// Only page.keyboard drives the pages (Tab, Enter, Space, typing); page.goto is used for the
// first page of each person (and for a page that no link leads to, which is reported), the
// browser's reload for coming back to a page. Every distinct page is checked with axe-core.
// The JSON API is read (not driven) to see what the live computation stored. Prints one line
// per step; product problems that do not break the journey are printed as notes at the end;
// exits 1 with the reason on the first failure.
//
// Usage: node tests/browser/journeys-opinion.mjs [path/to/teilhabe]
// (JOURNEYS_SAVE_PAGES=DIR keeps the HTML of every page checked with axe-core in DIR.)
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COORDINATOR, root, totp, startServer, launchChromium, axeViolations, focused, describe,
  tabTo, button, field, pressAndLoad, follow, fill, keyboardFindings, ftl,
} from './lib.mjs';

const bin = process.argv[2] || join(root, 'target/debug/teilhabe');
const TOTAL_BUDGET_MS = 90_000;
/** The issue asks for an updated map within 2 s at this size; a loaded CI machine gets 5 s. */
const UPDATE_LIMIT_MS = 5_000;
const UPDATE_GOAL_MS = 2_000;
const CONVERSATION = 1;
const RESIDENTS = 3_000;
const STATEMENT = 'Busfahrpläne sollten auch auf Arabisch und Türkisch aushängen.';

if (!existsSync(bin)) {
  console.error(`journeys-opinion: no binary at ${bin}; build it first with: cargo build -p teilhabe`);
  process.exit(2);
}

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'teilhabe-journeys-opinion-'));
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
  // A second failure (the budget ran out while a step ran, or a step fails because the first
  // failure closed the browser) waits for the first to end the process.
  if (failing) return new Promise(() => {});
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
  console.log(`journeys-opinion: FAILED at step ${stepNo} after ${((Date.now() - started) / 1000).toFixed(1)} s (database and pages kept in ${dir})`);
  process.exit(1);
}

async function cleanup(removeDir) {
  for (const c of cleanups.reverse()) { try { await c(); } catch { /* already down */ } }
  cleanups.length = 0;
  if (removeDir) rmSync(dir, { recursive: true, force: true });
}

process.on('unhandledRejection', (e) => fail(e));
process.on('SIGINT', async () => { console.log('journeys-opinion: interrupted'); await cleanup(false); process.exit(130); });
const budget = setTimeout(() => fail(new Error(`the journey took longer than ${TOTAL_BUDGET_MS / 1000} s`)), TOTAL_BUDGET_MS);

function assert(ok, msg) { if (!ok) throw new Error(msg); }
/** Without the bidi isolation marks (U+2066–U+2069) the product puts around placeables. */
const plain = (s) => String(s ?? '').replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
/** A number as the page writes it (Latin or Arabic-Indic digits, any grouping). */
const num = (s) => Number(plain(s).replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660)).replace(/[^0-9]/g, ''));
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- product problems that do not break the journey: printed at the end ----

const notes = [];
/** Records a product problem found on the way that the journey survives (printed at the end). */
function note(ok, what) { if (!ok && !notes.includes(what)) notes.push(what); }

// ---- what the pages show (reading is free; only driving is restricted to the keyboard) ----

const mainText = (page) => page.evaluate(() => document.querySelector('main').innerText.replace(/[ \t]+/g, ' '));
const path = (page) => new URL(page.url()).pathname;

/**
 * The conversation page as a reader takes it in: the voting part (progress, the statement
 * offered and its number) and the map (the summary, the picture's name and description, the
 * groups with their headings and statements, the consensus, the table's rows).
 */
const opinionPage = (page, consensusHeading) => page.evaluate((consensusHeading) => {
  const clean = (s) => (s || '').replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  const vote = document.querySelector('section[aria-labelledby=abstimmen]');
  const form = vote && vote.querySelector('form[action$="/abstimmen"]');
  const map = document.querySelector('section[aria-labelledby=karte]');
  const svg = map && map.querySelector('svg');
  const byIds = (ids) => clean((ids || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' '));
  const consensus = map && [...map.querySelectorAll('h3')].find((h) => clean(h.textContent) === consensusHeading);
  let list = consensus && consensus.nextElementSibling;
  while (list && !['UL', 'P', 'H3', 'DETAILS'].includes(list.tagName)) list = list.nextElementSibling;
  return {
    lang: document.documentElement.lang,
    dir: document.documentElement.dir,
    h1: clean(document.querySelector('main h1')?.textContent),
    h1lang: document.querySelector('main h1')?.getAttribute('lang'),
    progress: clean(vote?.querySelector('p[role=status]')?.textContent),
    statement: form ? { num: form.querySelector('input[name=statement]').value, text: clean(form.querySelector('blockquote')?.textContent), lang: form.querySelector('blockquote')?.getAttribute('lang') } : null,
    noStatement: vote && !form ? clean([...vote.querySelectorAll('p')].map((p) => p.textContent).join(' ')) : null,
    summary: clean(map?.querySelector(':scope > p')?.textContent),
    svg: svg ? { role: svg.getAttribute('role'), name: byIds(svg.getAttribute('aria-labelledby')), title: clean(svg.querySelector('title')?.textContent), desc: clean(svg.querySelector('desc')?.textContent) } : null,
    groups: map ? [...map.querySelectorAll('section.th-group')].map((g) => ({
      heading: clean(g.querySelector('h3')?.textContent),
      statements: [...g.querySelectorAll('li')].map((li) => clean(li.textContent)),
    })) : [],
    consensus: consensus ? (list && list.tagName === 'UL' ? [...list.children].map((li) => clean(li.textContent)) : []) : null,
    table: map ? [...map.querySelectorAll('details table tbody tr')].map((tr) => [...tr.children].map((c) => clean(c.textContent))) : [],
  };
}, consensusHeading);

/**
 * Checks the map part of the page in locale `t`: the groups are A, B, C in words with sizes
 * that add up to the clustered participants, at least one statement all agree on, a picture
 * with a description. Returns { groups: [{ letter, count, percent }], people }.
 */
function checkMap(p, t, label) {
  // "3000 Teilnehmende bilden 3 Meinungsgruppen. Gruppe A: 811 Teilnehmende (27 %). …"
  const sum = p.summary.match(new RegExp(`^${t.pattern('opinion-map-summary').source}`));
  assert(sum, `${label}: the map's summary reads "${p.summary}", not "${t('opinion-map-summary')}"`);
  const people = num(sum.groups.people);
  assert(num(sum.groups.count) === p.groups.length, `${label}: the summary names ${sum.groups.count} groups, the page has ${p.groups.length}`);
  const headingRe = t.pattern('opinion-group-heading', {}, { whole: true });
  const groups = p.groups.map((g) => {
    const m = g.heading.match(headingRe);
    assert(m, `${label}: a group's heading reads "${g.heading}", not "${t('opinion-group-heading')}"`);
    return { letter: m.groups.letter, count: num(m.groups.count), percent: num(m.groups.percent), statements: g.statements };
  });
  assert(groups.map((g) => g.letter).join('') === 'ABC', `${label}: the groups are ${groups.map((g) => g.letter).join(', ') || 'none'}, expected A, B, C`);
  for (const g of groups) {
    assert(g.statements.length > 0, `${label}: group ${g.letter} does not say what it stands for (no statements)`);
    assert(g.statements.every((s) => t.pattern('opinion-rep-agree').test(s) || t.pattern('opinion-rep-disagree').test(s)),
      `${label}: group ${g.letter}'s statements do not say how many agree or disagree: ${JSON.stringify(g.statements)}`);
  }
  const total = groups.reduce((a, g) => a + g.count, 0);
  assert(total === people, `${label}: the groups' sizes ${groups.map((g) => g.count).join(' + ')} = ${total} do not add up to the ${people} participants of the summary`);
  const pct = groups.reduce((a, g) => a + g.percent, 0);
  assert(pct >= 98 && pct <= 102, `${label}: the groups' shares add up to ${pct} %`);
  assert(p.consensus, `${label}: no heading "${t('opinion-consensus-heading')}"`);
  const agreed = p.consensus.filter((c) => c.startsWith(t('opinion-consensus-agree')));
  assert(agreed.length >= 1, `${label}: "${t('opinion-consensus-heading')}" lists no "${t('opinion-consensus-agree')}": ${JSON.stringify(p.consensus)}`);
  assert(p.svg && p.svg.role === 'img', `${label}: the map's picture is not an image with a name: ${JSON.stringify(p.svg)}`);
  assert(p.svg.title === t('opinion-map-title') && p.svg.desc.length > 0 && p.svg.name.includes(p.svg.desc),
    `${label}: the picture's name and description: ${JSON.stringify(p.svg)}`);
  for (const g of groups) {
    assert(p.svg.desc.includes(plain(t('opinion-group-name', { letter: g.letter }))), `${label}: the picture's description does not mention group ${g.letter}: "${p.svg.desc}"`);
  }
  assert(p.table.length > 0, `${label}: the table of all statements is empty`);
  return { groups, people, agreed };
}

/** "Sie haben über N von M Aussagen abgestimmt." as { count, total }. */
function progressOf(p, t = de) {
  const m = p.progress.match(t.pattern('opinion-progress', {}, { whole: true }));
  assert(m, `the progress reads "${p.progress}", not "${t('opinion-progress')}"`);
  return { count: num(m.groups.count), total: num(m.groups.total) };
}

// ---- the JSON API: what the live computation stored ----

let sawFirst500 = false;
async function conversation({ firstComputation = false } = {}) {
  const r = await fetch(`${base}/api/v1/conversations/${CONVERSATION}`, { headers: { accept: 'application/json' } });
  if (firstComputation && r.status === 500) {
    // While a node computes a conversation for the first time, op_results holds its claim: a
    // row with seq -1 and an empty analysis, which store::result parses (and fails on).
    if (!sawFirst500) {
      sawFirst500 = true;
      const page = await fetch(`${base}/meinungsbild/${CONVERSATION}`);
      note(false, `GET /api/v1/conversations/${CONVERSATION} answers 500 ("EOF while parsing a value") while the node computes the conversation's first map${page.status === 500 ? `, and so does the public page /meinungsbild/${CONVERSATION}` : ''}: th_opinion::store::claim inserts the op_results row with seq -1 and analysis '' before computing, and store::result parses that empty analysis instead of treating the row as "no result yet" (every conversation has this window before its first result: a new one, the demo's or an imported one on a fresh database; it lasts until a computation succeeds)`);
    }
    return null;
  }
  assert(r.status === 200, `GET /api/v1/conversations/${CONVERSATION} answers ${r.status}`);
  return r.json();
}

/** Polls the API (every 50 ms) until `ok(json)`; returns { c, ms } (ms since `since`). */
async function waitForResult(ok, what, since = Date.now(), timeoutMs = 20_000, { firstComputation = false } = {}) {
  let c;
  for (;;) {
    c = await conversation({ firstComputation });
    if (!c) { await sleep(50); continue; }
    if (ok(c)) return { c, ms: Date.now() - since };
    if (Date.now() - since > timeoutMs) throw new Error(`the stored result does not show ${what} within ${timeoutMs / 1000} s: analysis_seq ${c.analysis_seq} of seq ${c.seq}, ${c.analysis ? `${c.analysis.participants} participants, ${c.analysis.votes} votes` : 'no analysis'}`);
    await sleep(50);
  }
}

// ---- axe-core on every distinct page ----

const audited = new Set();
async function audit(page, label) {
  if (audited.has(label)) return;
  audited.add(label);
  if (process.env.JOURNEYS_SAVE_PAGES) writeFileSync(join(process.env.JOURNEYS_SAVE_PAGES, `opinion-${audited.size}-${label.replace(/[^A-Za-z0-9]+/g, '-')}.html`), await page.content());
  const v = await axeViolations(page);
  assert(v.length === 0, `axe-core finds ${v.length} violation(s) on ${label} (${page.url()}):\n${v.join('\n')}`);
}

// ---- voting by keyboard ----

const seen = []; // the statements offered to the resident, in order: { num, text }

/**
 * Votes on the statement offered with the button `label`, reached by Tab and pressed with
 * `key`; checks that the page comes back to the voting part, counts the vote and offers another
 * statement than all before. Returns { at } (the time of the key press) and the page after.
 */
async function vote(page, label, key, { max = 60 } = {}) {
  const before = await opinionPage(page, de('opinion-consensus-heading'));
  assert(before.statement, `no statement is offered for voting: "${before.noStatement}"`);
  const prog = progressOf(before);
  const b = await tabTo(page, button(label), { what: `the button "${label}"`, max });
  assert(b.form.endsWith(`/meinungsbild/${CONVERSATION}/abstimmen`), `the button "${label}" posts to ${b.form}`);
  const at = Date.now();
  const res = await pressAndLoad(page, key);
  assert(res.status() === 200 && path(page) === `/meinungsbild/${CONVERSATION}`, `the vote ends on ${page.url()} (${res.status()}): ${(await mainText(page)).slice(0, 300)}`);
  assert(new URL(page.url()).hash === '#abstimmen', `after the vote the page is not at the voting part: ${page.url()}`);
  const after = await opinionPage(page, de('opinion-consensus-heading'));
  const p2 = progressOf(after);
  assert(p2.count === prog.count + 1 && p2.total === prog.total, `the progress went from "${before.progress}" to "${after.progress}"`);
  return { at, before, after };
}

// =====================================================================================

const server = await step('teilhabe serve --demo starts with a fresh SQLite database', async () => {
  const s = await startServer({ bin, db: `sqlite://${join(dir, 'journeys-opinion.db')}` });
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

const de = ftl('de');
const ar = ftl('ar');

let initial;
await step(`the demo's conversation ${CONVERSATION} has its first map: ${RESIDENTS} residents' votes on 24 statements, computed by the node`, async () => {
  const since = Date.now();
  const { c, ms } = await waitForResult((c) => c.analysis && c.analysis_seq === c.seq, 'the first map', since, 30_000, { firstComputation: true });
  initial = c;
  const a = c.analysis;
  assert(c.status === 'open' && c.strict_moderation === true, `the conversation is ${c.status}, strict moderation ${c.strict_moderation}`);
  assert(a.participants === RESIDENTS, `the map counts ${a.participants} participants, expected ${RESIDENTS}`);
  assert(c.statements.length === 24 && a.statements === 24, `${c.statements.length} statements offered, ${a.statements} in the map; expected 24`);
  assert(a.groups.length === 3, `the map has ${a.groups.length} groups, expected 3`);
  console.log(`     "${c.topic}": ${a.participants} participants, ${a.votes} votes, groups ${a.groups.map((g) => g.size).join(' / ')} of ${a.in_conv_count} clustered; map ready ${secs(ms)} after the server listened, computed in ${secs(a.timings_s.total * 1000)}`);
});

// ---------------- the resident ----------------

const resCtx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
const resident = await resCtx.newPage();
watch(resident);
current = resident;

await step('a resident opens the opinion map in German: three groups A, B, C in words, sizes adding up, consensus, a described picture', async () => {
  const res = await resident.goto(`${base}/meinungsbild/${CONVERSATION}`);
  assert(res.status() === 200, `/meinungsbild/${CONVERSATION} answers ${res.status()}`);
  const p = await opinionPage(resident, de('opinion-consensus-heading'));
  assert(p.lang === 'de' && p.h1 === initial.topic, `the page is lang="${p.lang}" with the heading "${p.h1}"`);
  const { groups, people, agreed } = checkMap(p, de, 'the German map');
  assert(people === initial.analysis.in_conv_count, `the page's summary counts ${people} participants, the stored result ${initial.analysis.in_conv_count}`);
  const prog = progressOf(p);
  assert(prog.count === 0 && prog.total === 24, `a new visitor's progress reads "${p.progress}"`);
  assert(p.statement && p.statement.text.length > 0, 'no statement is offered for voting');
  console.log(`     ${p.summary}`);
  console.log(`     ${groups.map((g) => `${g.letter} ${g.count} (${g.percent} %)`).join(', ')}; ${agreed.length} with broad agreement, e.g. ${agreed[0]}`);
  // The conversation belongs to the 2027 revision; its page should lead there (reading only).
  const processPage = await fetch(`${base}/beteiligung/${initial.process_id}`);
  const processHtml = await processPage.text();
  note(processPage.status !== 200 || processHtml.includes(`/meinungsbild/${CONVERSATION}`),
    `/beteiligung/${initial.process_id} (the 2027 revision the conversation is attached to) has no link to its opinion map /meinungsbild/${CONVERSATION}; nor does any other page the demo has, so residents only reach it by a typed or shared address`);
  await audit(resident, 'opinion map (German)');
});

await step('the same map in Arabic (?lang=ar): right to left, the groups and the consensus in Arabic, no axe-core violations', async () => {
  const arCtx = await browser.newContext({ locale: 'ar-SY', extraHTTPHeaders: { 'Accept-Language': 'ar-SY,ar;q=0.9' }, viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await arCtx.newPage();
  watch(page);
  current = page;
  const res = await page.goto(`${base}/meinungsbild/${CONVERSATION}?lang=ar`);
  assert(res.status() === 200, `/meinungsbild/${CONVERSATION}?lang=ar answers ${res.status()}`);
  const p = await opinionPage(page, plain(ar('opinion-consensus-heading')));
  assert(p.lang === 'ar' && p.dir === 'rtl', `the page is lang="${p.lang}" dir="${p.dir}", expected ar and rtl`);
  assert(p.h1lang === 'de', `the German topic is not marked lang="de" on the Arabic page: ${p.h1lang}`);
  assert(p.statement && p.statement.lang === 'de', `the German statement offered is not marked lang="de": ${JSON.stringify(p.statement)}`);
  const { groups } = checkMap(p, ar, 'the Arabic map');
  const progress = progressOf(p, ar);
  assert(progress.count === 0 && progress.total === 24, `the Arabic progress reads "${p.progress}"`);
  console.log(`     ${p.summary} — ${groups.map((g) => `${g.letter} ${g.count}`).join(', ')}`);
  await audit(page, 'opinion map (Arabic)');
  await arCtx.close();
  current = resident;
});

const VOTES = [
  [de('opinion-agree'), 'Enter'],
  [de('opinion-disagree'), 'Space'],
  [de('opinion-pass'), 'Enter'],
  [de('opinion-agree'), 'Space'],
  [de('opinion-disagree'), 'Enter'],
];
let lastVoteAt;
let updating; // the wait for the stored result that counts her votes
const figures = {}; // for the summary line
await step('she votes on five statements by keyboard: each time another statement, the progress counts up', async () => {
  const first = await opinionPage(resident, de('opinion-consensus-heading'));
  seen.push(first.statement);
  for (const [i, [label, key]] of VOTES.entries()) {
    // The first time from the top of the page; after a vote the page is back at "Abstimmen".
    const { at, after } = await vote(resident, label, key, { max: i === 0 ? 60 : 4 });
    lastVoteAt = at;
    if (i === 0) {
      const cookie = (await resCtx.cookies()).find((c) => c.name === 'th_op');
      assert(cookie && cookie.value.length >= 32, `no participant cookie th_op after the first vote: ${JSON.stringify(await resCtx.cookies())}`);
      assert(cookie.httpOnly, 'the participant cookie th_op can be read by scripts (not HttpOnly)');
    }
    assert(after.statement, `after ${i + 1} votes no statement is offered: "${after.noStatement}"`);
    const again = seen.find((s) => s.num === after.statement.num || s.text === after.statement.text);
    assert(!again, `after ${i + 1} votes the statement "${after.statement.text}" (${after.statement.num}) is offered again`);
    console.log(`     ${label} (${key}) on "${seen[seen.length - 1].text}" → ${after.progress}`);
    seen.push(after.statement);
  }
  // The stored result is watched from now on (the next step reads the time it took).
  const want = initial.analysis.votes + VOTES.length;
  updating = waitForResult((c) => c.analysis && c.analysis.participants === RESIDENTS + 1 && c.analysis.votes === want,
    `${RESIDENTS + 1} participants and ${want} votes`, lastVoteAt, 20_000).then((r) => ({ r }), (e) => ({ e }));
  await audit(resident, 'opinion map after voting (German)');
});

let updated;
await step(`within seconds the stored map counts her: participant ${RESIDENTS + 1}, ${VOTES.length} more votes`, async () => {
  const { r, e } = await updating;
  if (e) throw e;
  const { c, ms } = r;
  updated = c;
  figures.update = ms;
  console.log(`     the updated map (${c.analysis.participants} participants, ${c.analysis.votes} votes, seq ${c.analysis_seq}) is there ${secs(ms)} after the last key press (goal ${secs(UPDATE_GOAL_MS)}, limit ${secs(UPDATE_LIMIT_MS)}; computation ${secs(c.analysis.timings_s.total * 1000)})`);
  assert(ms <= UPDATE_LIMIT_MS, `the map took ${secs(ms)} to reflect the votes, more than ${secs(UPDATE_LIMIT_MS)}`);
  assert(c.analysis.groups.length === 3, `after her votes the map has ${c.analysis.groups.length} groups`);
});

await step('she writes a statement: it will be checked first and is not offered for voting yet', async () => {
  const d = await fill(resident, de('opinion-statement'), STATEMENT);
  assert(d.tag === 'textarea' && d.fieldName === 'body', `the statement field is ${describe(d)}`);
  await tabTo(resident, button(de('opinion-statement-submit')), { what: `the button "${de('opinion-statement-submit')}"`, max: 3 });
  const res = await pressAndLoad(resident);
  const url = new URL(resident.url());
  assert(res.status() === 200 && url.pathname === `/meinungsbild/${CONVERSATION}` && url.searchParams.get('hinweis') === 'aussage-pruefung',
    `sending the statement ends on ${resident.url()} (${res.status()}): ${(await mainText(resident)).slice(0, 300)}`);
  const notice = await resident.evaluate(() => {
    const n = document.querySelector('main .kern-alert[role=status]');
    if (!n) return null;
    const r = n.getBoundingClientRect();
    return { text: n.innerText.replace(/\s+/g, ' ').trim(), inView: r.bottom > 0 && r.top < window.innerHeight };
  });
  assert(notice && plain(notice.text) === de('opinion-statement-waiting'), `the notice reads "${notice && notice.text}", expected "${de('opinion-statement-waiting')}"`);
  note(notice.inView, `/meinungsbild/${CONVERSATION}?hinweis=aussage-pruefung#neue-aussage: after sending a statement the page jumps to #neue-aussage, and the notice "${de('opinion-statement-waiting')}" (div.kern-alert[role=status] at the top of <main>) is scrolled out of view; a status present at page load is not announced either, so neither a sighted nor a screen-reader user learns the statement arrived`);
  console.log(`     "${notice.text}"${notice.inView ? '' : ' (above the visible part of the page)'}`);
  const field = await resident.evaluate(() => document.getElementById('body')?.value);
  assert(field === '', `the statement field still holds "${field}"`);
  const p = await opinionPage(resident, de('opinion-consensus-heading'));
  assert(p.statement && p.statement.text !== STATEMENT, 'the new statement is offered for voting before it was checked');
  assert(progressOf(p).total === 24, `the progress counts the waiting statement: "${p.progress}"`);
  const c = await conversation();
  assert(!c.statements.some((s) => s.text === STATEMENT), 'the public API lists the statement before it was checked');
  await audit(resident, 'opinion map after sending a statement (German)');
});

// ---------------- the coordinator ----------------

const coordCtx = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
const coord = await coordCtx.newPage();
watch(coord);

await step('the coordinator signs in with e-mail, password and the TOTP code', async () => {
  current = coord;
  await coord.goto(`${base}/`);
  await follow(coord, de('nav-login'));
  assert(path(coord) === '/anmelden', `expected /anmelden, got ${coord.url()}`);
  await fill(coord, de('field-email'), COORDINATOR.email);
  await fill(coord, de('field-password'), COORDINATOR.password);
  await tabTo(coord, button(de('login-submit')), { what: 'the sign-in button' });
  await pressAndLoad(coord);
  assert(path(coord) === '/anmelden/zweiter-faktor', `expected the second factor, got ${coord.url()}`);
  await fill(coord, /^Sicherheitscode/, totp(COORDINATOR.totpSecret));
  await tabTo(coord, button(de('second-factor-submit')), { what: 'the confirm button' });
  await pressAndLoad(coord);
  assert(!coord.url().includes('/anmelden'), `still on ${coord.url()}: ${(await mainText(coord)).slice(0, 200)}`);
});

let statementNum;
await step('she opens Verwaltung → Meinungsbilder → the conversation: her figures include the resident, the statement waits in the queue', async () => {
  await follow(coord, 'Verwaltung');
  assert(path(coord) === '/verwaltung', `expected /verwaltung, got ${coord.url()}`);
  const linked = await coord.evaluate(() => !!document.querySelector('a[href="/verwaltung/meinungsbild"]'));
  note(linked, '/verwaltung (the coordination dashboard) has no link to "Meinungsbilder" (/verwaltung/meinungsbild), nor does the main navigation: the coordinator reaches the opinion maps only by typing the address');
  if (linked) {
    await tabTo(coord, (d) => d.tag === 'a' && d.href === '/verwaltung/meinungsbild', { what: 'the link to the opinion maps', max: 150 });
    await pressAndLoad(coord);
  }
  else await coord.goto(`${base}/verwaltung/meinungsbild`);
  assert(path(coord) === '/verwaltung/meinungsbild', `expected /verwaltung/meinungsbild, got ${coord.url()}`);
  await audit(coord, 'opinion maps (coordination)');
  await follow(coord, initial.topic);
  assert(path(coord) === `/verwaltung/meinungsbild/${CONVERSATION}`, `expected /verwaltung/meinungsbild/${CONVERSATION}, got ${coord.url()}`);
  const figuresRe = new RegExp(`^${de.pattern('admin-opinion-figures').source}`);
  const figures = (await coord.evaluate(() => [...document.querySelectorAll('main p')].map((p) => p.textContent)))
    .map((t) => plain(t).match(figuresRe)).find(Boolean);
  const text = plain(await mainText(coord));
  assert(figures && num(figures.groups.people) === RESIDENTS + 1 && num(figures.groups.votes) === updated.analysis.votes && num(figures.groups.groups) === 3,
    `the figures do not count the resident (${RESIDENTS + 1} participants, ${updated.analysis.votes} votes, 3 groups): ${figures ? figures[0] : text.slice(0, 400)}`);
  console.log(`     ${figures[0]}`);
  const queue = await coord.evaluate((start) => {
    const h = [...document.querySelectorAll('main h2')].find((e) => e.textContent.trim().startsWith(start));
    let el = h && h.nextElementSibling;
    while (el && !['UL', 'H2'].includes(el.tagName)) el = el.nextElementSibling;
    return h ? { heading: h.textContent.replace(/\s+/g, ' ').trim(), items: el && el.tagName === 'UL' ? [...el.children].map((li) => li.querySelector('q')?.textContent.trim()) : [] } : null;
  }, de('admin-opinion-queue', { count: '' }).trim());
  assert(queue && queue.heading === de('admin-opinion-queue', { count: 1 }), `the queue's heading reads "${queue && queue.heading}", expected "${de('admin-opinion-queue', { count: 1 })}"`);
  assert(queue.items.length === 1 && queue.items[0] === STATEMENT, `the queue holds ${JSON.stringify(queue.items)}`);
  await audit(coord, 'opinion map moderation (coordination)');
});

await step('she accepts the statement with the keyboard ("Freigeben"): the queue is empty, the statement is "freigegeben"', async () => {
  const accept = `${de('admin-opinion-accept')}: ${[...STATEMENT].slice(0, 60).join('')}`;
  const b = await tabTo(coord, (d) => d.tag === 'button' && d.name.startsWith(accept), { what: `the button "${accept}"`, max: 80 });
  const m = b.form.match(new RegExp(`/verwaltung/meinungsbild/${CONVERSATION}/aussage/(\\d+)$`));
  assert(m && b.fieldName === 'decision' && b.value === 'accept', `the accept button is ${describe(b)} posting ${b.fieldName}=${b.value} to ${b.form}`);
  statementNum = Number(m[1]);
  await pressAndLoad(coord, 'Enter');
  assert(path(coord) === `/verwaltung/meinungsbild/${CONVERSATION}`, `accepting ends on ${coord.url()}`);
  const notice = plain(await coord.locator('main [role=status]').first().innerText());
  assert(notice === de('admin-opinion-decided'), `the notice reads "${notice}", expected "${de('admin-opinion-decided')}"`);
  const text = plain(await mainText(coord));
  assert(text.includes(de('admin-opinion-queue', { count: 0 })) && text.includes(de('admin-opinion-queue-empty')), `the queue is not empty: ${text.slice(0, 500)}`);
  const row = await coord.evaluate((n) => [...document.querySelectorAll('main table tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim())).find((r) => r[0] === String(n)), statementNum);
  assert(row && row[1] === STATEMENT && row[2] === de('admin-opinion-accepted'), `the statement's row: ${JSON.stringify(row)}`);
  await audit(coord, 'opinion map moderation after a decision (coordination)');
});

// ---------------- the resident again ----------------

await step('back on the map, the accepted statement is offered: she votes until it comes up and agrees', async () => {
  current = resident;
  const c = await conversation();
  const listed = c.statements.find((s) => s.text === STATEMENT);
  assert(listed && listed.id === statementNum && listed.moderation === 'accepted', `the public API lists the statement as ${JSON.stringify(listed)}`);
  await resident.reload({ waitUntil: 'load' });
  let p = await opinionPage(resident, de('opinion-consensus-heading'));
  const prog = progressOf(p);
  assert(prog.count === VOTES.length && prog.total === 25, `after the decision the progress reads "${p.progress}", expected ${VOTES.length} of 25`);
  let skipped = 0;
  let first = true;
  while (p.statement && p.statement.text !== STATEMENT) {
    assert(skipped < 20, 'the accepted statement did not come up among the remaining statements');
    ({ after: p } = await vote(resident, de('opinion-pass'), 'Enter', { max: first ? 60 : 4 }));
    first = false;
    skipped++;
  }
  assert(p.statement && p.statement.text === STATEMENT && Number(p.statement.num) === statementNum, `the accepted statement is not offered: ${JSON.stringify(p.statement)} "${p.noStatement}"`);
  console.log(`     the statement came up after ${skipped} more vote(s) ("${de('opinion-pass')}")`);
  const { at, after } = await vote(resident, de('opinion-agree'), 'Space', { max: first ? 60 : 4 });
  console.log(`     ${after.progress}`);
  const { c: c2, ms } = await waitForResult((c) => {
    const s = c.analysis && c.analysis.statement_stats.find((x) => x.comment_id === statementNum);
    return s && s.agrees === 1;
  }, `her vote on statement ${statementNum}`, at, 20_000);
  const s = c2.analysis.statement_stats.find((x) => x.comment_id === statementNum);
  console.log(`     the map counts her agreement ${secs(ms)} after the key press (${s.agrees} agree, ${s.disagrees} disagree, ${s.passes} pass); ${c2.analysis.participants} participants, ${c2.analysis.in_conv_count} in groups`);
  figures.accepted = ms;
  assert(ms <= UPDATE_LIMIT_MS, `the map took ${secs(ms)} to count her vote, more than ${secs(UPDATE_LIMIT_MS)}`);
  await resident.reload({ waitUntil: 'load' });
  p = await opinionPage(resident, de('opinion-consensus-heading'));
  const { people } = checkMap(p, de, 'the German map after her votes');
  assert(people === c2.analysis.in_conv_count, `the page's summary counts ${people}, the stored result ${c2.analysis.in_conv_count}`);
  const tableRow = p.table.find((r) => r[0] === STATEMENT);
  assert(tableRow && tableRow[1] === '1', `the map's table does not show her agreement with the new statement: ${JSON.stringify(tableRow)}`);
  await audit(resident, 'opinion map after the accepted statement (German)');
});

await step('no page asked another host for anything, no script errors', async () => {
  current = null;
  assert(external.length === 0, external.slice(0, 5).join(', '));
});

await step('every element passed while tabbing was visible and showed a focus indicator', async () => {
  const lines = [...keyboardFindings].map(([k, n]) => `${k}${n > 1 ? ` (${n}×)` : ''}`);
  assert(lines.length === 0, lines.join('\n'));
});

clearTimeout(budget);
for (const n of notes) console.log(`note product problem: ${n}`);
await cleanup(true);
console.log(`journeys-opinion: ${stepNo} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${audited.size} pages checked with axe-core; map updated ${secs(figures.update)} after the last of ${VOTES.length} votes, ${secs(figures.accepted)} after the vote on the accepted statement; goal ${secs(UPDATE_GOAL_MS)})`);
process.exit(0);
