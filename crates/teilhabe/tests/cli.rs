//! The binary as people use it: its commands, and two `teilhabe serve` processes on one
//! PostgreSQL acting as one site.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_teilhabe");

fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut c = std::process::Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(c.stdin.take());
    c.wait_with_output().unwrap()
}

#[test]
fn version_and_help_on_every_command() {
    let out = run(&["--version"], None);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("teilhabe "));
    for cmd in [
        vec![],
        vec!["serve"],
        vec!["migrate"],
        vec!["demo"],
        vec!["tenant", "add"],
        vec!["user", "create"],
        vec!["backup"],
        vec!["routes"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let out = run(&args, None);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn bad_database_urls_are_clear_errors_and_create_nothing() {
    let out = run(&["--database", "mysql://x@localhost/db", "migrate"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown database URL scheme"));
    let out = run(&["--database", "teilhabe.db", "migrate"], None);
    assert!(
        !out.status.success(),
        "a bare path is not silently taken as a new file"
    );
    assert!(!std::path::Path::new("teilhabe.db").exists());
    let out = run(
        &[
            "--database",
            "postgres://nobody@127.0.0.1:1/none",
            "migrate",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));
}

#[test]
fn commands_on_an_sqlite_site() {
    let (url, file) = th_storage::testkit::sqlite_url();
    let ok = |args: &[&str], stdin: Option<&str>| {
        let mut full = vec!["--database", url.as_str()];
        full.extend_from_slice(args);
        let out = run(&full, stdin);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = ok(&["migrate"], None);
    assert!(
        first.starts_with("applied ") && !first.starts_with("applied 0"),
        "{first}"
    );
    assert!(
        ok(&["migrate"], None).starts_with("applied 0 migration"),
        "migrating twice changes nothing"
    );
    ok(&["demo"], None);
    ok(&["demo"], None); // a no-op the second time
    assert!(ok(
        &[
            "tenant",
            "add",
            "--host",
            "bremen.example",
            "--name",
            "Stadt Bremen"
        ],
        None
    )
    .contains("bremen.example"));
    let list = ok(&["tenant", "list"], None);
    assert!(
        list.contains("Region Hannover") && list.contains("Stadt Bremen"),
        "{list}"
    );
    assert!(ok(
        &[
            "user",
            "create",
            "--email",
            "lead@example.org",
            "--role",
            "team_lead"
        ],
        Some("ein-langes-passwort\n")
    )
    .contains("created"));
    let link = ok(
        &[
            "user",
            "create",
            "--email",
            "admin@bremen.example",
            "--role",
            "admin",
            "--tenant",
            "bremen.example",
            "--link",
        ],
        None,
    );
    assert!(link.contains("/passwort-neu?token="), "{link}");
    let mut full = vec![
        "--database",
        url.as_str(),
        "user",
        "create",
        "--email",
        "x@example.org",
        "--role",
        "king",
    ];
    assert!(!run(&full, Some("ein-langes-passwort")).status.success());
    full[6] = "participant";
    assert!(
        !run(&full, Some("kurz")).status.success(),
        "short password refused"
    );
    // The organisation import: errors by line, nothing written; then the fixed file.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/");
    let broken = format!("{fixtures}organisationen-sozialamt.csv");
    let fixed = format!("{fixtures}organisationen-sozialamt-korrigiert.csv");
    let out = run(
        &[
            "--database",
            url.as_str(),
            "organisations",
            "import",
            &broken,
        ],
        None,
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("line 15: error in email")
            && text.contains("line 120: error in municipality")
            && text.contains("line 435: error in kind"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was written"));
    assert!(ok(&["organisations", "import", &fixed, "--dry-run"], None)
        .contains("dry run: nothing was written"));
    assert_eq!(
        ok(&["organisations", "export"], None).lines().count(),
        701,
        "only the demo registry after the dry run"
    );
    assert!(ok(&["organisations", "import", &fixed], None).contains("imported 700 organisations"));
    assert_eq!(
        ok(&["organisations", "export"], None).lines().count(),
        1402,
        "header, 700 demo contacts, 701 imported"
    );
    let (_, backup) = th_storage::testkit::sqlite_url();
    ok(&["backup", backup.to_str().unwrap()], None);
    let restored = format!("sqlite://{}", backup.display());
    let out = run(&["--database", &restored, "tenant", "list"], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Stadt Bremen"),
        "the backup is a full copy"
    );
    for f in [file, backup] {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", f.display()));
        }
    }
}

struct Node {
    child: Child,
    addr: String,
}

async fn start_node(url: &str, smtp_port: u16) -> Node {
    let mut child = Command::new(BIN)
        .args([
            "--database",
            url,
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--cookie-secure",
            "never",
            "--smtp",
            &format!("127.0.0.1:{smtp_port}"),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = tokio::time::timeout_at(deadline.into(), lines.next_line())
            .await
            .expect("node did not start")
            .unwrap()
            .expect("node exited");
        if let Some(addr) = line.strip_prefix("Teilhabe is listening on http://") {
            return Node {
                child,
                addr: addr.trim().to_string(),
            };
        }
    }
}

/// A minimal HTTP/1.1 client (one request per connection) that keeps cookies.
#[derive(Default)]
struct Http {
    cookies: BTreeMap<String, String>,
}

impl Http {
    async fn req(
        &mut self,
        addr: &str,
        method: &str,
        path: &str,
        body: &str,
        ctype: &str,
    ) -> (u16, String, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let csrf = self.cookies.get("th_csrf").cloned().unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        let mut location = String::new();
        for line in head.lines() {
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("set-cookie: ").map(|_| &line[12..]) {
                let pair = v.split(';').next().unwrap_or("");
                if let Some((k, val)) = pair.split_once('=') {
                    self.cookies.insert(k.trim().to_string(), val.to_string());
                }
            }
            if lower.starts_with("location: ") {
                location = line[10..].trim().to_string();
            }
        }
        (status, location, body.to_string())
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('@', "%40").replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgresql_act_as_one_site() {
    let Some(server) = th_storage::testkit::postgres_server() else {
        eprintln!("skipped: no test PostgreSQL (the test command always provides one)");
        return;
    };
    let url = th_storage::testkit::postgres_url(&server).await;
    let smtp = th_mail::testsmtp::TestSmtp::start().await.unwrap();
    // Both start at once with --demo: one loads it, the other finds it there.
    let (mut a, mut b) = tokio::join!(start_node(&url, smtp.port), start_node(&url, smtp.port));

    // A session made on node A is valid on node B.
    let mut h = Http::default();
    h.req(&a.addr, "GET", "/", "", "text/plain").await;
    let csrf = h.cookies["th_csrf"].clone();
    let (st, loc, _) = h
        .req(
            &a.addr,
            "POST",
            "/anmelden",
            &form(&[
                ("csrf", &csrf),
                ("email", "koordination@region-hannover.example"),
                ("password", "Vielfalt-und-Zusammenhalt"),
            ]),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!((st, loc.as_str()), (303, "/anmelden/zweiter-faktor"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = th_auth_code(now);
    let (st, _, _) = h
        .req(
            &a.addr,
            "POST",
            "/anmelden/zweiter-faktor",
            &form(&[("csrf", &csrf), ("code", &code)]),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(st, 303);
    let (st, _, body) = h.req(&b.addr, "GET", "/verwaltung", "", "text/plain").await;
    assert_eq!(st, 200, "node B accepts node A's session: {body}");

    // A change through one node is seen through the other at once.
    let (st, _, _) = h
        .req(
            &b.addr,
            "POST",
            "/api/v1/concept/draft",
            "",
            "application/json",
        )
        .await;
    assert_eq!(st, 201);
    let (st, _, _) = h
        .req(
            &a.addr,
            "PUT",
            "/api/v1/concept/draft",
            r#"{"locale":"de","title":"Vielfalt und Zusammenhalt – Fortschreibung"}"#,
            "application/json",
        )
        .await;
    assert_eq!(st, 200);
    let (_, _, draft) = h
        .req(
            &b.addr,
            "GET",
            "/verwaltung/konzept/entwurf/text",
            "",
            "text/plain",
        )
        .await;
    assert!(draft.contains("Fortschreibung"));

    // A Wegweiser service changed through node A is found through node B within seconds
    // (node B's index follows the directory revision every two seconds).
    let (st, _, found) = h
        .req(
            &b.addr,
            "GET",
            "/api/v1/guide/search?q=Zaubertrankberatung",
            "",
            "text/plain",
        )
        .await;
    assert_eq!(st, 200);
    assert!(found.contains("\"total\":0"), "{found}");
    let (_, _, svc) = h
        .req(&a.addr, "GET", "/api/v1/guide/services/1", "", "text/plain")
        .await;
    let mut svc: serde_json::Value = serde_json::from_str(&svc).unwrap();
    let input = serde_json::json!({
        "org_id": svc["organisation_id"], "status": svc["status"], "free": svc["free"],
        "topics": svc["topics"], "languages": svc["languages"], "areas": svc["areas"],
        "schedules": svc["schedules"],
        "location_ids": svc["locations"].as_array().unwrap().iter().map(|l| l["id"].clone()).collect::<Vec<_>>(),
        "texts": { "de": { "name": "Zaubertrankberatung", "description": svc["texts"]["de"]["description"].take() } },
    });
    let (st, _, body) = h
        .req(
            &a.addr,
            "PUT",
            "/api/v1/guide/services/1",
            &input.to_string(),
            "application/json",
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let changed = Instant::now();
    let deadline = changed + Duration::from_secs(10);
    loop {
        let (_, _, found) = h
            .req(
                &b.addr,
                "GET",
                "/api/v1/guide/search?q=Zaubertrankberatung",
                "",
                "text/plain",
            )
            .await;
        if found.contains("\"total\":1") {
            eprintln!(
                "node B found the change after {} ms",
                changed.elapsed().as_millis()
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node B did not find the change within 10 s: {found}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The opinion map: a vote through node A is in the map both nodes show, computed once.
    let mut voter = Http::default();
    let (_, _, page) = voter
        .req(&a.addr, "GET", "/meinungsbild/1", "", "text/plain")
        .await;
    let at = page
        .find("name=\"statement\" value=\"")
        .expect("a statement to vote on");
    let num: String = page[at + 24..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let c = voter.cookies["th_csrf"].clone();
    let (st, _, _) = voter
        .req(
            &a.addr,
            "POST",
            "/meinungsbild/1/abstimmen",
            &form(&[("csrf", &c), ("statement", &num), ("vote", "1")]),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(st, 303);
    let voted = Instant::now();
    let deadline = voted + Duration::from_secs(15);
    loop {
        let (_, _, on_a) = h
            .req(&a.addr, "GET", "/api/v1/conversations/1", "", "text/plain")
            .await;
        let (_, _, on_b) = h
            .req(&b.addr, "GET", "/api/v1/conversations/1", "", "text/plain")
            .await;
        let va: serde_json::Value = serde_json::from_str(&on_a).unwrap_or_default();
        let vb: serde_json::Value = serde_json::from_str(&on_b).unwrap_or_default();
        if vb["analysis"]["participants"] == 3001 && va["analysis_seq"] == vb["analysis_seq"] {
            eprintln!(
                "both nodes show the vote after {} ms",
                voted.elapsed().as_millis()
            );
            assert_eq!(
                va["analysis"], vb["analysis"],
                "the same stored result on both nodes"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the vote did not reach the map within 15 s: {on_b}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One node holds the lease and computes every update; the other only reads.
    let odb = th_storage::Db::connect(&url).await.unwrap();
    let holder = |db: th_storage::Db| async move {
        let r =
            th_storage::sqlx::query("SELECT node, seq FROM op_results WHERE conversation_id = 1")
                .fetch_one(db.pool())
                .await
                .unwrap();
        (
            th_storage::Row::get::<String, _>(&r, 0),
            th_storage::Row::get::<i64, _>(&r, 1),
        )
    };
    let (first, seq1) = holder(odb.clone()).await;
    for (i, node) in [&b.addr, &a.addr, &b.addr].iter().enumerate() {
        let (_, _, page) = voter
            .req(node, "GET", "/meinungsbild/1", "", "text/plain")
            .await;
        let at = page
            .find("name=\"statement\" value=\"")
            .expect("a next statement");
        let num: String = page[at + 24..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let c = voter.cookies["th_csrf"].clone();
        voter
            .req(
                node,
                "POST",
                "/meinungsbild/1/abstimmen",
                &form(&[("csrf", &c), ("statement", &num), ("vote", "-1")]),
                "application/x-www-form-urlencoded",
            )
            .await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (n, seq) = holder(odb.clone()).await;
            if seq > seq1 + i as i64 {
                assert_eq!(n, first, "the same node computed every update");
                break;
            }
            assert!(Instant::now() < deadline, "vote {i} not computed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Background work runs exactly once across the nodes: ten sign-ups, ten e-mails.
    for i in 0..10 {
        let mut v = Http::default();
        let node = if i % 2 == 0 { &a.addr } else { &b.addr };
        v.req(node, "GET", "/", "", "text/plain").await;
        let c = v.cookies["th_csrf"].clone();
        let email = format!("person{i}@example.org");
        let (st, _, _) = v
            .req(
                node,
                "POST",
                "/registrieren",
                &form(&[
                    ("csrf", &c),
                    ("email", &email),
                    ("display_name", "Person"),
                    ("password", "ein-langes-passwort"),
                    ("consent", "1"),
                ]),
                "application/x-www-form-urlencoded",
            )
            .await;
        assert_eq!(st, 200);
    }
    let signups = |smtp: &th_mail::testsmtp::TestSmtp| -> Vec<String> {
        smtp.messages()
            .iter()
            .flat_map(|m| m.to.clone())
            .filter(|r| r.starts_with("person") && r.ends_with("@example.org"))
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while signups(&smtp).len() < 10 && Instant::now() < deadline {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every message was claimed once (one attempt) and is marked sent.
    let db = th_storage::Db::connect(&url).await.unwrap();
    let row = th_storage::sqlx::query(
        "SELECT COUNT(*), COALESCE(MAX(attempts), 0) FROM mail_outbox WHERE status = 'sent' AND recipient LIKE 'person%@example.org'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let (sent, attempts): (i64, i64) =
        (th_storage::Row::get(&row, 0), th_storage::Row::get(&row, 1));
    assert_eq!((sent, attempts), (10, 1), "ten sent, none claimed twice");
    let mut rcpts = signups(&smtp);
    rcpts.sort();
    let unique = {
        let mut u = rcpts.clone();
        u.dedup();
        u
    };
    assert_eq!(rcpts.len(), 10, "each e-mail sent exactly once: {rcpts:?}");
    assert_eq!(unique.len(), 10);
    // The background jobs of both nodes queued each re-verification reminder once.
    let dupes = th_storage::sqlx::query(
        "SELECT recipient, subject FROM mail_outbox GROUP BY recipient, subject HAVING COUNT(*) > 1",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert!(dupes.is_empty(), "{} messages queued twice", dupes.len());
    let _ = a.child.start_kill();
    let _ = b.child.start_kill();
}

/// The demo coordinator's current TOTP code, as an authenticator app computes it.
fn th_auth_code(now: i64) -> String {
    th_auth::totp_code("TEILHABEDEMOKOORDINATIONHANNOVER", now).unwrap()
}

#[test]
fn plan_solves_a_scenario_file_and_names_errors_and_conflicts() {
    let dir = std::env::temp_dir().join(format!("th-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p.to_string_lossy().into_owned()
    };
    let measures = r#"[
      {"key":"A","field":1,"goals":{"1.1":3},"planned_start":2027,"staff_fte":0,"money_eur":60000},
      {"key":"B","field":2,"goals":{"2.1":2},"planned_start":2027,"staff_fte":1.5,"money_eur":60000},
      {"key":"C","field":3,"goals":{"3.1":1},"planned_start":2027,"duration_years":2,"staff_fte":0.5,"money_eur":10000}]"#;
    let ok = file(
        "ok.json",
        &format!(
            r#"{{"horizon":{{"first_year":2027,"years":5}},"money_eur":100000,"staff_fte":2,"measures":{measures}}}"#
        ),
    );
    let out = run(&["plan", &ok], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["status"], "optimal");
    assert_eq!(plan["chosen"][0]["key"], "A");
    assert_eq!(plan["chosen"][1]["key"], "C");
    assert_eq!(plan["left_out"][0]["key"], "B");
    assert_eq!(plan["left_out"][0]["reason"]["kind"], "needs");
    assert_eq!(plan["left_out"][0]["reason"]["money_eur"]["2027"], 30000.0);

    // Infeasible: A and B must be in, but together they need 120,000 of 100,000.
    let infeasible = file(
        "infeasible.json",
        &format!(
            r#"{{"horizon":{{"first_year":2027,"years":5}},"money_eur":100000,"staff_fte":2,"must":["A","B"],"measures":{measures}}}"#
        ),
    );
    let out = run(&["plan", &infeasible], None);
    assert!(!out.status.success());
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["status"], "infeasible");
    assert_eq!(
        plan["conflicts"],
        serde_json::json!([{"rule":"must","measure":"A"},{"rule":"must","measure":"B"},{"rule":"money"}])
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"A\" must be in") && err.contains("money available"),
        "{err}"
    );

    // Bad input: every culprit named, nothing solved, nothing on stdout.
    let bad = file(
        "bad.json",
        r#"{"horizon":{"first_year":2027,"years":5},"money_eur":-5,"staff_fte":2,"measures":[
          {"key":"A","field":1,"goals":{"1.1":3},"planned_start":2027,"staff_fte":0,"money_eur":1,"requires":["B"]},
          {"key":"B","field":1,"goals":{"1.1":3},"planned_start":2027,"staff_fte":0,"money_eur":1,"requires":["A"]}]}"#,
    );
    let out = run(&["plan", &bad], None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("money_eur: is negative (-5)"), "{err}");
    assert!(err.contains("A → B → A"), "{err}");
    let out = run(&["plan", &file("junk.json", "{\"horizon\": 3}")], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a scenario"));
    std::fs::remove_dir_all(&dir).ok();
}
