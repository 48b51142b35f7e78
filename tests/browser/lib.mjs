// Shared helpers of the browser checks (run.mjs) and the journeys (journeys.mjs): the demo
// coordinator's TOTP, starting `teilhabe serve`, Chromium, axe-core, and keyboard-only driving.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const axePath = join(root, 'node_modules/axe-core/axe.min.js');

export const COORDINATOR = {
  email: 'koordination@region-hannover.example',
  password: 'Vielfalt-und-Zusammenhalt',
  totpSecret: 'TEILHABEDEMOKOORDINATIONHANNOVER',
};

/** RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret at `time` (ms). */
export function totp(base32, time = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return ((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

/** A free TCP port on loopback (asked of the kernel, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * Starts `bin --database db serve --demo ...` and resolves once it listens: { proc, base, stop }.
 * `listen` defaults to a port the kernel picks; `args` are added to `serve`.
 */
export function startServer({ bin, db, listen = '127.0.0.1:0', args = [], env = {}, timeoutMs = 60_000 }) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['--database', db, 'serve', '--demo', '--listen', listen, '--cookie-secure', 'never', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TEILHABE_LOG_FORMAT: 'json', RUST_LOG: 'warn', ...env },
    });
    let out = '';
    let started = false;
    const timer = setTimeout(() => { if (!started) { p.kill('SIGTERM'); reject(new Error(`server did not start within ${timeoutMs} ms`)); } }, timeoutMs);
    const stop = () => new Promise((res) => {
      if (p.exitCode !== null || p.signalCode !== null) return res();
      p.once('exit', () => res());
      p.kill('SIGTERM');
      setTimeout(() => { if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); }, 5000).unref();
    });
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m && !started) { started = true; clearTimeout(timer); resolve({ proc: p, base: m[1], stop }); }
    });
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('exit', (code) => { clearTimeout(timer); if (!started) reject(new Error(`server exited with ${code}`)); });
  });
}

/** Debian's Chromium (or $CHROMIUM), headless. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** axe-core (WCAG 2.1 A/AA and best practices) on the page: its violations, one line each. */
export async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

// ---- the product's own texts ----

/**
 * The messages of crates/i18n/locales/{locale}.ftl (simple messages only: `key = text`, with
 * indented continuation lines), as `t(key, args)`: `{ $name }` is replaced by args.name. The
 * locales that are not right to left are formatted without bidi isolation marks, as the product
 * does. Also `t.pattern(key, args, { whole })`: a RegExp for the message (the whole string with
 * `whole`), with each placeable not in `args` a named group matching any text, and runs of
 * spaces matching any white space (for wrapped e-mail bodies).
 */
export function ftl(locale) {
  const msgs = {};
  let key = null;
  for (const line of readFileSync(join(root, 'crates/i18n/locales', `${locale}.ftl`), 'utf8').split(/\r?\n/)) {
    const m = line.match(/^([A-Za-z][\w-]*)\s*=\s?(.*)$/);
    if (m) { key = m[1]; msgs[key] = m[2]; }
    else if (key && /^\s+\S/.test(line) && !/^\s*[.[*]/.test(line)) msgs[key] += ` ${line.trim()}`;
    else key = null;
  }
  const get = (k) => { if (!(k in msgs)) throw new Error(`${locale}.ftl has no message ${k}`); return msgs[k]; };
  const t = (k, args = {}) => get(k).replace(/\{\s*\$(\w+)\s*\}/g, (all, a) => (a in args ? String(args[a]) : all));
  t.pattern = (k, args = {}, { whole = false } = {}) => {
    const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
    const parts = get(k).split(/(\{\s*\$\w+\s*\})/);
    const seen = new Set();
    const body = parts.map((p) => {
      const a = p.match(/^\{\s*\$(\w+)\s*\}$/);
      if (!a) return esc(p);
      if (a[1] in args) return esc(String(args[a[1]]));
      if (seen.has(a[1])) return `\\k<${a[1]}>`;
      seen.add(a[1]);
      return `(?<${a[1]}>[\\s\\S]+?)`;
    }).join('');
    return new RegExp(whole ? `^${body}$` : body);
  };
  return t;
}

// ---- keyboard-only driving ----

/**
 * What has the keyboard focus, as a person would perceive it: tag, role-ish type, accessible
 * name (label, aria-label or text), the id/name/value for assertions, whether it is checked,
 * whether it is visible, and whether it shows a focus indicator.
 */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { tag: 'body', name: '', visible: false };
    const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
    const byIds = (ids) => clean((ids || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' '));
    let name = el.getAttribute('aria-label') || byIds(el.getAttribute('aria-labelledby'));
    if (!name && el.labels && el.labels.length) name = clean([...el.labels].map((l) => l.textContent).join(' '));
    if (!name && el.tagName !== 'SELECT') name = clean(el.innerText || el.textContent);
    if (!name) name = clean(el.getAttribute('title') || el.getAttribute('placeholder') || '');
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const visible = r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0;
    const indicator = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
    const fieldset = el.closest('fieldset');
    return {
      tag: el.tagName.toLowerCase(),
      type: (el.getAttribute('type') || '').toLowerCase(),
      id: el.id || '',
      fieldName: el.getAttribute('name') || '',
      name,
      group: fieldset ? clean(fieldset.querySelector('legend')?.textContent) : '',
      href: el.getAttribute('href') || '',
      form: el.form ? el.form.getAttribute('action') || '' : '',
      value: 'value' in el ? String(el.value) : '',
      selected: el.tagName === 'SELECT' ? clean(el.selectedOptions[0]?.textContent) : '',
      checked: 'checked' in el ? !!el.checked : false,
      visible,
      indicator: !!indicator,
    };
  });
}

