//! The built-in demo: Region Hannover's concept "Vielfalt und Zusammenhalt" (2016), its 21
//! municipalities, the legally required pages (marked as demo texts) and a demo coordinator.
//! Loading is idempotent: a tenant that has the demo keeps it unchanged.

use th_core::{Email, Locale, Role, TenantId};
use th_storage::Db;

/// The demo coordinator, documented in the README.
pub const COORDINATOR_EMAIL: &str = "koordination@region-hannover.example";
pub const COORDINATOR_PASSWORD: &str = "Vielfalt-und-Zusammenhalt";
/// The password of the demo's organisation member: the contact person of the Turkish-German
/// parents' association in Garbsen, who looks after its profile (`/organisation`).
pub const MEMBER_PASSWORD: &str = "Elternverein-Garbsen-West";

/// Base32 TOTP secret of the demo coordinator (add it to an authenticator app, or run
/// `oathtool --totp -b SECRET`).
pub const COORDINATOR_TOTP: &str = "TEILHABEDEMOKOORDINATIONHANNOVER";

/// Municipality key, name, population, latitude, longitude (DOMAIN.md).
pub const MUNICIPALITIES: &[(&str, &str, i64, f64, f64)] = &[
    ("hannover", "Hannover", 535_000, 52.374, 9.738),
    ("garbsen", "Garbsen", 62_000, 52.418, 9.598),
    ("langenhagen", "Langenhagen", 55_000, 52.447, 9.740),
    ("neustadt", "Neustadt am Rübenberge", 46_000, 52.505, 9.458),
    ("lehrte", "Lehrte", 45_000, 52.372, 9.977),
    ("laatzen", "Laatzen", 43_000, 52.315, 9.797),
    ("wunstorf", "Wunstorf", 42_000, 52.427, 9.436),
    ("barsinghausen", "Barsinghausen", 34_000, 52.302, 9.457),
    ("seelze", "Seelze", 34_000, 52.396, 9.598),
    ("burgdorf", "Burgdorf", 32_000, 52.446, 10.006),
    ("springe", "Springe", 30_000, 52.208, 9.554),
    ("wedemark", "Wedemark", 30_000, 52.531, 9.703),
    ("isernhagen", "Isernhagen", 25_000, 52.434, 9.863),
    ("ronnenberg", "Ronnenberg", 24_000, 52.320, 9.656),
    ("sehnde", "Sehnde", 24_000, 52.315, 9.963),
    ("burgwedel", "Burgwedel", 21_000, 52.493, 9.859),
    ("uetze", "Uetze", 20_000, 52.465, 10.204),
    ("hemmingen", "Hemmingen", 19_000, 52.315, 9.722),
    ("gehrden", "Gehrden", 15_000, 52.313, 9.601),
    ("pattensen", "Pattensen", 15_000, 52.264, 9.764),
    ("wennigsen", "Wennigsen (Deister)", 14_000, 52.274, 9.571),
];

/// 27 September 2016, the regional assembly's resolution (noon UTC).
pub const ADOPTED_AT: i64 = 1_474_977_600;

const CONCEPT_JSON: &str = include_str!("../data/concept.json");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("demo concept: {0}")]
    Concept(String),
    #[error("demo account: {0}")]
    Auth(String),
}

pub fn concept_input() -> Result<th_concept::ConceptInput, DemoError> {
    serde_json::from_str(CONCEPT_JSON).map_err(|e| DemoError::Concept(e.to_string()))
}

/// What the loader did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Loaded(TenantId),
    AlreadyThere(TenantId),
}

