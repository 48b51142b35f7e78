#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Conversations in the database on both backends: statements, moderation, votes (one per
//! person and statement, changeable), the next statement, the computing node's incremental
//! update and lease (two nodes, one computes, both read the same result), the Polis import and
//! export round trip, and bad input that changes nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use th_core::{ManualClock, TenantId};
use th_opinion::live::Worker;
use th_opinion::store::{self, Decision, Error, NewConversation, Status, Who};
use th_opinion::{polis, Model};
use th_storage::{testkit, Db};

const NOW: i64 = 1_795_000_000;

async fn tenant(db: &Db) -> TenantId {
    db.ensure_default_tenant(NOW).await.unwrap();
    db.default_tenant().await.unwrap().unwrap().id
}

fn new_conv(strict: bool) -> NewConversation<'static> {
    NewConversation {
        process_id: None,
        topic: "Willkommenskultur in der Region",
        description: "Wie wollen wir Neue empfangen?",
        locale: "de",
        strict,
    }
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[tokio::test]
async fn statements_votes_moderation_and_the_live_map() {
    for db in testkit::all().await {
        let db = &db.db;
        let t = tenant(db).await;
        let c = store::create(db, t, &new_conv(true), NOW).await.unwrap();
        let alice = Who::Anonymous("a".repeat(64));
        let bob = Who::User(7);
        let s0 = store::add_statement(
            db,
            t,
            c,
            &alice,
            "Behörden sollten Briefe auch auf Englisch schicken.",
            "de",
            NOW,
        )
        .await
        .unwrap();
        let s1 = store::add_statement(
            db,
            t,
            c,
            &bob,
            "  Mehr   Patenschaften für Neue  ",
            "de",
            NOW,
        )
        .await
        .unwrap();
        assert_eq!((s0, s1), (0, 1));
        // Blank, too long and duplicate statements are refused.
        assert!(matches!(
            store::add_statement(db, t, c, &bob, "   ", "de", NOW).await,
            Err(Error::Invalid("statement-missing"))
        ));
        assert!(matches!(
            store::add_statement(db, t, c, &bob, &"x".repeat(301), "de", NOW).await,
            Err(Error::Invalid("statement-too-long"))
        ));
        let rows = store::statements(db, t, c).await.unwrap();
        assert_eq!(
            rows[1].body, "Mehr Patenschaften für Neue",
            "whitespace collapsed"
        );
        // Strict moderation: nobody votes before a moderator accepted.
        assert!(matches!(
            store::vote(db, t, c, &bob, s0, 1, NOW).await,
            Err(Error::NotVotable)
        ));
        store::moderate(db, t, c, s0, Decision::Accept, NOW)
            .await
            .unwrap();
        store::moderate(db, t, c, s1, Decision::Reject, NOW)
            .await
            .unwrap();
        // A duplicate of a visible statement is refused; one of a rejected statement is not
        // (nobody may learn what was rejected or is waiting).
        assert!(matches!(
            store::add_statement(
                db,
                t,
                c,
                &alice,
                "Behörden sollten Briefe auch auf Englisch schicken.",
                "de",
                NOW
            )
            .await,
            Err(Error::Invalid("statement-duplicate"))
        ));
        let again =
            store::add_statement(db, t, c, &alice, "Mehr Patenschaften für Neue", "de", NOW)
                .await
                .unwrap();
        store::moderate(db, t, c, again, Decision::Reject, NOW)
            .await
            .unwrap();
        assert!(
            matches!(
                store::vote(db, t, c, &bob, s1, 1, NOW).await,
                Err(Error::NotVotable)
            ),
            "rejected"
        );
        assert!(matches!(
            store::vote(db, t, c, &bob, s0, 2, NOW).await,
            Err(Error::Invalid("vote-value"))
        ));
        assert!(matches!(
            store::vote(db, t, c, &bob, 99, 1, NOW).await,
            Err(Error::NotFound)
        ));
        // One vote per person and statement, changeable.
        let pb = store::vote(db, t, c, &bob, s0, 1, NOW).await.unwrap();
        assert_eq!(
            store::vote(db, t, c, &bob, s0, -1, NOW + 1).await.unwrap(),
            pb
        );
        assert_eq!(
            store::votes_of(db, t, c, pb).await.unwrap(),
            HashMap::from([(s0, -1)])
        );
        // Many participants so the map has groups: two camps on twelve statements.
        let mut nums = vec![s0];
        for i in 0..11 {
            let n =
                store::add_statement(db, t, c, &alice, &format!("Aussage Nummer {i}"), "de", NOW)
                    .await
                    .unwrap();
            store::moderate(
                db,
                t,
                c,
                n,
                if i == 10 {
                    Decision::Meta
                } else {
                    Decision::Accept
                },
                NOW,
            )
            .await
            .unwrap();
            nums.push(n);
        }
        for p in 0..40i64 {
            let who = Who::Anonymous(format!("{p:064}"));
            for (k, &n) in nums.iter().enumerate() {
                if k as i64 == p % 12 {
                    continue; // everyone skips one, so the camps are not single points
                }
                let v = if (p % 2 == 0) == (k % 2 == 0) { 1 } else { -1 };
                store::vote(db, t, c, &who, n, v, NOW).await.unwrap();
            }
        }
        // Two nodes: exactly one computes; both read the same stored result.
        let other = Db::connect(db.url()).await.unwrap();
        let a = Worker::new("node-a");
        let b = Worker::new("node-b");
        let ta = a.tick(db, &ManualClock::at(NOW)).await.unwrap();
        let tb = b.tick(&other, &ManualClock::at(NOW)).await.unwrap();
        assert_eq!((ta.computed, tb.computed), (1, 0));
        let (seq, res) = store::result(db, t, c).await.unwrap().unwrap();
        let (seq2, res2) = store::result(&other, t, c).await.unwrap().unwrap();
        assert_eq!((seq, &res), (seq2, &res2));
        assert_eq!(res.groups.len(), 2, "two camps");
        assert_eq!(res.participants, 41);
        assert!(res.groups.iter().all(|g| g.size == 20));
        // The meta statement and the rejected one are never representative.
        for g in &res.groups {
            assert!(g
                .representative
                .iter()
                .all(|r| r.comment_id != s1 && r.comment_id != nums[11]));
        }
        // Nothing new: nothing to compute.
        assert_eq!(a.tick(db, &ManualClock::at(NOW)).await.unwrap().computed, 0);
        // A new vote is reflected after the next tick, incrementally.
        let carol = Who::Anonymous("c".repeat(64));
        store::vote(db, t, c, &carol, s0, 1, NOW + 2).await.unwrap();
        assert_eq!(
            a.tick(db, &ManualClock::at(NOW + 2))
                .await
                .unwrap()
                .computed,
            1
        );
        let (seq3, res3) = store::result(db, t, c).await.unwrap().unwrap();
        assert!(seq3 > seq);
        assert_eq!(res3.participants, 42);
        // Node b takes over when a's lease runs out, starting from the stored model.
        store::vote(db, t, c, &carol, nums[1], 1, NOW + 3)
            .await
            .unwrap();
        assert_eq!(
            b.tick(&other, &ManualClock::at(NOW + 3))
                .await
                .unwrap()
                .computed,
            0,
            "a's lease holds"
        );
        assert_eq!(
            b.tick(&other, &ManualClock::at(NOW + 3 + 31))
                .await
                .unwrap()
                .computed,
            1
        );
        let (_, res4) = store::result(db, t, c).await.unwrap().unwrap();
        assert_eq!(res4.votes, res3.votes + 1);
        assert_eq!(res4.groups.len(), 2);
        // Next statement: meta first, never one already voted on, none when all are done.
        let rows = store::statements(db, t, c).await.unwrap();
        let mine = store::votes_of(
            db,
            t,
            c,
            store::participant_of(db, t, c, &carol)
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap();
        let next = store::next_statement(&rows, true, &mine, Some(&res4), 1);
        assert_eq!(next, Some(nums[11]), "meta statements come first");
        let all: HashMap<i64, i64> = rows.iter().map(|r| (r.num, 1)).collect();
        assert_eq!(
            store::next_statement(&rows, true, &all, Some(&res4), 1),
            None
        );
        // Closed conversations take nothing.
        store::set_status(db, t, c, Status::Closed, NOW)
            .await
            .unwrap();
        assert!(matches!(
            store::vote(db, t, c, &carol, nums[2], 1, NOW).await,
            Err(Error::Closed)
        ));
        assert!(matches!(
            store::add_statement(db, t, c, &carol, "Neu", "de", NOW).await,
            Err(Error::Closed)
        ));
    }
}

#[tokio::test]
async fn polis_import_and_export_round_trip() {
    for db in testkit::all().await {
        let db = &db.db;
        let t = tenant(db).await;
        let export = polis::read_dir(&data("moderated"), &|_, _| {}).unwrap();
        let mut nc = new_conv(false);
        nc.topic = "Imported";
        let c = store::import(db, t, &export, &nc, Status::Closed, NOW)
            .await
            .unwrap();
        let row = store::get(db, t, c).await.unwrap().unwrap();
        assert_eq!(row.status, Status::Closed);
        let (conv, _) = store::load(db, t, &row).await.unwrap();
        assert_eq!(
            conv.participants.len(),
            export.conversation.participants.len()
        );
        assert_eq!(conv.vote_count(), export.conversation.vote_count());
        // The stored conversation analyses exactly like the files.
        let a = Model::analyse(&conv, 1);
        let b = Model::analyse(&export.conversation, 1);
        assert_eq!(
            a.groups.iter().map(|g| g.size).collect::<Vec<_>>(),
            b.groups.iter().map(|g| g.size).collect::<Vec<_>>()
        );
        assert_eq!(a.group_informed_consensus, b.group_informed_consensus);
        // Export and read back: the same votes and moderation, with group ids and GIC.
        let dir = std::env::temp_dir().join(format!("th-polis-export-{}-{c}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let comments: Vec<polis::Comment> = export.comments.clone();
        polis::write_dir(
            &dir,
            &conv,
            &a,
            &polis::ExportMeta {
                topic: "Imported",
                description: "",
                url: "",
                comments: &comments,
                vote_time: &|_, _| NOW * 1000,
            },
        )
        .unwrap();
        let back = polis::read_dir(&dir, &|_, _| {}).unwrap();
        assert_eq!(back.conversation.vote_count(), conv.vote_count());
        assert_eq!(
            back.comments
                .iter()
                .map(|c| (c.id, c.moderated, c.meta))
                .collect::<Vec<_>>(),
            export
                .comments
                .iter()
                .map(|c| (c.id, c.moderated, c.meta))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            back.polis_groups.len() as u64,
            a.in_conv_count,
            "group-id for every clustered participant"
        );
        let gic_col = std::fs::read_to_string(dir.join("comments.csv")).unwrap();
        assert!(gic_col
            .lines()
            .next()
            .unwrap()
            .contains("group-informed-consensus"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn broken_exports_are_refused_with_the_line() {
    let dir = std::env::temp_dir().join(format!("th-polis-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    let err = |dir: &std::path::Path| polis::read_dir(dir, &|_, _| {}).unwrap_err().to_string();
    write("comments.csv", "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,,0,1,0,0,1,Eins\n2,,1,1,0,0,0,Zwei\n");
    write(
        "votes.csv",
        "timestamp,datetime,comment-id,voter-id,vote\n1,,0,5,1\n2,,7,5,1\n3,,1,5,2\n4,,1,x,1\n",
    );
    let e = err(&dir);
    assert!(
        e.contains("votes.csv, line 3: comment-id 7 is not in comments.csv"),
        "{e}"
    );
    assert!(e.contains("votes.csv, line 4: vote \"2\" must be"), "{e}");
    assert!(e.contains("votes.csv, line 5: voter-id \"x\""), "{e}");
    write(
        "votes.csv",
        "timestamp,comment-id,voter-id,vote,vote\n1,0,5,1,1\n",
    );
    assert!(err(&dir).contains("the column \"vote\" appears twice"));
    write("votes.csv", "");
    assert!(err(&dir).contains("votes.csv: the file is empty"));
    write("votes.csv", "timestamp,comment-id,voter-id,vote\n");
    assert!(err(&dir).contains("no votes"));
    write("comments.csv", "comment-id,moderated\n0,1\n0,1\n1,5\n");
    let e = err(&dir);
    assert!(
        e.contains("comments.csv, line 3: comment-id 0 appeared before on line 2"),
        "{e}"
    );
    assert!(e.contains("comments.csv, line 4: moderated \"5\""), "{e}");
    write("comments.csv", "");
    assert!(err(&dir).contains("comments.csv: the file is empty"));
    let _ = std::fs::remove_dir_all(&dir);
}
