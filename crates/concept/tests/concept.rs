#![allow(clippy::unwrap_used, clippy::expect_used)]

use th_concept::*;
use th_core::{Locale, TenantId};
use th_storage::testkit;

fn input() -> ConceptInput {
    serde_json::from_value(serde_json::json!({
        "title": {"de": "Konzept", "en": "Concept"},
        "summary": {"de": "Kurz."},
        "fields": [
            {"number": 1, "title": {"de": "Teilhabe"}, "description": {"de": "Alle machen mit."},
             "goals": [{"number": "1.1", "title": {"de": "Beiräte stärken"}}, {"number": "1.2", "title": {"de": "Wahlbeteiligung"}}]},
            {"number": 2, "title": {"de": "Arbeit"}, "description": {"de": ""}, "goals": []}
        ]
    }))
    .unwrap()
}

async fn setup(db: &th_storage::Db) -> (TenantId, i64) {
    let t = db.ensure_default_tenant(1).await.unwrap().id;
    let mut tx = db.begin().await.unwrap();
    let v = create_version(db, &mut tx, t, &input(), Status::Adopted, 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (t, v)
}

#[tokio::test]
async fn a_cached_version_is_reloaded_when_another_node_changes_it() {
    for db in testkit::all().await {
        let (t, v1) = setup(&db).await;
        let (node_a, node_b) = (Cache::new(), Cache::new());
        let first = node_a.current(&db, t).await.unwrap().unwrap();
        assert!(
            std::sync::Arc::ptr_eq(&first, &node_a.current(&db, t).await.unwrap().unwrap()),
            "served from the cache"
        );
        let actor = Actor {
            tenant: t,
            user_id: 1,
            now: 20,
        };
        let draft = new_draft(&db, actor, v1).await.unwrap();
        let goal = first.fields[0].goals[0].id;
        edit_goal(
            &db,
            actor,
            draft,
            goal,
            TextEdit {
                locale: Locale::De,
                title: "Beiräte stärken und vernetzen",
                description: "",
            },
        )
        .await
        .unwrap();
        // Node B sees the draft's change, node A still shows the adopted version until adoption.
        assert_eq!(
            node_b
                .by_number(&db, t, 2)
                .await
                .unwrap()
                .unwrap()
                .goal(goal)
                .unwrap()
                .1
                .title
                .de(),
            "Beiräte stärken und vernetzen"
        );
        adopt(&db, actor, draft).await.unwrap();
        let now = node_a.current(&db, t).await.unwrap().unwrap();
        assert_eq!(now.info.number, 2);
        assert_eq!(
            now.goal(goal).unwrap().1.title.de(),
            "Beiräte stärken und vernetzen"
        );
        let old = node_a.by_number(&db, t, 1).await.unwrap().unwrap();
        assert_eq!(
            old.info.status,
            Status::Superseded,
            "the superseded version is reloaded too"
        );
        assert_eq!(old.goal(goal).unwrap().1.title.de(), "Beiräte stärken");
    }
}

#[tokio::test]
async fn drafts_keep_numbers_stable_and_never_reuse_them() {
    for db in testkit::all().await {
        let (t, v1) = setup(&db).await;
        let actor = Actor {
            tenant: t,
            user_id: 1,
            now: 20,
        };
        let draft = new_draft(&db, actor, v1).await.unwrap();
        assert!(matches!(
            new_draft(&db, actor, v1).await,
            Err(ConceptError::DraftExists)
        ));
        let v = load(&db, t, draft).await.unwrap().unwrap();
        let field2 = v.field_by_number(2).unwrap().id;
        assert_eq!(
            add_goal(&db, actor, draft, field2, "Fachkräfte gewinnen", "")
                .await
                .unwrap(),
            "2.1"
        );
        let g12 = v.fields[0].goals[1].id;
        remove_goal(&db, actor, draft, g12).await.unwrap();
        let field1 = v.fields[0].id;
        assert_eq!(
            add_goal(&db, actor, draft, field1, "Neues Ziel", "")
                .await
                .unwrap(),
            "1.3",
            "1.2 is not reused"
        );
        // Adopted versions cannot change.
        assert!(matches!(
            edit_goal(
                &db,
                actor,
                v1,
                g12,
                TextEdit {
                    locale: Locale::De,
                    title: "x",
                    description: ""
                }
            )
            .await,
            Err(ConceptError::NotADraft)
        ));
        let changes = diff(
            &load(&db, t, v1).await.unwrap().unwrap(),
            &load(&db, t, draft).await.unwrap().unwrap(),
            Locale::De,
        );
        let kinds: Vec<(ChangeKind, &str)> = changes
            .iter()
            .map(|c| (c.kind, c.number.as_str()))
            .collect();
        assert!(kinds.contains(&(ChangeKind::Added, "2.1")));
        assert!(kinds.contains(&(ChangeKind::Added, "1.3")));
        assert!(kinds.contains(&(ChangeKind::Removed, "1.2")));
        assert_eq!(history(&db, t, draft).await.unwrap().len(), 4);
    }
}

#[test]
fn invalid_concepts_are_refused_whole() {
    let mut c = input();
    c.fields[0].goals[1].number = "1.1".into();
    c.fields[1].goals.push(GoalInput {
        number: "3.1".into(),
        illustrative: false,
        title: Default::default(),
        description: Default::default(),
    });
    let v = validate_input(&c);
    let fields: Vec<&str> = v.errors.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"goals.1.1"), "{fields:?}");
    assert!(fields.contains(&"goals.3.1.number"));
    assert!(fields.contains(&"goals.3.1.title.de"));
}