/// Loads the demo into the default tenant, unless it has it already.
pub async fn load(db: &Db, now: i64) -> Result<Outcome, DemoError> {
    let tenant = db.ensure_default_tenant(now).await?;
    if tenant.demo_loaded {
        return Ok(Outcome::AlreadyThere(tenant.id));
    }
    let t = tenant.id;
    let input = concept_input()?;
    let mut tx = db.begin().await?;
    // Claim the load first: of two nodes starting at once, one loads and the other finds the
    // flag set (on PostgreSQL its UPDATE waits for the first transaction, then matches nothing).
    if !db.claim_demo(&mut tx, t).await? {
        return Ok(Outcome::AlreadyThere(t));
    }
    db.rename_tenant(&mut tx, t, "Region Hannover").await?;
    for (key, name, population, lat, lon) in MUNICIPALITIES {
        db.add_municipality(
            &mut tx,
            t,
            &th_storage::platform::Municipality {
                key: key.to_string(),
                name: name.to_string(),
                population: *population,
                lat: *lat,
                lon: *lon,
            },
        )
        .await?;
    }
    let towns: Vec<(&str, &str, i64)> = MUNICIPALITIES.iter().map(|m| (m.0, m.1, m.2)).collect();
    orgs::load(&mut tx, t, &towns, ADOPTED_AT - 400 * 86_400)
        .await
        .map_err(|e| DemoError::Concept(format!("organisations: {e:?}")))?;
    process::load(&mut tx, t, now)
        .await
        .map_err(|e| DemoError::Concept(format!("processes: {e:?}")))?;
    th_concept::create_version(
        db,
        &mut tx,
        t,
        &input,
        th_concept::Status::Adopted,
        ADOPTED_AT,
    )
    .await
    .map_err(|e| DemoError::Concept(format!("{e:?}")))?;
    for (kind, locale, body) in pages::PAGES {
        db.put_site_page(
            &mut tx,
            t,
            th_storage::platform::NewSitePage {
                kind,
                locale: *locale,
                body,
                is_demo: true,
            },
            now,
        )
        .await?;
    }
    let email = Email::parse(COORDINATOR_EMAIL).map_err(|e| DemoError::Auth(e.into()))?;
    let user = th_auth::create_user(
        &mut tx,
        t,
        th_auth::NewUser {
            email: &email,
            display_name: "Koordinierungsstelle Integration (Demo)",
            password: Some(COORDINATOR_PASSWORD),
            role: Role::Coordinator,
            locale: Locale::De,
            email_confirmed: true,
        },
        now,
    )
    .await
    .map_err(|e| DemoError::Auth(e.to_string()))?;
    th_storage::sqlx::query(
        "UPDATE auth_users SET totp_secret = $1, totp_enabled = 1 WHERE id = $2",
    )
    .bind(COORDINATOR_TOTP)
    .bind(user.id)
    .execute(tx.conn())
    .await
    .map_err(th_storage::StorageError::from)?;
    tx.commit().await?;
    contributions::load(db, t, user.id)
        .await
        .map_err(DemoError::Concept)?;
    process::record_letter_2013(db, t)
        .await
        .map_err(|e| DemoError::Concept(format!("letter 2013: {e:?}")))?;
    let catalogs = th_i18n::Catalogs::load().map_err(DemoError::Concept)?;
    events::load(db, t, &catalogs)
        .await
        .map_err(DemoError::Concept)?;
    forum::load(db, t).await.map_err(DemoError::Concept)?;
    let member_org = member(db, t, now).await?;
    services::load(db, t, now)
        .await
        .map_err(DemoError::Concept)?;
    if let Some(org) = member_org {
        services::load_member_service(db, t, org, now)
            .await
            .map_err(DemoError::Concept)?;
    }
    let d =
        time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    services::load_staff(db, t, now, (d.year(), d.month() as u8))
        .await
        .map_err(DemoError::Concept)?;
    th_directory::recognition::import(db, t, th_directory::recognition::SHIPPED, None, now)
        .await
        .map_err(|e| DemoError::Concept(format!("recognition table: {e:?}")))?;
    let revision = th_participation::process::processes(db, t)
        .await
        .map_err(|e| DemoError::Concept(format!("{e:?}")))?
        .iter()
        .map(|p| p.id)
        .max();
    opinion::load(db, t, revision, now)
        .await
        .map_err(DemoError::Concept)?;
    measures::load(db, t, now)
        .await
        .map_err(DemoError::Concept)?;
    monitoring::load(db, t, now)
        .await
        .map_err(DemoError::Concept)?;
    Ok(Outcome::Loaded(t))
}

/// An account for the first contact of the parents' association of journey 2, so that the
/// organisation's own pages can be tried.
async fn member(db: &Db, t: TenantId, now: i64) -> Result<Option<i64>, DemoError> {
    let orgs = th_participation::list(
        db,
        t,
        &th_participation::OrgFilter {
            q: Some("Elternverein Garbsen".into()),
            kind: Some("migrant_organisation".into()),
            ..Default::default()
        },
        0,
        1,
    )
    .await
    .map_err(|e| DemoError::Concept(format!("member: {e:?}")))?;
    let Some(org) = orgs.0.first() else {
        return Ok(None);
    };
    let contacts = th_participation::contacts(db, t, org.id)
        .await
        .map_err(|e| DemoError::Concept(format!("member: {e:?}")))?;
    let Some(c) = contacts.first() else {
        return Ok(None);
    };
    let email = Email::parse(&c.email).map_err(|e| DemoError::Auth(e.into()))?;
    let mut tx = db.begin().await?;
    th_auth::create_user(
        &mut tx,
        t,
        th_auth::NewUser {
            email: &email,
            display_name: &format!("{} (Demo)", c.name),
            password: Some(MEMBER_PASSWORD),
            role: Role::Participant,
            locale: Locale::De,
            email_confirmed: true,
        },
        now,
    )
    .await
    .map_err(|e| DemoError::Auth(e.to_string()))?;
    tx.commit().await?;
    Ok(Some(org.id))
}

mod contributions;
mod events;
mod forum;
pub mod measures;
mod monitoring;
pub mod opinion;
mod orgs;
mod pages;
mod process;
pub mod services;
