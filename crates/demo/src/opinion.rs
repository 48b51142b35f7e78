//! The demo's opinion map: "Willkommenskultur" in the 2027 revision, 3,000 residents (synthetic,
//! seeded) voting on 24 statements, with three opinion camps planted — welcoming and wanting
//! more services, worried about the strain, and pragmatic about work and language — and
//! statements that all of them agree on. Deterministic.

use th_core::TenantId;
use th_opinion::matrix::{Conversation, Statement};
use th_opinion::polis::{Comment, Export};
use th_opinion::store::{self, NewConversation, Status};
use th_storage::Db;

pub const RESIDENTS: i64 = 3_000;

/// (statement, stance of camps A, B, C from -1 = disagree to 1 = agree)
const STATEMENTS: &[(&str, [f64; 3])] = &[
    (
        "Informationen für Neuzugewanderte sollte es in den wichtigsten Herkunftssprachen geben.",
        [0.9, 0.6, 0.8],
    ),
    (
        "Die Ausländerbehörde braucht mehr Personal, damit Termine schneller vergeben werden.",
        [0.9, 0.5, 0.8],
    ),
    (
        "Kinder sollten unabhängig vom Aufenthaltsstatus früh einen Kita-Platz bekommen.",
        [0.9, -0.6, 0.4],
    ),
    (
        "Die Region nimmt schon mehr Menschen auf, als Schulen und Wohnungen verkraften.",
        [-0.9, 0.9, 0.0],
    ),
    (
        "Ehrenamtliche Willkommensinitiativen verdienen feste Fördergelder.",
        [0.95, -0.3, -0.6],
    ),
    (
        "Wer hier lebt, sollte so schnell wie möglich arbeiten dürfen.",
        [0.2, -0.3, 0.95],
    ),
    (
        "Deutschkurse sollten auch abends und am Wochenende angeboten werden.",
        [0.7, 0.4, 0.9],
    ),
    (
        "Ausländische Berufsabschlüsse werden zu langsam anerkannt.",
        [0.4, -0.5, 0.95],
    ),
    (
        "Für Integration ist vor allem die Eigeninitiative der Zugewanderten entscheidend.",
        [-0.8, 0.3, 0.95],
    ),
    (
        "Mehrsprachige Beschäftigte in der Verwaltung sind ein Gewinn für alle.",
        [0.9, -0.5, 0.5],
    ),
    (
        "Die Sorgen der Nachbarschaft werden bei neuen Unterkünften zu wenig gehört.",
        [-0.6, 0.95, 0.2],
    ),
    (
        "Betriebe sollten Geflüchteten leichter einen Ausbildungsplatz geben können.",
        [0.3, -0.6, 0.95],
    ),
    (
        "Willkommensfeste in den Stadtteilen bringen Alteingesessene und Neue zusammen.",
        [0.95, -0.2, -0.7],
    ),
    (
        "Sozialleistungen sollten an den Besuch eines Sprachkurses geknüpft sein.",
        [-0.9, 0.9, 0.7],
    ),
    (
        "Schulen brauchen mehr Sprachförderkräfte für Seiteneinsteiger.",
        [0.9, 0.2, 0.7],
    ),
    (
        "Eine zentrale Anlaufstelle für alle Fragen der Anerkennung würde vieles vereinfachen.",
        [0.8, 0.5, 0.9],
    ),
    (
        "Die Politik redet Probleme mit Zuwanderung schön.",
        [-0.9, 0.9, -0.2],
    ),
    (
        "Migrantenvereine sollten in allen Kommunen im Integrationsbeirat mitreden.",
        [0.9, -0.4, 0.2],
    ),
    (
        "Praktika in Betrieben helfen beim Deutschlernen mehr als jeder Kurs.",
        [-0.7, -0.6, 0.95],
    ),
    (
        "Dolmetscherinnen und Dolmetscher beim Arzt sollten von der Krankenkasse bezahlt werden.",
        [0.9, -0.5, 0.3],
    ),
    (
        "Neuzugewanderte sollten gleichmäßiger auf alle 21 Kommunen verteilt werden.",
        [0.1, 0.8, 0.6],
    ),
    (
        "Wohnraum für alle zu schaffen ist wichtiger als Integrationsprojekte.",
        [-0.8, 0.2, 0.9],
    ),
    (
        "Ich fühle mich über die Integrationsarbeit der Region gut informiert.",
        [0.0, -0.6, -0.2],
    ),
    (
        "Sprachkurse mit Kinderbetreuung sollten überall in der Region angeboten werden.",
        [0.9, 0.5, 0.8],
    ),
];

/// Share of residents per camp (A, B, C).
const CAMPS: [f64; 3] = [0.42, 0.31, 0.27];

/// The same small generator the opinion crate uses, so the demo is the same on every machine.
fn rng(seed: u64) -> th_opinion::math::SplitMix {
    th_opinion::math::SplitMix(seed)
}

/// Builds the conversation's votes: each resident sees about two thirds of the statements and
/// votes by their camp's stance with some noise.
pub fn export(start_ms: i64) -> Export {
    let mut r = rng(2016);
    let statements: Vec<Statement> = (0..STATEMENTS.len() as i64).map(Statement::new).collect();
    let mut conv = Conversation::new();
    for s in &statements {
        conv.statement(s.clone());
    }
    for p in 0..RESIDENTS {
        let u = r.uniform();
        let camp = if u < CAMPS[0] {
            0
        } else if u < CAMPS[0] + CAMPS[1] {
            1
        } else {
            2
        };
        for (j, (_, stance)) in STATEMENTS.iter().enumerate() {
            if r.uniform() > 0.68 {
                continue;
            }
            let x = r.unit();
            let s = stance[camp];
            let v = if x < s - 0.25 {
                1
            } else if x > s + 0.25 {
                -1
            } else {
                0
            };
            conv.vote(p, j as i64, v);
        }
    }
    let comments = STATEMENTS
        .iter()
        .enumerate()
        .map(|(j, (body, _))| Comment {
            id: j as i64,
            author: None,
            timestamp_ms: Some(start_ms + j as i64 * 60_000),
            moderated: 1,
            meta: false,
            body: (*body).to_string(),
        })
        .collect();
    Export {
        comments,
        conversation: conv,
        ..Default::default()
    }
}

pub async fn load(db: &Db, t: TenantId, process: Option<i64>, now: i64) -> Result<i64, String> {
    let e = export(now * 1000);
    store::import(
        db,
        t,
        &e,
        &NewConversation {
            process_id: process,
            topic: "Willkommenskultur in der Region Hannover",
            description: "Wie soll die Region Menschen empfangen, die neu zu uns kommen? Stimmen Sie den Aussagen anderer zu, lehnen Sie sie ab oder überspringen Sie sie – und schreiben Sie eigene. Die Karte zeigt, welche Meinungsgruppen es gibt und worin sich alle einig sind.",
            locale: "de",
            strict: true,
        },
        Status::Open,
        now,
    )
    .await
    .map_err(|e| format!("opinion map: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_conversation_shows_three_groups_and_consensus() {
        let e = super::export(0);
        let a = th_opinion::Model::analyse(&e.conversation, 1);
        assert_eq!(a.participants, super::RESIDENTS as u64);
        assert_eq!(
            a.groups.len(),
            3,
            "silhouette {:.3}, sizes {:?}",
            a.silhouette,
            a.groups.iter().map(|g| g.size).collect::<Vec<_>>()
        );
        assert!(a.consensus_agree.len() >= 3);
        assert!(a.groups.iter().all(|g| g.size > 500));
    }
}
