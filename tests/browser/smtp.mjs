// A tiny SMTP sink on loopback for the browser journeys: it greets, answers EHLO/HELO, MAIL FROM,
// RCPT TO, DATA (until CRLF.CRLF, with dot-stuffing undone), RSET, NOOP and QUIT, and keeps every
// message it accepts with its envelope recipients. Bodies in quoted-printable or base64 and
// RFC 2047 subjects are decoded so that the tests can read the links in them.
import net from 'node:net';

/** Undoes quoted-printable (soft line breaks and =XX bytes) and reads the bytes as UTF-8. */
export function decodeQuotedPrintable(s) {
  const joined = s.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words (=?charset?B|Q?...?=) in a header value. */
export function decodeHeader(v) {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const buf = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(decodeQuotedPrintable(text.replace(/_/g, ' ')), 'utf8');
      return new TextDecoder(charset.toLowerCase()).decode(buf);
    });
}

/** Splits a raw message into headers (lower-case names, folded lines joined) and a decoded body. */
export function parseMessage(raw) {
  const norm = raw.replace(/\r\n/g, '\n');
  const cut = norm.indexOf('\n\n');
  const head = cut >= 0 ? norm.slice(0, cut) : norm;
  const rawBody = cut >= 0 ? norm.slice(cut + 2) : '';
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  let body = rawBody;
  if (cte === 'quoted-printable') body = decodeQuotedPrintable(rawBody);
  else if (cte === 'base64') body = Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, subject: decodeHeader(headers.subject || ''), body };
}

/** Starts the sink on a free loopback port. */
export async function startSmtp() {
  const messages = [];
  const waiters = new Set();
  const notify = () => { for (const w of [...waiters]) w(); };
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.setNoDelay(true);
    sock.setEncoding('latin1'); // bytes in, bytes out: decoding happens per message
    let buf = '';
    let inData = false;
    let data = [];
    let cur = { from: '', to: [] };
    const reply = (s) => sock.write(`${s}\r\n`);
    sock.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const raw = Buffer.from(data.join('\r\n'), 'latin1').toString('utf8');
            messages.push({ from: cur.from, to: cur.to, raw, ...parseMessage(raw) });
            cur = { from: '', to: [] };
            data = [];
            reply('250 2.0.0 queued');
            notify();
          } else {
            data.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) { sock.write('250-teilhabe-journeys\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n'); }
        else if (upper.startsWith('HELO')) reply('250 teilhabe-journeys');
        else if (upper.startsWith('MAIL FROM:')) { cur = { from: line.slice(10).trim().replace(/^<|>.*$/g, ''), to: [] }; reply('250 2.1.0 OK'); }
        else if (upper.startsWith('RCPT TO:')) { cur.to.push(line.slice(8).trim().replace(/^<|>.*$/g, '')); reply('250 2.1.5 OK'); }
        else if (upper === 'DATA') { inData = true; data = []; reply('354 end data with <CR><LF>.<CR><LF>'); }
        else if (upper === 'RSET') { cur = { from: '', to: [] }; reply('250 2.0.0 OK'); }
        else if (upper === 'NOOP') reply('250 2.0.0 OK');
        else if (upper === 'QUIT') { reply('221 2.0.0 bye'); sock.end(); }
        else reply('502 5.5.1 not implemented');
      }
    });
    reply('220 teilhabe-journeys ESMTP');
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  return {
    port: server.address().port,
    messages,
    /** Resolves with the messages matching `pred` once there are at least `min` of them. */
    waitFor(pred, min, timeoutMs, what = 'e-mails') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.filter(pred);
          if (m.length >= min) { cleanup(); resolve(m); return true; }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${min} ${what}; the SMTP sink has ${messages.filter(pred).length} of them (${messages.length} messages in all)`));
        }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
