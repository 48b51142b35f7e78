//! Every route of the site in one table, with its access rule and an example path that the
//! tests (authorisation walk, tenant isolation, accessibility checks) request.

use crate::authz::{self, Access};
use crate::{api, assets, ctx, metrics, pages, AppState};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    #[serde(serialize_with = "ser_access")]
    pub access: Access,
    /// A concrete path for this route in the demo (placeholders filled in).
    pub example: &'static str,
    /// An HTML page that people read (checked with axe-core in the browser tests).
    pub page: bool,
}

fn ser_access<S: serde::Serializer>(a: &Access, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{a:?}"))
}

macro_rules! r {
    ($v:ident, $m:literal, $path:literal, $access:ident, $ex:literal, $page:literal, $h:expr) => {
        (
            RouteInfo {
                method: $m,
                path: $path,
                access: Access::$access,
                example: $ex,
                page: $page,
            },
            $v($h),
        )
    };
}

/// The whole site. Later modules add their rows here.
#[rustfmt::skip]
pub fn table() -> Vec<(RouteInfo, MethodRouter<AppState>)> {
    vec![
        // Public pages
        r!(get, "GET", "/", Public, "/", true, pages::public::home),
        r!(get, "GET", "/konzept", Public, "/konzept", true, pages::public::concept),
        r!(get, "GET", "/konzept/handlungsfeld/{number}", Public, "/konzept/handlungsfeld/4", true, pages::public::field),
        r!(get, "GET", "/konzept/versionen", Public, "/konzept/versionen", true, pages::public::versions),
        r!(get, "GET", "/konzept/versionen/{number}", Public, "/konzept/versionen/1", true, pages::public::version),
        r!(get, "GET", "/konzept/vergleich", Public, "/konzept/vergleich?von=1&zu=1", true, pages::public::compare),
        r!(get, "GET", "/sprache", Public, "/sprache", true, pages::public::languages),
        r!(get, "GET", "/impressum", Public, "/impressum", true, pages::public::impressum),
        r!(get, "GET", "/datenschutz", Public, "/datenschutz", true, pages::public::privacy),
        r!(get, "GET", "/barrierefreiheit", Public, "/barrierefreiheit", true, pages::public::accessibility),
        r!(post, "POST", "/barrierefreiheit", Public, "/barrierefreiheit", false, pages::public::feedback),
        // Participation
        r!(get, "GET", "/beteiligung", Public, "/beteiligung", true, pages::participation::processes),
        r!(get, "GET", "/beteiligung/{id}", Public, "/beteiligung/1", true, pages::participation::process_page),
        r!(get, "GET", "/beteiligung/{id}/beitraege", Public, "/beteiligung/1/beitraege", true, pages::contributions::public_list),
        r!(get, "GET", "/beitraege/{id}", Public, "/beitraege/1", true, pages::contributions::show),
        r!(post, "POST", "/beitraege/{id}/melden", Public, "/beitraege/1/melden", false, pages::contributions::report),
        r!(post, "POST", "/beitraege/{id}/unterstuetzen", Account, "/beitraege/1/unterstuetzen", false, pages::contributions::support),
        r!(get, "GET", "/einladung/{token}", Public, "/einladung/x", true, pages::participation::invitation),
        r!(post, "POST", "/einladung/{token}", Public, "/einladung/x", false, pages::participation::invitation_answer),
        r!(post, "POST", "/einladung/{token}/code-senden", Public, "/einladung/x/code-senden", false, pages::participation::invitation_send_code),
        r!(post, "POST", "/einladung/{token}/code", Public, "/einladung/x/code", false, pages::participation::invitation_code),
        r!(post, "POST", "/einladung/{token}/anmelden", Public, "/einladung/x/anmelden", false, pages::participation::invitation_register),
        r!(post, "POST", "/einladung/{token}/anmeldungen/{id}/abmelden", Public, "/einladung/x/anmeldungen/1/abmelden", false, pages::participation::invitation_unregister),
        r!(get, "GET", "/beteiligung/{id}/beitragen", Account, "/beteiligung/2/beitragen", true, pages::participation::person_form),
        r!(post, "POST", "/beteiligung/{id}/beitragen", Account, "/beteiligung/2/beitragen", false, pages::participation::person_submit),
        r!(get, "GET", "/beteiligung/{id}/bericht", Public, "/beteiligung/1/bericht", true, pages::report::page),
        r!(get, "GET", "/beteiligung/{id}/bericht.csv", Public, "/beteiligung/1/bericht.csv", false, pages::report::csv),
        r!(get, "GET", "/beteiligung/{id}/forum", Public, "/beteiligung/1/forum", true, pages::forum::overview),
        r!(get, "GET", "/beteiligung/{id}/forum/{field}", Public, "/beteiligung/1/forum/4", true, pages::forum::threads),
        r!(post, "POST", "/beteiligung/{id}/forum/{field}", Account, "/beteiligung/1/forum/4", false, pages::forum::create_thread),
        r!(get, "GET", "/massnahmen", Public, "/massnahmen", true, pages::measures::overview),
        r!(get, "GET", "/massnahmen.csv", Public, "/massnahmen.csv", false, pages::measures::csv),
        r!(get, "GET", "/massnahmen/{key}", Public, "/massnahmen/M-2.1-01", true, pages::measures::show),
        r!(get, "GET", "/meinungsbild/{id}", Public, "/meinungsbild/1", true, pages::opinion::show),
        r!(post, "POST", "/meinungsbild/{id}/abstimmen", Public, "/meinungsbild/1/abstimmen", false, pages::opinion::vote),
        r!(post, "POST", "/meinungsbild/{id}/aussage", Public, "/meinungsbild/1/aussage", false, pages::opinion::add_statement),
        r!(get, "GET", "/forum/thema/{id}", Public, "/forum/thema/1", true, pages::forum::thread),
        r!(post, "POST", "/forum/thema/{id}", Account, "/forum/thema/1", false, pages::forum::reply),
        r!(post, "POST", "/forum/beitrag/{id}/melden", Public, "/forum/beitrag/1/melden", false, pages::forum::report),
        // The Wegweiser (public guide)
        r!(get, "GET", "/wegweiser", Public, "/wegweiser", true, pages::guide::start),
        r!(get, "GET", "/wegweiser/suche", Public, "/wegweiser/suche?q=Kinder&ort=laatzen&umgebung=1", true, pages::guide::search),
        r!(get, "GET", "/wegweiser/angebot/{id}", Public, "/wegweiser/angebot/1", true, pages::guide::service),
        r!(get, "GET", "/wegweiser/angebot/{id}/blatt", Public, "/wegweiser/angebot/1/blatt", true, pages::guide::sheet),
        r!(get, "GET", "/wegweiser/anerkennung", Public, "/wegweiser/anerkennung?beruf=Krankenschwester", true, pages::guide::recognition_start),
        r!(get, "GET", "/wegweiser/anerkennung/{key}", Public, "/wegweiser/anerkennung/pflegefachkraft?ort=laatzen", true, pages::guide::recognition_profession),
        r!(get, "GET", "/wegweiser/nach-dem-kurs", Public, "/wegweiser/nach-dem-kurs?niveau=b1&alter=24&ziel=training&ort=garbsen", true, pages::guide::next_steps),
        r!(get, "GET", "/wegweiser/manifest.webmanifest", Public, "/wegweiser/manifest.webmanifest", false, pages::guide::manifest),
        r!(get, "GET", "/wegweiser/sw.js", Public, "/wegweiser/sw.js", false, pages::guide::service_worker),
        // HSDS 3.0
        r!(get, "GET", "/hsds/", Public, "/hsds/", false, api::hsds::meta),
        r!(get, "GET", "/hsds/services", Public, "/hsds/services?per_page=5", false, api::hsds::services),
        r!(get, "GET", "/hsds/services/{id}", Public, "/hsds/services/x", false, api::hsds::service),
        r!(get, "GET", "/hsds/organizations", Public, "/hsds/organizations", false, api::hsds::organizations),
        r!(get, "GET", "/hsds/organizations/{id}", Public, "/hsds/organizations/x", false, api::hsds::organization),
        r!(get, "GET", "/hsds/service_at_locations", Public, "/hsds/service_at_locations?per_page=5", false, api::hsds::service_at_locations),
        r!(get, "GET", "/hsds/service_at_locations/{id}", Public, "/hsds/service_at_locations/x", false, api::hsds::service_at_location),
        r!(get, "GET", "/hsds/taxonomy_terms", Public, "/hsds/taxonomy_terms", false, api::hsds::taxonomy_terms),
        r!(get, "GET", "/veranstaltungen", Public, "/veranstaltungen", true, pages::events::list),
        r!(get, "GET", "/veranstaltungen.ics", Public, "/veranstaltungen.ics", false, pages::events::calendar_all),
        r!(get, "GET", "/veranstaltungen/{id}", Public, "/veranstaltungen/1", true, pages::events::show),
        r!(get, "GET", "/veranstaltungen/{id}/kalender.ics", Public, "/veranstaltungen/1/kalender.ics", false, pages::events::calendar_one),
        r!(post, "POST", "/veranstaltungen/{id}/anmelden", Public, "/veranstaltungen/1/anmelden", false, pages::events::register),
        r!(post, "POST", "/veranstaltungen/{id}/abmelden", Account, "/veranstaltungen/1/abmelden", false, pages::events::unregister),
        r!(get, "GET", "/anmeldung/{token}", Public, "/anmeldung/x", true, pages::events::registration),
        r!(post, "POST", "/anmeldung/{token}/abmelden", Public, "/anmeldung/x/abmelden", false, pages::events::cancel_link),
        // Accounts
        r!(get, "GET", "/anmelden", Public, "/anmelden", true, pages::account::login_form),
        r!(post, "POST", "/anmelden", Public, "/anmelden", false, pages::account::login),
        r!(get, "GET", "/anmelden/zweiter-faktor", SessionStarted, "/anmelden/zweiter-faktor", true, pages::account::second_factor_form),
        r!(post, "POST", "/anmelden/zweiter-faktor", SessionStarted, "/anmelden/zweiter-faktor", false, pages::account::second_factor),
        r!(post, "POST", "/abmelden", SessionStarted, "/abmelden", false, pages::account::logout),
        r!(get, "GET", "/registrieren", Public, "/registrieren", true, pages::account::signup_form),
        r!(post, "POST", "/registrieren", Public, "/registrieren", false, pages::account::signup),
        r!(get, "GET", "/registrieren/bestaetigen", Public, "/registrieren/bestaetigen?token=x", true, pages::account::confirm),
        r!(get, "GET", "/passwort-vergessen", Public, "/passwort-vergessen", true, pages::account::forgot_form),
        r!(post, "POST", "/passwort-vergessen", Public, "/passwort-vergessen", false, pages::account::forgot),
        r!(get, "GET", "/passwort-neu", Public, "/passwort-neu?token=x", true, pages::account::reset_form),
        r!(post, "POST", "/passwort-neu", Public, "/passwort-neu", false, pages::account::reset),
        r!(get, "GET", "/konto", Account, "/konto", true, pages::account::account),
        r!(get, "GET", "/konto/daten.json", Account, "/konto/daten.json", false, pages::account::export),
        r!(post, "POST", "/konto/loeschen", Account, "/konto/loeschen", false, pages::account::erase),
        r!(get, "GET", "/organisation", Account, "/organisation", true, pages::my_org::list),
        r!(get, "GET", "/organisation/{id}", Account, "/organisation/316", true, pages::my_org::show),
        r!(post, "POST", "/organisation/{id}", Account, "/organisation/316", false, pages::my_org::update),
        r!(post, "POST", "/organisation/{id}/mitglieder", Account, "/organisation/316/mitglieder", false, pages::my_org::add_member),
        r!(post, "POST", "/organisation/{id}/mitglieder/{contact}/entfernen", Account, "/organisation/316/mitglieder/1/entfernen", false, pages::my_org::remove_member),
        r!(get, "GET", "/organisation/{id}/angebote", Account, "/organisation/316/angebote", true, pages::guide_admin::org_services),
        r!(post, "POST", "/organisation/{id}/angebote", Account, "/organisation/316/angebote", false, pages::guide_admin::org_create),
        r!(get, "GET", "/organisation/{id}/angebote/neu", Account, "/organisation/316/angebote/neu", true, pages::guide_admin::org_new),
        r!(get, "GET", "/organisation/{id}/angebote/{service}", Account, "/organisation/316/angebote/403", true, pages::guide_admin::org_edit),
        r!(post, "POST", "/organisation/{id}/angebote/{service}", Account, "/organisation/316/angebote/403", false, pages::guide_admin::org_update),
        r!(post, "POST", "/organisation/{id}/angebote/{service}/bestaetigen", Account, "/organisation/316/angebote/403/bestaetigen", false, pages::guide_admin::org_confirm),
        r!(post, "POST", "/konto/name", Account, "/konto/name", false, pages::account::name),
        r!(post, "POST", "/konto/zusammenfassung", Account, "/konto/zusammenfassung", false, pages::forum::set_digest),
        r!(post, "POST", "/konto/tokens", Account, "/konto/tokens", false, pages::account::create_token),
        r!(post, "POST", "/konto/tokens/{id}/widerrufen", Account, "/konto/tokens/1/widerrufen", false, pages::account::revoke_token),
        // Coordination
        r!(get, "GET", "/verwaltung", Coordinator, "/verwaltung", true, pages::admin::dashboard),
        r!(post, "POST", "/verwaltung/konzept/entwurf", Coordinator, "/verwaltung/konzept/entwurf", false, pages::admin::create_draft),
        r!(get, "GET", "/verwaltung/konzept/entwurf", Coordinator, "/verwaltung/konzept/entwurf", true, pages::admin::draft),
        r!(get, "GET", "/verwaltung/konzept/entwurf/text", Coordinator, "/verwaltung/konzept/entwurf/text", true, pages::admin::concept_text_form),
        r!(post, "POST", "/verwaltung/konzept/entwurf/text", Coordinator, "/verwaltung/konzept/entwurf/text", false, pages::admin::concept_text_save),
        r!(get, "GET", "/verwaltung/konzept/entwurf/handlungsfeld/{id}", Coordinator, "/verwaltung/konzept/entwurf/handlungsfeld/4", true, pages::admin::field_form),
        r!(post, "POST", "/verwaltung/konzept/entwurf/handlungsfeld/{id}", Coordinator, "/verwaltung/konzept/entwurf/handlungsfeld/4", false, pages::admin::field_save),
        r!(post, "POST", "/verwaltung/konzept/entwurf/handlungsfeld/{id}/ziel", Coordinator, "/verwaltung/konzept/entwurf/handlungsfeld/4/ziel", false, pages::admin::goal_add),
        r!(get, "GET", "/verwaltung/konzept/entwurf/ziel/{id}", Coordinator, "/verwaltung/konzept/entwurf/ziel/10", true, pages::admin::goal_form),
        r!(post, "POST", "/verwaltung/konzept/entwurf/ziel/{id}", Coordinator, "/verwaltung/konzept/entwurf/ziel/10", false, pages::admin::goal_save),
        r!(post, "POST", "/verwaltung/konzept/entwurf/ziel/{id}/entfernen", Coordinator, "/verwaltung/konzept/entwurf/ziel/10/entfernen", false, pages::admin::goal_remove),
        r!(post, "POST", "/verwaltung/konzept/entwurf/beschliessen", Coordinator, "/verwaltung/konzept/entwurf/beschliessen", false, pages::admin::adopt),
        r!(get, "GET", "/verwaltung/konzept/entwurf/verlauf", Coordinator, "/verwaltung/konzept/entwurf/verlauf", true, pages::admin::history),
        // The administration's languages
        r!(get, "GET", "/amt/sprachen", Staff, "/amt/sprachen", true, pages::staff::mine),
        r!(post, "POST", "/amt/sprachen", Staff, "/amt/sprachen", false, pages::staff::save_mine),
        r!(get, "GET", "/amt/sprachen/abdeckung", TeamLead, "/amt/sprachen/abdeckung", true, pages::staff::coverage),
        r!(get, "GET", "/amt/sprachen/abdeckung.csv", TeamLead, "/amt/sprachen/abdeckung.csv", false, pages::staff::coverage_csv),
        r!(post, "POST", "/amt/sprachen/bedarf", TeamLead, "/amt/sprachen/bedarf", false, pages::staff::record_demand),
        r!(post, "POST", "/amt/teams", TeamLead, "/amt/teams", false, pages::staff::add_unit),
        r!(post, "POST", "/amt/teams/mitglieder", TeamLead, "/amt/teams/mitglieder", false, pages::staff::add_member),
        r!(post, "POST", "/amt/teams/{unit}/mitglieder/{id}/entfernen", TeamLead, "/amt/teams/1/mitglieder/99/entfernen", false, pages::staff::remove_member),
        r!(get, "GET", "/amt/dolmetschen", Staff, "/amt/dolmetschen", true, pages::staff::interpreting),
        r!(post, "POST", "/amt/dolmetschen", Staff, "/amt/dolmetschen", false, pages::staff::book),
        r!(post, "POST", "/amt/dolmetschen/{id}/uebernehmen", Staff, "/amt/dolmetschen/1/uebernehmen", false, pages::staff::accept),
        r!(post, "POST", "/amt/dolmetschen/{id}/absagen", Staff, "/amt/dolmetschen/1/absagen", false, pages::staff::cancel),
        r!(get, "GET", "/verwaltung/wegweiser", Coordinator, "/verwaltung/wegweiser", true, pages::guide_admin::admin_overview),
        r!(post, "POST", "/verwaltung/wegweiser/einstellungen", Coordinator, "/verwaltung/wegweiser/einstellungen", false, pages::guide_admin::admin_settings),
        r!(get, "GET", "/verwaltung/wegweiser/aenderungen/{id}", Coordinator, "/verwaltung/wegweiser/aenderungen/1", true, pages::guide_admin::admin_change),
        r!(post, "POST", "/verwaltung/wegweiser/aenderungen/{id}/freigeben", Coordinator, "/verwaltung/wegweiser/aenderungen/1/freigeben", false, pages::guide_admin::admin_approve),
        r!(post, "POST", "/verwaltung/wegweiser/aenderungen/{id}/ablehnen", Coordinator, "/verwaltung/wegweiser/aenderungen/1/ablehnen", false, pages::guide_admin::admin_reject),
        r!(get, "GET", "/verwaltung/wegweiser/angebote/{id}", Coordinator, "/verwaltung/wegweiser/angebote/1", true, pages::guide_admin::admin_service),
        r!(post, "POST", "/verwaltung/wegweiser/angebote/{id}", Coordinator, "/verwaltung/wegweiser/angebote/1", false, pages::guide_admin::admin_service_save),
        r!(get, "GET", "/verwaltung/wegweiser/export.json", Coordinator, "/verwaltung/wegweiser/export.json", false, pages::guide_admin::admin_export),
        r!(post, "POST", "/verwaltung/wegweiser/import", Coordinator, "/verwaltung/wegweiser/import", false, pages::guide_admin::admin_import),
        r!(get, "GET", "/verwaltung/wegweiser/anerkennung.json", Coordinator, "/verwaltung/wegweiser/anerkennung.json", false, pages::guide_admin::admin_rec_export),
        r!(post, "POST", "/verwaltung/wegweiser/anerkennung", Coordinator, "/verwaltung/wegweiser/anerkennung", false, pages::guide_admin::admin_rec_import),
        r!(get, "GET", "/verwaltung/organisationen", Coordinator, "/verwaltung/organisationen", true, pages::orgs::list),
        r!(post, "POST", "/verwaltung/organisationen", Coordinator, "/verwaltung/organisationen", false, pages::orgs::create),
        r!(get, "GET", "/verwaltung/organisationen/neu", Coordinator, "/verwaltung/organisationen/neu", true, pages::orgs::new_form),
        r!(get, "GET", "/verwaltung/organisationen/import", Coordinator, "/verwaltung/organisationen/import", true, pages::orgs::import_form),
        r!(post, "POST", "/verwaltung/organisationen/import", Coordinator, "/verwaltung/organisationen/import", false, pages::orgs::import_upload),
        r!(get, "GET", "/verwaltung/organisationen/export.csv", Coordinator, "/verwaltung/organisationen/export.csv", false, pages::orgs::export),
        r!(get, "GET", "/verwaltung/organisationen/{id}", Coordinator, "/verwaltung/organisationen/1", true, pages::orgs::show),
        r!(post, "POST", "/verwaltung/organisationen/{id}", Coordinator, "/verwaltung/organisationen/1", false, pages::orgs::update),
        r!(get, "GET", "/verwaltung/kampagnen", Coordinator, "/verwaltung/kampagnen", true, pages::participation::campaigns),
        r!(post, "POST", "/verwaltung/kampagnen", Coordinator, "/verwaltung/kampagnen", false, pages::participation::campaign_create),
        r!(get, "GET", "/verwaltung/kampagnen/neu", Coordinator, "/verwaltung/kampagnen/neu", true, pages::participation::campaign_new),
        r!(get, "GET", "/verwaltung/kampagnen/{id}", Coordinator, "/verwaltung/kampagnen/1", true, pages::participation::campaign_page),
        r!(post, "POST", "/verwaltung/kampagnen/{id}/senden", Coordinator, "/verwaltung/kampagnen/1/senden", false, pages::participation::campaign_send),
        r!(post, "POST", "/verwaltung/kampagnen/{id}/erinnerung", Coordinator, "/verwaltung/kampagnen/1/erinnerung", false, pages::participation::campaign_remind),
        r!(get, "GET", "/verwaltung/beitraege", Coordinator, "/verwaltung/beitraege", true, pages::contributions::admin_list),
        r!(get, "GET", "/verwaltung/beitraege/{id}", Coordinator, "/verwaltung/beitraege/1", true, pages::contributions::admin_show),
        r!(post, "POST", "/verwaltung/beitraege/{id}/status", Coordinator, "/verwaltung/beitraege/1/status", false, pages::contributions::admin_decide),
        r!(post, "POST", "/verwaltung/beitraege/{id}/moderation", Coordinator, "/verwaltung/beitraege/1/moderation", false, pages::contributions::admin_moderate),
        r!(get, "GET", "/verwaltung/moderation", Coordinator, "/verwaltung/moderation", true, pages::contributions::moderation_queue),
        r!(get, "GET", "/verwaltung/verfahren", Coordinator, "/verwaltung/verfahren", true, pages::process_admin::list),
        r!(post, "POST", "/verwaltung/verfahren", Coordinator, "/verwaltung/verfahren", false, pages::process_admin::create),
        r!(get, "GET", "/verwaltung/verfahren/neu", Coordinator, "/verwaltung/verfahren/neu", true, pages::process_admin::new_form),
        r!(get, "GET", "/verwaltung/verfahren/{id}", Coordinator, "/verwaltung/verfahren/2", true, pages::process_admin::show),
        r!(post, "POST", "/verwaltung/verfahren/{id}", Coordinator, "/verwaltung/verfahren/2", false, pages::process_admin::update),
        r!(get, "GET", "/verwaltung/veranstaltungen", Coordinator, "/verwaltung/veranstaltungen", true, pages::events::admin_list),
        r!(post, "POST", "/verwaltung/veranstaltungen", Coordinator, "/verwaltung/veranstaltungen", false, pages::events::create),
        r!(get, "GET", "/verwaltung/veranstaltungen/neu", Coordinator, "/verwaltung/veranstaltungen/neu", true, pages::events::new_form),
        r!(get, "GET", "/verwaltung/veranstaltungen/{id}", Coordinator, "/verwaltung/veranstaltungen/1", true, pages::events::admin_show),
        r!(post, "POST", "/verwaltung/veranstaltungen/{id}", Coordinator, "/verwaltung/veranstaltungen/1", false, pages::events::update),
        r!(post, "POST", "/verwaltung/veranstaltungen/{id}/protokoll", Coordinator, "/verwaltung/veranstaltungen/1/protokoll", false, pages::events::record),
        r!(post, "POST", "/verwaltung/veranstaltungen/{id}/ergebnisse", Coordinator, "/verwaltung/veranstaltungen/1/ergebnisse", false, pages::events::add_outcome),
        r!(post, "POST", "/verwaltung/anmeldungen/{id}/abmelden", Coordinator, "/verwaltung/anmeldungen/1/abmelden", false, pages::events::admin_cancel),
        r!(get, "GET", "/verwaltung/beteiligung/{id}/themen", Coordinator, "/verwaltung/beteiligung/1/themen", true, pages::themes::page),
        r!(post, "POST", "/verwaltung/beteiligung/{id}/themen", Coordinator, "/verwaltung/beteiligung/1/themen", false, pages::themes::run),
        r!(post, "POST", "/verwaltung/themen/{id}", Coordinator, "/verwaltung/themen/1", false, pages::themes::update),
        r!(post, "POST", "/verwaltung/themen/{id}/zusammenfuehren", Coordinator, "/verwaltung/themen/1/zusammenfuehren", false, pages::themes::merge),
        r!(post, "POST", "/verwaltung/themen/{id}/teilen", Coordinator, "/verwaltung/themen/1/teilen", false, pages::themes::split),
        r!(get, "GET", "/verwaltung/massnahmen", Coordinator, "/verwaltung/massnahmen", true, pages::measures::admin),
        r!(post, "POST", "/verwaltung/massnahmen/status", Coordinator, "/verwaltung/massnahmen/status", false, pages::measures::import_status),
        r!(get, "GET", "/verwaltung/szenarien", Coordinator, "/verwaltung/szenarien", true, pages::measures::scenarios),
        r!(get, "GET", "/verwaltung/szenarien/vergleich", Coordinator, "/verwaltung/szenarien/vergleich?a=1&b=2", true, pages::measures::compare),
        r!(get, "GET", "/verwaltung/szenarien/{id}", Coordinator, "/verwaltung/szenarien/1", true, pages::measures::scenario),
        r!(post, "POST", "/verwaltung/szenarien/{id}/uebernehmen", Coordinator, "/verwaltung/szenarien/1/uebernehmen", false, pages::measures::adopt),
        r!(get, "GET", "/verwaltung/meinungsbild", Coordinator, "/verwaltung/meinungsbild", true, pages::opinion::admin_list),
        r!(post, "POST", "/verwaltung/meinungsbild", Coordinator, "/verwaltung/meinungsbild", false, pages::opinion::admin_create),
        r!(get, "GET", "/verwaltung/meinungsbild/{id}", Coordinator, "/verwaltung/meinungsbild/1", true, pages::opinion::admin_show),
        r!(post, "POST", "/verwaltung/meinungsbild/{id}/aussage/{num}", Coordinator, "/verwaltung/meinungsbild/1/aussage/0", false, pages::opinion::admin_decide),
        r!(post, "POST", "/verwaltung/meinungsbild/{id}/status", Coordinator, "/verwaltung/meinungsbild/1/status", false, pages::opinion::admin_status),
        r!(post, "POST", "/verwaltung/forum/beitrag/{id}", Coordinator, "/verwaltung/forum/beitrag/1", false, pages::forum::moderate),
        r!(post, "POST", "/verwaltung/forum/thema/{id}/sperren", Coordinator, "/verwaltung/forum/thema/1/sperren", false, pages::forum::lock),
        r!(get, "GET", "/verwaltung/seiten/{kind}", Coordinator, "/verwaltung/seiten/impressum", true, pages::admin::site_page_form),
        r!(post, "POST", "/verwaltung/seiten/{kind}", Coordinator, "/verwaltung/seiten/impressum", false, pages::admin::site_page_save),
        // JSON API
        r!(get, "GET", "/api/openapi.json", Public, "/api/openapi.json", false, api::openapi),
        r!(get, "GET", "/api/v1/concept", Public, "/api/v1/concept", false, api::concept_current),
        r!(get, "GET", "/api/v1/concept/versions", Public, "/api/v1/concept/versions", false, api::concept_versions),
        r!(get, "GET", "/api/v1/concept/versions/{number}", Public, "/api/v1/concept/versions/1", false, api::concept_version),
        r!(get, "GET", "/api/v1/concept/diff", Public, "/api/v1/concept/diff?from=1&to=1", false, api::concept_diff),
        r!(post, "POST", "/api/v1/concept/draft", Coordinator, "/api/v1/concept/draft", false, api::draft_create),
        r!(put, "PUT", "/api/v1/concept/draft", Coordinator, "/api/v1/concept/draft", false, api::draft_texts),
        r!(put, "PUT", "/api/v1/concept/draft/fields/{id}", Coordinator, "/api/v1/concept/draft/fields/4", false, api::draft_field),
        r!(post, "POST", "/api/v1/concept/draft/fields/{id}/goals", Coordinator, "/api/v1/concept/draft/fields/4/goals", false, api::draft_goal_add),
        r!(put, "PUT", "/api/v1/concept/draft/goals/{id}", Coordinator, "/api/v1/concept/draft/goals/10", false, api::draft_goal),
        r!(delete, "DELETE", "/api/v1/concept/draft/goals/{id}", Coordinator, "/api/v1/concept/draft/goals/10", false, api::draft_goal_remove),
        r!(post, "POST", "/api/v1/concept/draft/adopt", Coordinator, "/api/v1/concept/draft/adopt", false, api::draft_adopt),
        r!(get, "GET", "/api/v1/concept/draft/history", Coordinator, "/api/v1/concept/draft/history", false, api::draft_history),
        r!(get, "GET", "/api/v1/pages/{kind}", Public, "/api/v1/pages/impressum", false, api::site_page),
        r!(put, "PUT", "/api/v1/pages/{kind}", Coordinator, "/api/v1/pages/impressum", false, api::site_page_put),
        r!(get, "GET", "/api/v1/outbox", Coordinator, "/api/v1/outbox", false, api::outbox),
        r!(post, "POST", "/api/v1/feedback", Public, "/api/v1/feedback", false, api::feedback),
        r!(get, "GET", "/api/v1/feedback", Coordinator, "/api/v1/feedback", false, api::feedback_list),
        r!(get, "GET", "/api/v1/me", Account, "/api/v1/me", false, api::me),
        r!(delete, "DELETE", "/api/v1/me", Account, "/api/v1/me", false, api::me_erase),
        r!(put, "PUT", "/api/v1/me/name", Account, "/api/v1/me/name", false, api::me_name),
        r!(get, "GET", "/api/v1/me/export", Account, "/api/v1/me/export", false, api::me_export),
        r!(get, "GET", "/api/v1/me/tokens", Account, "/api/v1/me/tokens", false, api::tokens),
        r!(post, "POST", "/api/v1/me/tokens", Account, "/api/v1/me/tokens", false, api::token_create),
        r!(delete, "DELETE", "/api/v1/me/tokens/{id}", Account, "/api/v1/me/tokens/1", false, api::token_revoke),
        r!(get, "GET", "/api/v1/organisations", Coordinator, "/api/v1/organisations", false, api::orgs_list),
        r!(post, "POST", "/api/v1/organisations", Coordinator, "/api/v1/organisations", false, api::org_create),
        r!(post, "POST", "/api/v1/organisations/import", Coordinator, "/api/v1/organisations/import", false, api::orgs_import),
        r!(get, "GET", "/api/v1/organisations/export.csv", Coordinator, "/api/v1/organisations/export.csv", false, pages::orgs::export),
        r!(get, "GET", "/api/v1/organisations/{id}", Coordinator, "/api/v1/organisations/1", false, api::org_get),
        r!(put, "PUT", "/api/v1/organisations/{id}", Coordinator, "/api/v1/organisations/1", false, api::org_update),
        r!(get, "GET", "/api/v1/processes", Public, "/api/v1/processes", false, api::processes),
        r!(post, "POST", "/api/v1/processes", Coordinator, "/api/v1/processes", false, api::processes::create),
        r!(get, "GET", "/api/v1/processes/{id}", Public, "/api/v1/processes/1", false, api::process),
        r!(put, "PUT", "/api/v1/processes/{id}", Coordinator, "/api/v1/processes/1", false, api::processes::update),
        r!(post, "POST", "/api/v1/processes/{id}/contributions", Account, "/api/v1/processes/2/contributions", false, api::processes::contribute),
        r!(get, "GET", "/api/v1/campaigns", Coordinator, "/api/v1/campaigns", false, api::campaigns),
        r!(post, "POST", "/api/v1/campaigns", Coordinator, "/api/v1/campaigns", false, api::coordination::create_campaign),
        r!(get, "GET", "/api/v1/campaigns/{id}", Coordinator, "/api/v1/campaigns/1", false, api::campaign),
        r!(post, "POST", "/api/v1/campaigns/{id}/send", Coordinator, "/api/v1/campaigns/1/send", false, api::campaign_send),
        r!(post, "POST", "/api/v1/campaigns/{id}/remind", Coordinator, "/api/v1/campaigns/1/remind", false, api::campaign_remind),
        r!(get, "GET", "/api/v1/contributions", Coordinator, "/api/v1/contributions", false, api::contributions),
        r!(get, "GET", "/api/v1/contributions/{id}", Public, "/api/v1/contributions/1", false, api::contribution),
        r!(put, "PUT", "/api/v1/contributions/{id}/status", Coordinator, "/api/v1/contributions/1/status", false, api::contribution_status),
        r!(put, "PUT", "/api/v1/contributions/{id}/moderation", Coordinator, "/api/v1/contributions/1/moderation", false, api::coordination::moderate_contribution),
        r!(get, "GET", "/api/v1/moderation", Coordinator, "/api/v1/moderation", false, api::coordination::queue),
        r!(post, "POST", "/api/v1/contributions/{id}/report", Public, "/api/v1/contributions/1/report", false, api::contribution_report),
        r!(post, "POST", "/api/v1/contributions/{id}/support", Account, "/api/v1/contributions/1/support", false, api::contribution_support),
        r!(get, "GET", "/api/v1/processes/{id}/report", Public, "/api/v1/processes/1/report", false, pages::report::json),
        r!(get, "GET", "/api/v1/measures", Public, "/api/v1/measures", false, api::measures::list),
        r!(post, "POST", "/api/v1/measures/status", Coordinator, "/api/v1/measures/status", false, api::measures::import_status),
        r!(get, "GET", "/api/v1/measures/{key}", Public, "/api/v1/measures/M-2.1-01", false, api::measures::get),
        r!(post, "POST", "/api/v1/plan", Coordinator, "/api/v1/plan", false, api::measures::plan),
        r!(get, "GET", "/api/v1/scenarios", Coordinator, "/api/v1/scenarios", false, api::measures::scenarios),
        r!(post, "POST", "/api/v1/scenarios", Coordinator, "/api/v1/scenarios", false, api::measures::create_scenario),
        r!(get, "GET", "/api/v1/scenarios/{id}", Coordinator, "/api/v1/scenarios/1", false, api::measures::scenario),
        r!(put, "PUT", "/api/v1/scenarios/{id}", Coordinator, "/api/v1/scenarios/1", false, api::measures::update_scenario),
        r!(delete, "DELETE", "/api/v1/scenarios/{id}", Coordinator, "/api/v1/scenarios/3", false, api::measures::delete_scenario),
        r!(post, "POST", "/api/v1/scenarios/{id}/adopt", Coordinator, "/api/v1/scenarios/1/adopt", false, api::measures::adopt),
        r!(get, "GET", "/api/v1/processes/{id}/themes", Coordinator, "/api/v1/processes/1/themes", false, api::themes::list),
        r!(post, "POST", "/api/v1/processes/{id}/themes", Coordinator, "/api/v1/processes/1/themes", false, api::themes::run),
        r!(put, "PUT", "/api/v1/themes/{id}", Coordinator, "/api/v1/themes/1", false, api::themes::update),
        r!(post, "POST", "/api/v1/themes/{id}/merge", Coordinator, "/api/v1/themes/1/merge", false, api::themes::merge),
        r!(post, "POST", "/api/v1/themes/{id}/split", Coordinator, "/api/v1/themes/1/split", false, api::themes::split),
        r!(get, "GET", "/api/v1/contributions/{id}/suggested-field", Coordinator, "/api/v1/contributions/1/suggested-field", false, api::themes::suggested_field),
        r!(get, "GET", "/api/v1/conversations", Public, "/api/v1/conversations", false, api::opinion::list),
        r!(post, "POST", "/api/v1/conversations", Coordinator, "/api/v1/conversations", false, api::opinion::create),
        r!(get, "GET", "/api/v1/conversations/{id}", Public, "/api/v1/conversations/1", false, api::opinion::show),
        r!(post, "POST", "/api/v1/conversations/{id}/statements", Public, "/api/v1/conversations/1/statements", false, api::opinion::add_statement),
        r!(post, "POST", "/api/v1/conversations/{id}/votes", Public, "/api/v1/conversations/1/votes", false, api::opinion::vote),
        r!(get, "GET", "/api/v1/conversations/{id}/next", Public, "/api/v1/conversations/1/next", false, api::opinion::next),
        r!(put, "PUT", "/api/v1/conversations/{id}/statements/{num}/moderation", Coordinator, "/api/v1/conversations/1/statements/0/moderation", false, api::opinion::moderate),
        r!(put, "PUT", "/api/v1/conversations/{id}/status", Coordinator, "/api/v1/conversations/1/status", false, api::opinion::set_status),
        r!(get, "GET", "/api/v1/processes/{id}/forum", Public, "/api/v1/processes/1/forum", false, api::forum::overview),
        r!(get, "GET", "/api/v1/processes/{id}/forum/{field}", Public, "/api/v1/processes/1/forum/4", false, api::forum::threads),
        r!(post, "POST", "/api/v1/processes/{id}/forum/{field}", Account, "/api/v1/processes/1/forum/4", false, api::forum::create_thread),
        r!(get, "GET", "/api/v1/threads/{id}", Public, "/api/v1/threads/1", false, api::forum::thread),
        r!(post, "POST", "/api/v1/threads/{id}/posts", Account, "/api/v1/threads/1/posts", false, api::forum::reply),
        r!(put, "PUT", "/api/v1/threads/{id}/lock", Coordinator, "/api/v1/threads/1/lock", false, api::forum::lock),
        r!(post, "POST", "/api/v1/posts/{id}/report", Public, "/api/v1/posts/1/report", false, api::forum::report),
        r!(put, "PUT", "/api/v1/posts/{id}/moderation", Coordinator, "/api/v1/posts/1/moderation", false, api::forum::moderate),
        r!(get, "GET", "/api/v1/me/organisations", Account, "/api/v1/me/organisations", false, api::my_org::list),
        r!(get, "GET", "/api/v1/me/organisations/{id}", Account, "/api/v1/me/organisations/316", false, api::my_org::get),
        r!(put, "PUT", "/api/v1/me/organisations/{id}", Account, "/api/v1/me/organisations/316", false, api::my_org::update),
        r!(post, "POST", "/api/v1/me/organisations/{id}/contacts", Account, "/api/v1/me/organisations/316/contacts", false, api::my_org::add_contact),
        r!(delete, "DELETE", "/api/v1/me/organisations/{id}/contacts/{contact}", Account, "/api/v1/me/organisations/316/contacts/1", false, api::my_org::remove_contact),
        r!(put, "PUT", "/api/v1/me/digest", Account, "/api/v1/me/digest", false, api::forum::digest),
        r!(get, "GET", "/api/v1/invitations/{token}", Public, "/api/v1/invitations/x", false, api::invitations::get),
        r!(post, "POST", "/api/v1/invitations/{token}/code", Public, "/api/v1/invitations/x/code", false, api::invitations::code),
        r!(post, "POST", "/api/v1/invitations/{token}/device", Public, "/api/v1/invitations/x/device", false, api::invitations::device),
        r!(post, "POST", "/api/v1/invitations/{token}/contributions", Public, "/api/v1/invitations/x/contributions", false, api::invitations::contribute),
        r!(post, "POST", "/api/v1/invitations/{token}/registrations", Public, "/api/v1/invitations/x/registrations", false, api::invitations::register),
        r!(delete, "DELETE", "/api/v1/invitations/{token}/registrations/{id}", Public, "/api/v1/invitations/x/registrations/1", false, api::invitations::unregister),
        // The Wegweiser
        r!(get, "GET", "/api/v1/guide/search", Public, "/api/v1/guide/search?q=Kinderarzt&ort=laatzen", false, api::guide::search),
        r!(post, "POST", "/api/v1/guide/services", Coordinator, "/api/v1/guide/services", false, api::guide::create),
        r!(get, "GET", "/api/v1/guide/services/{id}", Public, "/api/v1/guide/services/1", false, api::guide::get),
        r!(put, "PUT", "/api/v1/guide/services/{id}", Coordinator, "/api/v1/guide/services/1", false, api::guide::update),
        r!(get, "GET", "/api/v1/guide/changes", Coordinator, "/api/v1/guide/changes", false, api::guide::changes),
        r!(post, "POST", "/api/v1/guide/changes/{id}/approve", Coordinator, "/api/v1/guide/changes/1/approve", false, api::guide::approve),
        r!(post, "POST", "/api/v1/guide/changes/{id}/reject", Coordinator, "/api/v1/guide/changes/1/reject", false, api::guide::reject),
        r!(post, "POST", "/api/v1/guide/import", Coordinator, "/api/v1/guide/import", false, api::guide::import),
        r!(get, "GET", "/api/v1/me/organisations/{id}/services", Account, "/api/v1/me/organisations/316/services", false, api::guide::org_services),
        r!(post, "POST", "/api/v1/me/organisations/{id}/services", Account, "/api/v1/me/organisations/316/services", false, api::guide::org_create),
        r!(put, "PUT", "/api/v1/me/organisations/{id}/services/{service}", Account, "/api/v1/me/organisations/316/services/403", false, api::guide::org_update),
        r!(post, "POST", "/api/v1/me/organisations/{id}/services/{service}/verify", Account, "/api/v1/me/organisations/316/services/403/verify", false, api::guide::org_verify),
        r!(get, "GET", "/api/v1/recognition", Public, "/api/v1/recognition?q=nurse", false, api::guide::recognition_find),
        r!(put, "PUT", "/api/v1/recognition", Coordinator, "/api/v1/recognition", false, api::guide::recognition_import),
        r!(get, "GET", "/api/v1/recognition/{key}", Public, "/api/v1/recognition/pflegefachkraft", false, api::guide::recognition_get),
        r!(get, "GET", "/api/v1/next-steps", Public, "/api/v1/next-steps?niveau=b1&alter=24&ziel=training&ort=garbsen", false, api::guide::next_steps),
        r!(get, "GET", "/api/v1/staff/me", Staff, "/api/v1/staff/me", false, api::guide::staff_me),
        r!(put, "PUT", "/api/v1/staff/me/{id}/languages", Staff, "/api/v1/staff/me/1/languages", false, api::guide::staff_languages),
        r!(get, "GET", "/api/v1/staff/coverage", TeamLead, "/api/v1/staff/coverage", false, api::guide::coverage),
        r!(post, "POST", "/api/v1/staff/demand", TeamLead, "/api/v1/staff/demand", false, api::guide::demand),
        r!(get, "GET", "/api/v1/staff/interpreter-requests", Staff, "/api/v1/staff/interpreter-requests", false, api::guide::requests),
        r!(post, "POST", "/api/v1/staff/interpreter-requests", Staff, "/api/v1/staff/interpreter-requests", false, api::guide::request),
        r!(post, "POST", "/api/v1/staff/interpreter-requests/{id}/accept", Staff, "/api/v1/staff/interpreter-requests/1/accept", false, api::guide::accept),
        r!(post, "POST", "/api/v1/staff/interpreter-requests/{id}/cancel", Staff, "/api/v1/staff/interpreter-requests/1/cancel", false, api::guide::cancel_request),
        r!(get, "GET", "/api/v1/events", Public, "/api/v1/events", false, api::events::list),
        r!(post, "POST", "/api/v1/events", Coordinator, "/api/v1/events", false, api::events::create),
        r!(get, "GET", "/api/v1/events/{id}", Public, "/api/v1/events/1", false, api::events::get),
        r!(put, "PUT", "/api/v1/events/{id}", Coordinator, "/api/v1/events/1", false, api::events::update),
        r!(get, "GET", "/api/v1/events/{id}/registrations", Coordinator, "/api/v1/events/1/registrations", false, api::events::registrations),
        r!(post, "POST", "/api/v1/events/{id}/registrations", Public, "/api/v1/events/1/registrations", false, api::events::register),
        r!(delete, "DELETE", "/api/v1/events/{id}/registrations/{registration}", Coordinator, "/api/v1/events/14/registrations/1", false, api::coordination::cancel_registration),
        r!(delete, "DELETE", "/api/v1/events/{id}/registration", Account, "/api/v1/events/14/registration", false, api::coordination::cancel_mine),
        r!(put, "PUT", "/api/v1/events/{id}/record", Coordinator, "/api/v1/events/1/record", false, api::events::record),
        r!(post, "POST", "/api/v1/events/{id}/outcomes", Coordinator, "/api/v1/events/1/outcomes", false, api::events::add_outcome),
        r!(delete, "DELETE", "/api/v1/registrations/{token}", Public, "/api/v1/registrations/x", false, api::events::cancel),
        r!(get, "GET", "/api/v1/municipalities", Public, "/api/v1/municipalities", false, api::municipalities),
        // Operations
        r!(get, "GET", "/healthz", Public, "/healthz", false, metrics::healthz),
        r!(get, "GET", "/metrics", Public, "/metrics", false, metrics::metrics),
        r!(get, "GET", "/assets/{*file}", Public, "/assets/app.css", false, assets::serve),
    ]
}

/// The routes as data (for tests, `teilhabe routes` and the browser checks).
pub fn list() -> Vec<RouteInfo> {
    table().into_iter().map(|(i, _)| i).collect()
}

/// Builds the application: every route behind its access rule, all behind the context layer.
pub fn router(state: AppState) -> Router {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for (info, mr) in table() {
        let mut guarded = mr.route_layer(axum::middleware::from_fn_with_state(
            info.access,
            authz::check,
        ));
        if info.path.ends_with("/import")
            || info.path == "/api/v1/recognition"
            || info.path == "/verwaltung/wegweiser/anerkennung"
        {
            guarded = guarded.layer(axum::extract::DefaultBodyLimit::max(ctx::MAX_UPLOAD));
        }
        let merged = match by_path.remove(info.path) {
            Some(existing) => existing.merge(guarded),
            None => guarded,
        };
        by_path.insert(info.path, merged);
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(path, mr);
    }
    router
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::layout::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::context_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(ctx::MAX_BODY))
        // Text answers (pages, stylesheets, JSON) compressed for slow connections.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(state)
}
