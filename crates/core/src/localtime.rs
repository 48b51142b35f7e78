//! Local time in Germany. Every tenant is a German region or city, so one zone serves all:
//! Central European Time, with summer time from the last Sunday of March 01:00 UTC to the last
//! Sunday of October 01:00 UTC (Directive 2000/84/EC). A full time-zone database would add a
//! dependency and data for zones no tenant uses.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let next = if month == Month::December {
        Date::from_calendar_date(year + 1, Month::January, 1)
    } else {
        Date::from_calendar_date(year, month.next(), 1)
    }
    .ok()?;
    let mut d = next.previous_day()?;
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day()?;
    }
    Some(d)
}

/// The UTC offset in seconds that applies in Germany at the instant `ts` (3600 or 7200).
pub fn offset_at(ts: i64) -> i64 {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(ts) else {
        return 3600;
    };
    let y = t.year();
    let switch = |m| {
        last_sunday(y, m)
            .map(|d| PrimitiveDateTime::new(d, Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT)))
            .map(|p| p.assume_utc().unix_timestamp())
    };
    match (switch(Month::March), switch(Month::October)) {
        (Some(start), Some(end)) if ts >= start && ts < end => 7200,
        _ => 3600,
    }
}

/// The local wall-clock time in Germany at `ts`.
pub fn local(ts: i64) -> PrimitiveDateTime {
    let off = offset_at(ts);
    let t = OffsetDateTime::from_unix_timestamp(ts + off).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    PrimitiveDateTime::new(t.date(), t.time())
}

/// The instant of a German wall-clock time. In the hour that does not exist (spring) the
/// later offset is taken; in the hour that happens twice (autumn), the first.
pub fn from_local(p: PrimitiveDateTime) -> i64 {
    let naive = p.assume_utc().unix_timestamp();
    for off in [7200, 3600] {
        if offset_at(naive - off) == off {
            return naive - off;
        }
    }
    naive - 3600
}

/// Parses the value of an `<input type="datetime-local">` ("2016-03-14T18:00", seconds
/// optional) as German local time.
pub fn parse_local(s: &str) -> Option<i64> {
    let s = s.trim();
    let (d, t) = s.split_once('T').or_else(|| s.split_once(' '))?;
    let mut dp = d.split('-');
    let y: i32 = dp.next()?.parse().ok()?;
    let m: u8 = dp.next()?.parse().ok()?;
    let day: u8 = dp.next()?.parse().ok()?;
    if dp.next().is_some() {
        return None;
    }
    let mut tp = t.split(':');
    let h: u8 = tp.next()?.parse().ok()?;
    let min: u8 = tp.next()?.parse().ok()?;
    let sec: u8 = match tp.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, day).ok()?;
    let time = Time::from_hms(h, min, sec).ok()?;
    Some(from_local(PrimitiveDateTime::new(date, time)))
}

/// The value for an `<input type="datetime-local">`: "2016-03-14T18:00".
pub fn format_input(ts: i64) -> String {
    let p = local(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        p.year(),
        u8::from(p.month()),
        p.day(),
        p.hour(),
        p.minute()
    )
}

/// The offset as it appears in RFC 3339 ("+01:00").
pub fn offset_of(ts: i64) -> UtcOffset {
    UtcOffset::from_whole_seconds(offset_at(ts) as i32).unwrap_or(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summer_time_switches_on_the_last_sundays_at_one_utc() {
        // 2016: 27 March and 30 October.
        let spring = 1_459_040_400; // 2016-03-27T01:00:00Z
        assert_eq!(offset_at(spring - 1), 3600);
        assert_eq!(offset_at(spring), 7200);
        let autumn = 1_477_789_200; // 2016-10-30T01:00:00Z
        assert_eq!(offset_at(autumn - 1), 7200);
        assert_eq!(offset_at(autumn), 3600);
    }

    #[test]
    fn local_input_round_trips_in_winter_and_summer() {
        for s in ["2016-01-14T18:00", "2016-06-14T09:30", "2027-12-31T23:59"] {
            let ts = parse_local(s).unwrap();
            assert_eq!(format_input(ts), s);
        }
        // 14 June 2016 09:30 in Hannover is 07:30 UTC.
        assert_eq!(parse_local("2016-06-14T09:30").unwrap(), 1_465_889_400);
        assert_eq!(parse_local("2016-02-30T09:30"), None);
        assert_eq!(parse_local("2016-06-14"), None);
        assert_eq!(parse_local("morgen"), None);
    }

    #[test]
    fn the_missing_spring_hour_is_taken_as_summer_time() {
        let ts = parse_local("2016-03-27T02:30").unwrap();
        assert_eq!(offset_at(ts), 7200);
    }
}
