//! A small real SMTP server on loopback for tests: it speaks enough of RFC 5321 for lettre,
//! records every message it accepts, and rejects recipients on a deny list with 550.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The message body with quoted-printable encoding undone.
    pub fn text(&self) -> String {
        let body = self
            .data
            .split_once("\n\n")
            .map(|(_, b)| b)
            .unwrap_or(&self.data);
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[derive(Clone, Default)]
pub struct TestSmtp {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    deny: Arc<Mutex<Vec<String>>>,
}

impl TestSmtp {
    /// Starts the server on a free loopback port.
    pub async fn start() -> std::io::Result<TestSmtp> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let me = TestSmtp {
            port,
            ..Default::default()
        };
        let srv = me.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                // Small replies must not wait for delayed ACKs (as real SMTP servers ensure).
                let _ = sock.set_nodelay(true);
                let s = srv.clone();
                tokio::spawn(async move {
                    let _ = s.session(sock).await;
                });
            }
        });
        Ok(me)
    }

    pub fn deny(&self, recipient: &str) {
        if let Ok(mut d) = self.deny.lock() {
            d.push(recipient.to_string());
        }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    async fn session(&self, sock: tokio::net::TcpStream) -> std::io::Result<()> {
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 teilhabe-test ESMTP\r\n").await?;
        let mut cur = Received::default();
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                w.write_all(b"250-teilhabe-test\r\n250 8BITMIME\r\n")
                    .await?;
            } else if upper.starts_with("MAIL FROM:") {
                cur = Received {
                    from: line[10..].trim().to_string(),
                    ..Default::default()
                };
                w.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                let to = line[8..].trim().trim_matches(['<', '>']).to_string();
                let denied = self.deny.lock().map(|d| d.contains(&to)).unwrap_or(false);
                if denied {
                    w.write_all(b"550 5.1.1 mailbox unavailable\r\n").await?;
                } else {
                    cur.to.push(to);
                    w.write_all(b"250 OK\r\n").await?;
                }
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push('\n');
                }
                cur.data = data;
                if let Ok(mut m) = self.messages.lock() {
                    m.push(std::mem::take(&mut cur));
                }
                w.write_all(b"250 queued\r\n").await?;
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else if upper == "RSET" || upper == "NOOP" {
                w.write_all(b"250 OK\r\n").await?;
            } else {
                w.write_all(b"502 not implemented\r\n").await?;
            }
        }
        Ok(())
    }
}
