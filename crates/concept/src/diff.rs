//! A readable difference between two versions: what was added, removed or reworded, field by
//! field and goal by goal, with word-level marks for reworded texts.

use crate::{Tr, Version};
use th_core::Locale;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// A piece of a reworded text: kept, inserted or deleted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum Segment {
    Same(String),
    Insert(String),
    Delete(String),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    /// "field 4" or "goal 4.2" or "concept".
    pub kind: ChangeKind,
    pub what: &'static str,
    pub number: String,
    pub part: &'static str,
    pub segments: Vec<Segment>,
}

fn words(a: &str, b: &str) -> Vec<Segment> {
    let d = similar::TextDiff::configure().diff_words(a, b);
    let mut out: Vec<Segment> = Vec::new();
    for c in d.iter_all_changes() {
        let v = c.value().to_string();
        let seg = match c.tag() {
            similar::ChangeTag::Equal => Segment::Same(v),
            similar::ChangeTag::Insert => Segment::Insert(v),
            similar::ChangeTag::Delete => Segment::Delete(v),
        };
        // Merge neighbours of the same kind so that the page reads as phrases.
        match (out.last_mut(), seg) {
            (Some(Segment::Same(p)), Segment::Same(s))
            | (Some(Segment::Insert(p)), Segment::Insert(s))
            | (Some(Segment::Delete(p)), Segment::Delete(s)) => p.push_str(&s),
            (_, s) => out.push(s),
        }
    }
    out
}

fn text_change(
    out: &mut Vec<Change>,
    what: &'static str,
    number: &str,
    part: &'static str,
    a: &Tr,
    b: &Tr,
    l: Locale,
) {
    let (ta, tb) = (a.get(l).text, b.get(l).text);
    if ta != tb {
        out.push(Change {
            kind: ChangeKind::Changed,
            what,
            number: number.to_string(),
            part,
            segments: words(ta, tb),
        });
    }
}

fn whole(kind: ChangeKind, what: &'static str, number: &str, t: &Tr, l: Locale) -> Change {
    let text = t.get(l).text.to_string();
    Change {
        kind,
        what,
        number: number.to_string(),
        part: "title",
        segments: vec![match kind {
            ChangeKind::Removed => Segment::Delete(text),
            _ => Segment::Insert(text),
        }],
    }
}

/// What changed from `old` to `new`, in the texts of locale `l` (German where it lacks one).
pub fn diff(old: &Version, new: &Version, l: Locale) -> Vec<Change> {
    let mut out = Vec::new();
    text_change(&mut out, "concept", "", "title", &old.title, &new.title, l);
    text_change(
        &mut out,
        "concept",
        "",
        "summary",
        &old.summary,
        &new.summary,
        l,
    );
    for nf in &new.fields {
        let n = nf.number.to_string();
        match old.fields.iter().find(|f| f.id == nf.id) {
            None => out.push(whole(ChangeKind::Added, "field", &n, &nf.title, l)),
            Some(of) => {
                text_change(&mut out, "field", &n, "title", &of.title, &nf.title, l);
                text_change(
                    &mut out,
                    "field",
                    &n,
                    "description",
                    &of.description,
                    &nf.description,
                    l,
                );
                for ng in &nf.goals {
                    match of.goals.iter().find(|g| g.id == ng.id) {
                        None => {
                            out.push(whole(ChangeKind::Added, "goal", &ng.number, &ng.title, l))
                        }
                        Some(og) => {
                            text_change(
                                &mut out, "goal", &ng.number, "title", &og.title, &ng.title, l,
                            );
                            text_change(
                                &mut out,
                                "goal",
                                &ng.number,
                                "description",
                                &og.description,
                                &ng.description,
                                l,
                            );
                        }
                    }
                }
                for og in &of.goals {
                    if !nf.goals.iter().any(|g| g.id == og.id) {
                        out.push(whole(ChangeKind::Removed, "goal", &og.number, &og.title, l));
                    }
                }
            }
        }
    }
    for of in &old.fields {
        if !new.fields.iter().any(|f| f.id == of.id) {
            out.push(whole(
                ChangeKind::Removed,
                "field",
                &of.number.to_string(),
                &of.title,
                l,
            ));
        }
    }
    out
}
