//! The Wegweiser's search at scale, side by side with PostgreSQL full-text search (what
//! Decidim uses, through pg_search) on the same corpus and the same queries, in one run.
//! Not a test: `bench/guide_search.sh` runs it and its figures go into bench/RESULTS.md.
//!
//! 1. Fills a PostgreSQL database (BENCH_POSTGRES, a server URL without database) with the demo
//!    and copies of its 403 services until there are BENCH_SERVICES (default 50,000), each copy
//!    in another municipality with its own name.
//! 2. Rebuilds the tantivy index from the database (target: under 10 s).
//! 3. Builds the PostgreSQL side: one tsvector per service over the same words the index gets
//!    (texts in every language, topic names and search words), 'simple' configuration, GIN
//!    index, filters as lexemes of a second tsvector.
//! 4. Runs every query of the committed quality set with a filter combination (place and its
//!    neighbours, spoken language, free, open on a day), top ten, one at a time on each side,
//!    BENCH_ROUNDS rounds; prints p50/p99/max for both and the ratio.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use th_core::{Locale, TenantId};
use th_directory::search::{Registry, SearchQuery};
use th_directory::{taxonomy, Actor, Review, WriteOpts};
use th_storage::{sqlx, Db, Row};

#[derive(serde::Deserialize)]
struct Case {
    locale: String,
    q: String,
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let server = std::env::var("BENCH_POSTGRES").expect("BENCH_POSTGRES=postgres://user@host:port");
    let target: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let name = format!("bench_guide_{}", std::process::id());
    let admin = Db::connect(&format!("{server}/postgres")).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .unwrap();
    let db = Db::connect(&format!("{server}/{name}")).await.unwrap();
    db.migrate().await.unwrap();
    let now = 1_795_000_000;
    th_demo::load(&db, now).await.unwrap();
    let t = db.default_tenant().await.unwrap().unwrap().id;

