//! Charts drawn on the server as SVG: a line chart over the years and a bar chart across
//! municipalities. Series differ by line pattern and marker shape as well as colour (never
//! colour alone), colours keep 3:1 against white, and every chart carries a title and a
//! description; the page puts the data table and a text summary next to it.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Colours with at least 3:1 contrast against white.
const COLOURS: [&str; 5] = ["#1b4f9c", "#b3261e", "#1e6b34", "#6b4f00", "#5a2d82"];
const DASHES: [&str; 5] = ["", "8 4", "2 3", "10 3 2 3", "4 4"];

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub struct Series<'a> {
    pub label: &'a str,
    pub points: &'a BTreeMap<i32, f64>,
}

/// A "nice" step for about `n` ticks over `span`.
fn step(span: f64, n: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn marker(out: &mut String, i: usize, x: f64, y: f64, colour: &str) {
    let _ = match i % 5 {
        0 => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#
        ),
        1 => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}"/>"#,
            x - 4.0,
            y - 4.0
        ),
        2 => write!(
            out,
            r#"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        3 => write!(
            out,
            r#"<path d="M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
        _ => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="white" stroke="{colour}" stroke-width="2"/>"#
        ),
    };
}

/// A line chart over the years; `fmt` writes the axis's numbers as the page's language does.
pub fn line(
    id: &str,
    title: &str,
    desc: &str,
    series: &[Series<'_>],
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let (w, h) = (640.0, 320.0);
    let (left, right, top) = (64.0, 16.0, 16.0);
    let height = h + 20.0 * series.len() as f64 + 8.0;
    let years: Vec<i32> = {
        let mut y: Vec<i32> = series
            .iter()
            .flat_map(|s| s.points.keys().copied())
            .collect();
        y.sort_unstable();
        y.dedup();
        y
    };
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.values().copied())
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="th-chart" viewBox="0 0 {w} {height}" role="img" aria-labelledby="{id}-t {id}-d" direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    if years.is_empty() || values.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let lo = values.iter().copied().fold(f64::MAX, f64::min).min(0.0);
    let hi = values.iter().copied().fold(f64::MIN, f64::max).max(0.0);
    let st = step(hi - lo, 5.0);
    let top_v = (hi / st).ceil() * st;
    let bottom_v = (lo / st).floor() * st;
    let (y0, y1) = (
        bottom_v,
        if top_v > bottom_v {
            top_v
        } else {
            bottom_v + st
        },
    );
    let plot_h = h - top - 40.0;
    let py = |v: f64| top + plot_h * (1.0 - (v - y0) / (y1 - y0));
    let (x0, x1) = (years[0], *years.last().unwrap_or(&years[0]));
    let plot_w = w - left - right;
    let px = |y: i32| {
        if x1 == x0 {
            left + plot_w / 2.0
        } else {
            left + plot_w * f64::from(y - x0) / f64::from(x1 - x0)
        }
    };
    // Grid and y axis.
    let mut v = y0;
    let mut ticks = 0;
    while v <= y1 + st / 2.0 && ticks < 20 {
        ticks += 1;
        let y = py(v);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#d0d0d0"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#333">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            escape(&fmt(v))
        );
        v += st;
    }
    // x axis: every year, or every other when many.
    let every = if years.len() > 12 { 2 } else { 1 };
    for (i, y) in years.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#333">{y}</text>"##,
                px(*y),
                top + plot_h + 18.0
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#555"/>"##,
        py(y0),
        w - right,
        py(y0)
    );
    for (i, s) in series.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|(y, v)| format!("{:.1},{:.1}", px(*y), py(*v)))
            .collect();
        let dash = DASHES[i % DASHES.len()];
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2.5"{}/>"#,
            pts.join(" "),
            if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            }
        );
        for (y, v) in s.points {
            marker(&mut out, i, px(*y), py(*v), c);
        }
        // Legend below the plot.
        let ly = h + 20.0 * i as f64;
        let _ = write!(
            out,
            r#"<line x1="{left}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{c}" stroke-width="2.5"{}/>"#,
            left + 32.0,
            if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            }
        );
        marker(&mut out, i, left + 16.0, ly, c);
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" fill="#111">{}</text>"##,
            left + 40.0,
            ly + 4.0,
            escape(s.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per label, largest first; `reference` draws a dashed line (e.g. the
/// region's figure) with its label.
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    rows: &[(String, f64)],
    reference: Option<(&str, f64)>,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let w = 640.0;
    let (left, right, top) = (190.0, 70.0, 8.0);
    let row_h = 22.0;
    let h = top + row_h * rows.len() as f64 + 30.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="th-chart" viewBox="0 0 {w} {h:.0}" role="img" aria-labelledby="{id}-t {id}-d" direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    let max = rows
        .iter()
        .map(|r| r.1)
        .chain(reference.map(|r| r.1))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let plot_w = w - left - right;
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let bw = plot_w * (v.max(0.0) / max);
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#111">{}</text><rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#111">{}</text>"##,
            left - 6.0,
            y + 15.0,
            escape(label),
            y + 3.0,
            row_h - 6.0,
            COLOURS[0],
            left + bw + 4.0,
            y + 15.0,
            escape(&fmt(*v))
        );
    }
    if let Some((label, v)) = reference {
        let x = left + plot_w * (v.max(0.0) / max);
        let y2 = top + row_h * rows.len() as f64;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{y2:.1}" stroke="{}" stroke-width="2" stroke-dasharray="6 3"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#111">{}: {}</text>"##,
            COLOURS[1],
            y2 + 18.0,
            escape(label),
            escape(&fmt(v))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice_and_charts_escape_and_describe() {
        assert_eq!(step(37.0, 5.0), 10.0);
        assert_eq!(step(0.9, 5.0), 0.2);
        assert_eq!(step(12_000.0, 5.0), 2_500.0);
        let a: BTreeMap<i32, f64> = [(2016, 10.0), (2017, 12.0)].into_iter().collect();
        let b: BTreeMap<i32, f64> = [(2016, 8.0), (2017, 9.5)].into_iter().collect();
        let svg = line(
            "c",
            "Quote <Test>",
            "Beschreibung",
            &[
                Series {
                    label: "A & B",
                    points: &a,
                },
                Series {
                    label: "C",
                    points: &b,
                },
            ],
            &|v| format!("{v}"),
        );
        assert!(svg.contains("<title id=\"c-t\">Quote &lt;Test&gt;</title>"));
        assert!(svg.contains("A &amp; B"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(
            svg.contains("stroke-dasharray=\"8 4\""),
            "the second series is dashed"
        );
        assert!(
            svg.contains("<rect"),
            "the second series has square markers"
        );
        let svg = bars(
            "b",
            "t",
            "d",
            &[("Hannover".into(), 38.0), ("Uetze".into(), 12.0)],
            Some(("Region", 27.0)),
            &|v| format!("{v}"),
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Region: 27"));
        // No data: an empty, still described chart.
        let empty = BTreeMap::new();
        assert!(line(
            "e",
            "t",
            "d",
            &[Series {
                label: "x",
                points: &empty
            }],
            &|v| v.to_string()
        )
        .ends_with("<desc id=\"e-d\">d</desc></svg>"));
    }
}