export function describe(d) {
  if (!d) return '(nothing)';
  if (d.tag === 'body') return '(page)';
  return `<${d.tag}${d.type ? ` type=${d.type}` : ''}${d.id ? ` #${d.id}` : ''}> "${d.name.slice(0, 60)}"`;
}

/** Problems of keyboard access noticed while tabbing (invisible focus, no focus indicator). */
export const keyboardFindings = new Map();
function note(page, kind, d) {
  const key = `${kind}: ${new URL(page.url()).pathname.replace(/\/einladung\/[^/?#]+/, '/einladung/<token>')} ${describe(d)}`;
  keyboardFindings.set(key, (keyboardFindings.get(key) || 0) + 1);
}

/**
 * Presses Tab (or Shift+Tab with `back`) until the focused element matches `pred` (a function of
 * what `focused` returns), and returns it. Fails after `max` presses, or as soon as the focus
 * stops moving (a trap), with the last elements it passed.
 */
export async function tabTo(page, pred, { max = 120, back = false, what = 'the element' } = {}) {
  const seen = [];
  let same = 0;
  let last = '';
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const d = await focused(page);
    const key = `${describe(d)} ${d.href}`;
    same = key === last && d.tag !== 'body' ? same + 1 : 0;
    last = key;
    seen.push(describe(d));
    if (d.tag !== 'body' && !d.visible) note(page, 'focus lands on an invisible element', d);
    else if (d.tag !== 'body' && !d.indicator) note(page, 'no visible focus indicator', d);
    if (same >= 3) throw new Error(`focus trap on ${page.url()}: ${back ? 'Shift+Tab' : 'Tab'} keeps the focus on ${describe(d)}`);
    if (d.tag !== 'body' && pred(d)) {
      if (!d.visible) throw new Error(`${what} takes the focus but is not visible: ${describe(d)} on ${page.url()}`);
      return d;
    }
  }
  throw new Error(`could not reach ${what} by ${back ? 'Shift+Tab' : 'Tab'} within ${max} presses on ${page.url()}; passed: ${seen.slice(-12).join(', ')}`);
}

/** Matchers for `tabTo`. */
const norm = (s) => s.replace(/\s+/g, ' ').trim();
const matches = (name, m) => (m instanceof RegExp ? m.test(name) : norm(name) === norm(m));
export const link = (m) => (d) => d.tag === 'a' && matches(d.name, m);
export const button = (m) => (d) => (d.tag === 'button' || (d.tag === 'input' && ['submit', 'button'].includes(d.type))) && matches(d.name, m);
export const field = (m) => (d) => ['input', 'textarea', 'select'].includes(d.tag) && !['checkbox', 'radio', 'submit', 'button', 'hidden'].includes(d.type) && matches(d.name, m);
export const checkbox = (m, group) => (d) => d.tag === 'input' && d.type === 'checkbox' && matches(d.name, m) && (!group || matches(d.group, group));
export const radio = (group) => (d) => d.tag === 'input' && d.type === 'radio' && matches(d.group, group);

/** Presses a key that leads to a new page and waits for it; returns the main response. */
export async function pressAndLoad(page, key = 'Enter', timeout = 30_000) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout }),
    page.keyboard.press(key),
  ]);
  return res;
}

/** Tabs to a link and follows it with Enter. */
export async function follow(page, m, opts = {}) {
  await tabTo(page, link(m), { what: `the link ${m}`, ...opts });
  return pressAndLoad(page, 'Enter');
}

/** Tabs to a text field, clears it (Ctrl+A, Delete) and types `text`. */
export async function fill(page, m, text, opts = {}) {
  const d = await tabTo(page, field(m), { what: `the field ${m}`, ...opts });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  return d;
}

/** Presses ArrowDown (or a given key) on the focused radio group or select until `pred`. */
export async function arrowUntil(page, pred, { key = 'ArrowDown', max = 30, what = 'the choice' } = {}) {
  for (let i = 0; i <= max; i++) {
    const d = await focused(page);
    if (pred(d)) return d;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} did not reach ${what} on ${page.url()}`);
}
