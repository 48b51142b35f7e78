//! The participation processes of the demo: the finished one that wrote the 2016 concept, and
//! the revision that is about to start, with its invitation ready to send.

use th_core::{Locale, TenantId};
use th_participation::campaign::{self, CampaignFilter, NewCampaign};
use th_participation::process::{self, NewProcess, PhaseKind};
use th_storage::Tx;

/// Midnight of a date in Germany (phases start and end at local midnight, as entered).
fn day(y: i32, m: u8, d: u8) -> i64 {
    th_core::localtime::parse_local(&format!("{y:04}-{m:02}-{d:02}T00:00")).unwrap_or(0)
}

fn invitation_from(now: i64) -> i64 {
    let today = th_core::localtime::local(now).date();
    let midnight = th_core::localtime::from_local(today.midnight());
    (midnight - 7 * 86_400).min(day(2027, 1, 11))
}

pub async fn load(tx: &mut Tx, t: TenantId, now: i64) -> Result<(), th_participation::PartError> {
    process::create_process(
        tx,
        t,
        NewProcess {
            title: &[(Locale::De, "Integrationskonzept 2016"), (Locale::En, "Integration concept 2016")],
            description: &[
                (Locale::De, "Über drei Jahre haben rund 700 Vereine, Verbände und Einrichtungen Wünsche, Ideen und gute Beispiele eingebracht und in Diskussionsforen und Werkstätten die acht Handlungsfelder erarbeitet."),
                (Locale::En, "Over three years, about 700 associations, federations and institutions contributed wishes, ideas and good examples and worked out the eight fields of action in discussion forums and workshops."),
            ],
            moderation: "after",
            retention_days: 5 * 365,
            phases: &[
                (PhaseKind::Invitation, day(2013, 9, 1), day(2013, 12, 1)),
                (PhaseKind::Collecting, day(2013, 12, 1), day(2014, 7, 1)),
                (PhaseKind::Forums, day(2014, 9, 1), day(2015, 4, 1)),
                (PhaseKind::Workshops, day(2015, 4, 1), day(2015, 11, 1)),
                (PhaseKind::Drafting, day(2015, 11, 1), day(2016, 7, 1)),
                (PhaseKind::Decision, day(2016, 7, 1), day(2016, 9, 28)),
            ],
        },
        day(2013, 8, 1),
    )
    .await?;
    let revision = process::create_process(
        tx,
        t,
        NewProcess {
            title: &[(Locale::De, "Fortschreibung des Integrationskonzepts 2027"), (Locale::En, "Revision of the integration concept 2027")],
            description: &[
                (Locale::De, "Das Konzept bleibt fortschreibbar: Die Region lädt die Organisationen erneut ein, zu sagen, was sich bewährt hat und was fehlt."),
                (Locale::En, "The concept stays revisable: the region invites the organisations again to say what has worked and what is missing."),
            ],
            moderation: "after",
            retention_days: 2 * 365,
            phases: &[
                // The invitation is open from a week before the demo was loaded (at the latest
                // from 11 January 2027), so that there is always a process to take part in.
                (PhaseKind::Invitation, invitation_from(now), day(2027, 3, 1)),
                (PhaseKind::Collecting, day(2027, 3, 1), day(2027, 6, 1)),
                (PhaseKind::Forums, day(2027, 6, 1), day(2027, 10, 1)),
                (PhaseKind::Workshops, day(2027, 10, 1), day(2028, 2, 1)),
                (PhaseKind::Drafting, day(2028, 2, 1), day(2028, 6, 1)),
                (PhaseKind::Decision, day(2028, 6, 1), day(2028, 10, 1)),
            ],
        },
        now,
    )
    .await?;
    campaign::create_campaign(
        tx,
        t,
        &NewCampaign {
            process_id: revision,
            name: "Einladung zur Fortschreibung: Wohlfahrtsverbände und Migrantenselbstorganisationen",
            filter: CampaignFilter { kinds: vec!["welfare".into(), "migrant_organisation".into()], ..Default::default() },
            link_days: 90,
            texts: vec![
                (Locale::De, "Einladung: Fortschreibung des Integrationskonzepts", "Sehr geehrte Damen und Herren,\n\ndie Region Hannover schreibt ihr Integrationskonzept „Vielfalt und Zusammenhalt“ fort. Wir laden Ihre Organisation ein, Wünsche, Ideen und gute Beispiele einzubringen. Über Ihren persönlichen Link können Sie ohne Konto für Ihre Organisation antworten:\n\n{link}\n\nMit freundlichen Grüßen\nKoordinierungsstelle Integration (Demo)"),
                (Locale::En, "Invitation: revision of the integration concept", "Dear Sir or Madam,\n\nRegion Hannover is revising its integration concept. We invite your organisation to contribute wishes, ideas and good examples. Your personal link lets you answer for your organisation without an account:\n\n{link}"),
                (Locale::Tr, "Davet: Uyum konseptinin güncellenmesi", "Sayın ilgili,\n\nHannover Bölgesi uyum konseptini güncelliyor. Kuruluşunuzu dilek, fikir ve iyi örneklerini paylaşmaya davet ediyoruz. Kişisel bağlantınızla hesap açmadan kuruluşunuz adına yanıt verebilirsiniz:\n\n{link}"),
            ],
        },
        now,
    )
    .await?;
    Ok(())
}

/// The 2013 letter to all organisations of the region, sent by post: recorded so that the
/// 2016 process's report shows who was invited and who answered.
pub async fn record_letter_2013(
    db: &th_storage::Db,
    t: TenantId,
) -> Result<(), th_participation::PartError> {
    let mut tx = db.begin().await?;
    let id = campaign::create_campaign(
        &mut tx,
        t,
        &NewCampaign {
            process_id: 1,
            name: "Einladungsschreiben 2013 an alle Organisationen (per Post)",
            filter: CampaignFilter::default(),
            link_days: 90,
            texts: vec![(Locale::De, "Einladung zur Mitarbeit am Integrationskonzept", "Die Region Hannover lädt Sie ein, an ihrem Integrationskonzept mitzuwirken. (Per Post verschickt.)")],
        },
        day(2013, 9, 1),
    )
    .await?;
    tx.commit().await?;
    let answered: std::collections::HashSet<i64> = th_participation::contribution::search(
        db,
        t,
        &th_participation::contribution::Search {
            process: Some(1),
            ..Default::default()
        },
        0,
        100_000,
    )
    .await?
    .0
    .iter()
    .filter_map(|c| c.organisation_id)
    .collect();
    campaign::record_by_post(db, t, id, day(2013, 9, 2), &answered, day(2014, 1, 15)).await?;
    Ok(())
}
