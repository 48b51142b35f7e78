//! The demo's monitoring: ten indicators tied to the concept's goals, with values for the 21
//! municipalities from 2016 to 2025 — illustrative figures, marked as such, not statistics.

use std::collections::HashSet;
use th_core::TenantId;
use th_storage::Db;

const INDICATORS_JSON: &str = include_str!("../data/indicators.json");
const VALUES_CSV: &str = include_str!("../data/indicator_values.csv");

pub async fn load(db: &Db, t: TenantId, now: i64) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct File {
        indicators: Vec<th_monitoring::Indicator>,
    }
    let f: File =
        serde_json::from_str(INDICATORS_JSON).map_err(|e| format!("indicators.json: {e}"))?;
    th_monitoring::put_indicators(db, t, &f.indicators, now)
        .await
        .map_err(|e| format!("indicators: {e:?}"))?;
    let known: std::collections::HashMap<String, String> = f
        .indicators
        .iter()
        .map(|i| (i.key.clone(), i.unit.clone()))
        .collect();
    let towns: HashSet<String> = crate::MUNICIPALITIES
        .iter()
        .map(|m| m.0.to_string())
        .collect();
    let vs = th_monitoring::parse_values_csv(VALUES_CSV, &known, &towns, 1950..=2100)
        .map_err(|e| format!("indicator_values.csv: {e:?}"))?;
    th_monitoring::put_values(db, t, &vs, now)
        .await
        .map_err(|e| format!("indicator values: {e:?}"))?;
    Ok(())
}