    // 1. The corpus.
    let t0 = Instant::now();
    let demo = th_directory::load(&db, t, th_directory::Which::All)
        .await
        .unwrap();
    let towns: Vec<String> = db
        .municipalities(t)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    let mut n = demo.len();
    let mut copy = 0;
    while n < target {
        copy += 1;
        let mut tx = db.begin().await.unwrap();
        for (i, s) in demo.iter().enumerate() {
            if n >= target {
                break;
            }
            let mut input = s.input();
            let town = &towns[(i + copy) % towns.len()];
            if input.areas != ["region"] {
                input.areas = vec![town.clone()];
            }
            if let Some(de) = input.texts.get_mut("de") {
                de.name = format!("{} {copy}", de.name);
            }
            th_directory::insert(
                &db,
                &mut tx,
                t,
                &input,
                Review::Published,
                &WriteOpts {
                    key: Some(format!("{}-copy-{copy}", s.key)),
                    fictitious: true,
                    verified_at: None,
                },
                Actor { user: None, now },
            )
            .await
            .unwrap();
            n += 1;
        }
        tx.commit().await.unwrap();
    }
    eprintln!(
        "corpus: {n} services in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 2. The index, from the database.
    let t0 = Instant::now();
    let loaded = th_directory::load(&db, t, th_directory::Which::All)
        .await
        .unwrap()
        .len();
    eprintln!(
        "loading {loaded} services from PostgreSQL: {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    let reg = Registry::new();
    let t0 = Instant::now();
    let idx = reg.rebuild(&db, t).await.unwrap();
    let rebuild = t0.elapsed();

    // 3. PostgreSQL full-text search over the same words.
    let t0 = Instant::now();
    sqlx::query("CREATE TABLE bench_fts (id BIGINT PRIMARY KEY, doc TSVECTOR NOT NULL, tags TSVECTOR NOT NULL)").execute(db.pool()).await.unwrap();
    let all = th_directory::load(&db, t, th_directory::Which::All)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    for s in &all {
        let mut words = String::new();
        for x in s.texts.values() {
            words.push_str(&format!("{} {} {} ", x.name, x.description, x.eligibility));
        }
        for code in &s.topics {
            for term in taxonomy::with_ancestors(code) {
                for l in Locale::ALL {
                    words.push_str(term.name(l));
                    words.push(' ');
                    if let Some(k) = term.keywords.get(l.tag()) {
                        words.push_str(&k.join(" "));
                        words.push(' ');
                    }
                }
            }
        }
        let mut tags: Vec<String> = s.languages.iter().map(|l| format!("lang_{l}")).collect();
        for a in &s.areas {
            if a == "region" {
                tags.extend(towns.iter().map(|t| format!("area_{t}")));
            } else {
                tags.push(format!("area_{a}"));
            }
        }
        if s.free {
            tags.push("free".into());
        }
        for h in &s.schedules {
            tags.push(format!("day_{}", h.weekday));
        }
        sqlx::query("INSERT INTO bench_fts (id, doc, tags) VALUES ($1, to_tsvector('simple', $2), to_tsvector('simple', $3))")
            .bind(s.id)
            .bind(&words)
            .bind(tags.join(" "))
            .execute(tx.conn())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("CREATE INDEX bench_fts_doc ON bench_fts USING GIN (doc)")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("CREATE INDEX bench_fts_tags ON bench_fts USING GIN (tags)")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("ANALYZE bench_fts")
        .execute(db.pool())
        .await
        .unwrap();
    let pg_build = t0.elapsed();

    // 4. The queries, each with a filter combination.
    let cases: Vec<Case> =
        serde_json::from_str(include_str!("../data/search_queries.json")).unwrap();
    let near = |i: usize| -> Vec<String> {
        let a = &towns[i % towns.len()];
        let b = &towns[(i + 5) % towns.len()];
        vec![a.clone(), b.clone()]
    };
    let mut ours = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    let mut theirs = Vec::new();
    let mut found_ours = 0usize;
    let mut found_theirs = 0usize;
    for round in 0..rounds {
        for (i, c) in cases.iter().enumerate() {
            let areas = near(i + round);
            let lang = ["ar", "tr", "de", "uk"][i % 4].to_string();
            let free = i % 3 == 0;
            let day = (i % 5) as u8 + 1;
            let q = SearchQuery {
                text: c.q.clone(),
                locale: Locale::parse(&c.locale),
                languages: vec![lang.clone()],
                areas: areas.clone(),
                free,
                open_on: Some(day),
                limit: 10,
                ..Default::default()
            };
            let t0 = Instant::now();
            let hits = idx.search(&q).unwrap();
            let took = t0.elapsed();
            ours.push(took);
            slowest.push((
                took,
                format!("{} {:?} free={free} day={day} lang={lang}", c.locale, c.q),
            ));
            found_ours += hits.ids.len();

            // PostgreSQL: any of the words (like our OR of terms), ranked, same filters.
            let words: Vec<String> =
                c.q.split_whitespace()
                    .map(|w| w.replace(['\'', '\\', ':', '&', '|', '!', '(', ')', '<', '>'], ""))
                    .filter(|w| !w.is_empty())
                    .collect();
            let mut tag_q = format!(
                "lang_{lang} & ({}) & day_{day}",
                areas
                    .iter()
                    .map(|a| format!("area_{a}"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            if free {
                tag_q.push_str(" & free");
            }
            let t0 = Instant::now();
            let rows = sqlx::query("SELECT id FROM bench_fts, to_tsquery('simple', $1) q WHERE doc @@ q AND tags @@ to_tsquery('simple', $2) ORDER BY ts_rank(doc, q) DESC LIMIT 10")
                .bind(words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" | "))
                .bind(&tag_q)
                .fetch_all(db.pool())
                .await
                .unwrap();
            theirs.push(t0.elapsed());
            found_theirs += rows.len();
            let _ = rows.first().map(|r| r.get::<i64, _>(0));
        }
    }
    let (o50, o99, omax) = (
        pct(&mut ours, 0.5),
        pct(&mut ours, 0.99),
        pct(&mut ours, 1.0),
    );
    let (p50, p99, pmax) = (
        pct(&mut theirs, 0.5),
        pct(&mut theirs, 0.99),
        pct(&mut theirs, 1.0),
    );
    println!("services: {n}; queries: {} ({} rounds of {} with place+neighbour, language, day, every third free)", ours.len(), rounds, cases.len());
    println!(
        "index rebuild from the database: {:.2} s (PostgreSQL tsvector + GIN build: {:.2} s)",
        rebuild.as_secs_f64(),
        pg_build.as_secs_f64()
    );
    println!(
        "teilhabe (tantivy):      p50 {}  p99 {}  max {}  ({} hits)",
        ms(o50),
        ms(o99),
        ms(omax),
        found_ours
    );
    println!(
        "PostgreSQL full text:    p50 {}  p99 {}  max {}  ({} hits)",
        ms(p50),
        ms(p99),
        ms(pmax),
        found_theirs
    );
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (d, q) in slowest.iter().take(8) {
        println!("  slow: {} {q}", ms(*d));
    }
    println!(
        "ratio at p99: {:.1}x, at p50: {:.1}x",
        p99.as_secs_f64() / o99.as_secs_f64(),
        p50.as_secs_f64() / o50.as_secs_f64()
    );
    db.close().await;
    sqlx::query(&format!("DROP DATABASE {name}"))
        .execute(admin.pool())
        .await
        .ok();
    let _ = TenantId(0);
}
