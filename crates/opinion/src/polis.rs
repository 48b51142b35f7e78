//! Polis's CSV export (specs/POLIS.md): reading `comments.csv`, `votes.csv` (or, without it,
//! `participants-votes.csv`) and `summary.csv` into a conversation, and writing the same files
//! back. Every line is checked before anything is returned; errors name the file and the line.
//!
//! `votes.csv` can hold tens of millions of lines, so it is read in blocks that are cut at line
//! ends and parsed on all cores, with a fast path for lines without quotes.

use crate::analysis::Analysis;
use crate::matrix::{pack, Conversation, Statement};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

/// One problem in an export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    /// Physical line (1 = the header); 0 for the file as a whole.
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}, line {}: {}", self.file, self.line, self.message)
        }
    }
}

/// At most this many problems are listed; the count says how many there were.
pub const MAX_LISTED: usize = 50;

#[derive(Debug, thiserror::Error)]
#[error("{}", describe(.problems, *.total))]
pub struct ImportError {
    pub problems: Vec<Problem>,
    pub total: usize,
}

fn describe(p: &[Problem], total: usize) -> String {
    let mut s: String = p.iter().map(|p| format!("{p}\n")).collect();
    if total > p.len() {
        s.push_str(&format!("… and {} more problems\n", total - p.len()));
    }
    s.trim_end().to_string()
}

/// A statement as the export carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    pub author: Option<i64>,
    pub timestamp_ms: Option<i64>,
    /// -1 rejected, 0 unmoderated, 1 accepted.
    pub moderated: i8,
    pub meta: bool,
    pub body: String,
}

/// A whole export.
#[derive(Debug, Default)]
pub struct Export {
    pub comments: Vec<Comment>,
    pub conversation: Conversation,
    /// Latest vote's time per (row, column) is not kept; the latest timestamp overall is.
    pub summary: BTreeMap<String, String>,
    /// Polis's own group per participant id, from participants-votes.csv.
    pub polis_groups: HashMap<i64, u32>,
    pub votes_read: u64,
}

struct Collector {
    problems: Vec<Problem>,
    total: usize,
}

impl Collector {
    fn add(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.total += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(Problem {
                file: file.into(),
                line,
                message: message.into(),
            });
        }
    }
}

fn read_text(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let bytes = bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&bytes)
                .to_vec();
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| "is not UTF-8".to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Column positions by header name; duplicate and missing required names are problems.
fn header_map(
    file: &str,
    header: &csv::StringRecord,
    required: &[&str],
    c: &mut Collector,
) -> Option<HashMap<String, usize>> {
    let mut map = HashMap::new();
    let mut ok = true;
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        if h.is_empty() {
            continue;
        }
        if map.insert(h.clone(), i).is_some() {
            c.add(
                file,
                1,
                format!("the column \"{h}\" appears twice in the header"),
            );
            ok = false;
        }
    }
    for r in required {
        if !map.contains_key(*r) {
            c.add(file, 1, format!("the header has no column \"{r}\""));
            ok = false;
        }
    }
    ok.then_some(map)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "f" => Some(false),
        "true" | "1" | "t" => Some(true),
        _ => None,
    }
}

fn read_comments(text: &str, c: &mut Collector) -> Vec<Comment> {
    const F: &str = "comments.csv";
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(header) = rdr.headers().cloned() else {
        c.add(F, 1, "the header cannot be read");
        return Vec::new();
    };
    let Some(h) = header_map(F, &header, &["comment-id"], c) else {
        return Vec::new();
    };
    let get = |rec: &csv::StringRecord, k: &str| {
        h.get(k)
            .and_then(|&i| rec.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                c.add(F, line, "the line is not valid CSV");
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != header.len() {
            c.add(
                F,
                line,
                format!("{} fields where the header has {}", rec.len(), header.len()),
            );
            continue;
        }
        let Ok(id) = get(&rec, "comment-id").parse::<i64>() else {
            c.add(
                F,
                line,
                format!(
                    "comment-id \"{}\" is not a whole number",
                    get(&rec, "comment-id")
                ),
            );
            continue;
        };
        if let Some(first) = seen.insert(id, line) {
            c.add(
                F,
                line,
                format!("comment-id {id} appeared before on line {first}"),
            );
            continue;
        }
        let moderated = match get(&rec, "moderated").as_str() {
            "" | "0" => 0,
            "1" => 1,
            "-1" => -1,
            other => {
                c.add(F, line, format!("moderated \"{other}\" must be -1, 0 or 1"));
                continue;
            }
        };
        let Some(meta) = parse_bool(&get(&rec, "is-meta")) else {
            c.add(
                F,
                line,
                format!("is-meta \"{}\" must be true or false", get(&rec, "is-meta")),
            );
            continue;
        };
        let author = get(&rec, "author-id");
        let author = if author.is_empty() {
            None
        } else if let Ok(a) = author.parse::<i64>() {
            Some(a)
        } else {
            c.add(
                F,
                line,
                format!("author-id \"{author}\" is not a whole number"),
            );
            continue;
        };
        let ts = get(&rec, "timestamp");
        let timestamp_ms = if ts.is_empty() {
            None
        } else if let Ok(t) = ts.parse::<i64>() {
            Some(t)
        } else {
            c.add(
                F,
                line,
                format!("timestamp \"{ts}\" is not a whole number of milliseconds"),
            );
            continue;
        };
        out.push(Comment {
            id,
            author,
            timestamp_ms,
            moderated,
            meta,
            body: get(&rec, "comment-body"),
        });
    }
    out
}

/// Statement id → column: a plain table for the usual small non-negative ids (a lookup per
/// vote must be cheap at 50 million votes), a hash map otherwise.
pub struct ColMap {
    dense: Vec<u32>,
    sparse: HashMap<i64, u32>,
}

impl ColMap {
    fn new(statements: &[Statement]) -> Self {
        let max = statements.iter().map(|s| s.id).max().unwrap_or(-1);
        let min = statements.iter().map(|s| s.id).min().unwrap_or(0);
        if min >= 0 && max < 16 << 20 {
            let mut dense = vec![u32::MAX; (max + 1) as usize];
            for (i, s) in statements.iter().enumerate() {
                dense[s.id as usize] = i as u32;
            }
            ColMap {
                dense,
                sparse: HashMap::new(),
            }
        } else {
            ColMap {
                dense: Vec::new(),
                sparse: statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.id, i as u32))
                    .collect(),
            }
        }
    }

    #[inline]
    fn get(&self, id: i64) -> Option<u32> {
        if self.dense.is_empty() {
            return self.sparse.get(&id).copied();
        }
        usize::try_from(id)
            .ok()
            .and_then(|i| self.dense.get(i))
            .copied()
            .filter(|&c| c != u32::MAX)
    }
}

/// One parsed vote: voter id, packed column and vote, timestamp.
#[derive(Clone, Copy)]
struct Rec {
    voter: i64,
    packed: u32,
}

struct Block {
    recs: Vec<Rec>,
    ts: Vec<i64>,
    sorted: bool,
    first_ts: i64,
    last_ts: i64,
    problems: Vec<(u64, String)>,
    problem_count: usize,
    lines: u64,
}

struct VoteColumns {
    ts: Option<usize>,
    comment: usize,
    voter: usize,
    vote: usize,
    count: usize,
}

#[inline]
fn parse_int(b: &[u8]) -> Option<i64> {
    let b = trim(b);
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (d - b'0') as i64;
    }
    Some(if neg { -v } else { v })
}

#[inline]
fn trim(b: &[u8]) -> &[u8] {
    let mut s = 0;
    let mut e = b.len();
    while s < e && (b[s] == b' ' || b[s] == b'\r' || b[s] == b'"') {
        s += 1;
    }
    while e > s && (b[e - 1] == b' ' || b[e - 1] == b'\r' || b[e - 1] == b'"') {
        e -= 1;
    }
    &b[s..e]
}

fn split_fields(line: &[u8]) -> Vec<Vec<u8>> {
    if memchr::memchr(b'"', line).is_none() {
        return line.split(|&b| b == b',').map(<[u8]>::to_vec).collect();
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line);
    match rdr.byte_records().next() {
        Some(Ok(r)) => r.iter().map(<[u8]>::to_vec).collect(),
        _ => Vec::new(),
    }
}

fn parse_block(data: &[u8], first_line: u64, cols: &VoteColumns, col_of: &ColMap) -> Block {
    let mut b = Block {
        recs: Vec::with_capacity(data.len() / 32),
        ts: Vec::with_capacity(if cols.ts.is_some() {
            data.len() / 32
        } else {
            0
        }),
        sorted: true,
        first_ts: i64::MIN,
        last_ts: i64::MIN,
        problems: Vec::new(),
        problem_count: 0,
        lines: 0,
    };
    let add = |b: &mut Block, line: u64, m: String| {
        b.problem_count += 1;
        if b.problems.len() < MAX_LISTED {
            b.problems.push((line, m));
        }
    };
    let mut start = 0;
    let mut line = first_line;
    while start < data.len() {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let raw = &data[start..end];
        start = end + 1;
        let this = line;
        line += 1;
        b.lines += 1;
        if trim(raw).is_empty() {
            continue;
        }
        // Fast path: no quotes, at most 16 fields.
        let owned;
        let n;
        let mut fields: [&[u8]; 16] = [&[]; 16];
        if memchr::memchr(b'"', raw).is_none() {
            let mut k = 0;
            for f in raw.split(|&c| c == b',') {
                if k < 16 {
                    fields[k] = f;
                }
                k += 1;
            }
            n = k;
        } else {
            owned = split_fields(raw);
            n = owned.len();
            for (k, f) in owned.iter().enumerate().take(16) {
                fields[k] = f;
            }
        }
        if n != cols.count {
            add(
                &mut b,
                this,
                format!("{n} fields where the header has {}", cols.count),
            );
            continue;
        }
        let get = |i: usize| if i < 16 { fields[i] } else { &[][..] };
        let Some(comment) = parse_int(get(cols.comment)) else {
            add(
                &mut b,
                this,
                format!(
                    "comment-id \"{}\" is not a whole number",
                    String::from_utf8_lossy(get(cols.comment))
                ),
            );
            continue;
        };
        let Some(voter) = parse_int(get(cols.voter)) else {
            add(
                &mut b,
                this,
                format!(
                    "voter-id \"{}\" is not a whole number",
                    String::from_utf8_lossy(get(cols.voter))
                ),
            );
            continue;
        };
        let vote = match parse_int(get(cols.vote)) {
            Some(v @ -1..=1) => v as i8,
            _ => {
                add(
                    &mut b,
                    this,
                    format!(
                        "vote \"{}\" must be 1 (agree), -1 (disagree) or 0 (pass)",
                        String::from_utf8_lossy(get(cols.vote))
                    ),
                );
                continue;
            }
        };
        let Some(col) = col_of.get(comment) else {
            add(
                &mut b,
                this,
                format!("comment-id {comment} is not in comments.csv"),
            );
            continue;
        };
        if let Some(ti) = cols.ts {
            let Some(t) = parse_int(get(ti)) else {
                add(
                    &mut b,
                    this,
                    format!(
                        "timestamp \"{}\" is not a whole number of milliseconds",
                        String::from_utf8_lossy(get(ti))
                    ),
                );
                continue;
            };
            if b.first_ts == i64::MIN {
                b.first_ts = t;
            }
            if t < b.last_ts {
                b.sorted = false;
            }
            b.last_ts = t;
            b.ts.push(t);
        }
        b.recs.push(Rec {
            voter,
            packed: pack(col, vote),
        });
    }
    b
}

/// Block size for reading votes.csv.
const BLOCK: usize = 32 << 20;

fn read_votes(
    path: &Path,
    col_of: &ColMap,
    c: &mut Collector,
    progress: &dyn Fn(u64, u64),
) -> Option<(Vec<Rec>, Option<Vec<i64>>)> {
    const F: &str = "votes.csv";
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            c.add(F, 0, e.to_string());
            return None;
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; BLOCK];
    let mut header: Option<VoteColumns> = None;
    let mut recs: Vec<Rec> = Vec::new();
    let mut ts: Vec<i64> = Vec::new();
    let mut sorted = true;
    let mut last_ts = i64::MIN;
    let mut line: u64 = 1;
    let mut read_bytes = 0u64;
    let mut eof = false;
    while !eof {
        let n = match file.read(&mut chunk) {
            Ok(n) => n,
            Err(e) => {
                c.add(F, 0, e.to_string());
                return None;
            }
        };
        read_bytes += n as u64;
        progress(read_bytes, size);
        if n == 0 {
            eof = true;
        } else {
            buf.extend_from_slice(&chunk[..n]);
        }
        // The part up to the last line end (all of it at the end of the file).
        let cut = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1)
        };
        if cut == 0 {
            continue;
        }
        let mut data: Vec<u8> = buf.drain(..cut).collect();
        if header.is_none() {
            let skip = if data.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            let end = memchr::memchr(b'\n', &data).map_or(data.len(), |i| i + 1);
            let names: Vec<String> = split_fields(&data[skip..end])
                .iter()
                .map(|f| String::from_utf8_lossy(trim(f)).to_ascii_lowercase())
                .collect();
            let mut rec = csv::StringRecord::new();
            for n in &names {
                rec.push_field(n);
            }
            let h = header_map(F, &rec, &["comment-id", "voter-id", "vote"], c)?;
            header = Some(VoteColumns {
                ts: h.get("timestamp").copied(),
                comment: h["comment-id"],
                voter: h["voter-id"],
                vote: h["vote"],
                count: names.len(),
            });
            data.drain(..end);
            line = 2;
        }
        let Some(cols) = header.as_ref() else {
            break;
        };
        // Split into parts at line ends and parse them in parallel.
        let parts = rayon::current_num_threads().max(1) * 2;
        let mut bounds = vec![0usize];
        for p in 1..parts {
            let at = data.len() * p / parts;
            let at = at.max(*bounds.last().unwrap_or(&0));
            let e = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1);
            bounds.push(e);
        }
        bounds.push(data.len());
        bounds.dedup();
        let mut starts = Vec::new();
        let mut l = line;
        for w in bounds.windows(2) {
            starts.push((w[0], w[1], l));
            l += memchr::memchr_iter(b'\n', &data[w[0]..w[1]]).count() as u64;
        }
        line = l;
        let blocks: Vec<Block> = starts
            .par_iter()
            .map(|&(s, e, l)| parse_block(&data[s..e], l, cols, col_of))
            .collect();
        for b in blocks {
            let unlisted = b.problem_count - b.problems.len();
            for (l, m) in b.problems {
                c.add(F, l, m);
            }
            c.total += unlisted;
            if cols.ts.is_some() && !b.recs.is_empty() {
                if !b.sorted || b.first_ts < last_ts {
                    sorted = false;
                }
                last_ts = last_ts.max(b.last_ts);
            }
            recs.extend_from_slice(&b.recs);
            ts.extend_from_slice(&b.ts);
        }
    }
    if header.is_none() {
        c.add(F, 0, "the file is empty");
        return None;
    }
    if recs.is_empty() && c.total == 0 {
        c.add(F, 0, "the file has no votes");
    }
    let ts = if sorted { None } else { Some(ts) };
    Some((recs, ts))
}

/// Builds the matrix: rows in ascending participant id, columns in ascending statement id,
/// the latest vote (by timestamp, then file order) per participant and statement.
fn build(statements: Vec<Statement>, recs: Vec<Rec>, ts: Option<Vec<i64>>) -> Conversation {
    let mut ids: Vec<i64> = recs.par_iter().map(|r| r.voter).collect();
    ids.par_sort_unstable();
    ids.dedup();
    let (min, max) = (
        ids.first().copied().unwrap_or(0),
        ids.last().copied().unwrap_or(0),
    );
    let dense = max - min < 64 << 20;
    let lookup: Vec<u32> = if dense {
        let mut v = vec![u32::MAX; (max - min + 1) as usize];
        for (i, &id) in ids.iter().enumerate() {
            v[(id - min) as usize] = i as u32;
        }
        v
    } else {
        Vec::new()
    };
    let row_of = |id: i64| -> usize {
        if dense {
            lookup[(id - min) as usize] as usize
        } else {
            ids.binary_search(&id).unwrap_or(0)
        }
    };
    let rows_idx: Vec<u32> = recs.par_iter().map(|r| row_of(r.voter) as u32).collect();
    let n = ids.len();
    let mut count = vec![0u32; n + 1];
    for &r in &rows_idx {
        count[r as usize + 1] += 1;
    }
    for i in 0..n {
        count[i + 1] += count[i];
    }
    let offsets = count.clone();
    let mut fill = count;
    let mut flat = vec![0u32; recs.len()];
    let mut flat_ts: Vec<i64> = if ts.is_some() {
        vec![0; recs.len()]
    } else {
        Vec::new()
    };
    for (i, &r) in rows_idx.iter().enumerate() {
        let at = fill[r as usize] as usize;
        flat[at] = recs[i].packed;
        if let Some(t) = &ts {
            flat_ts[at] = t[i];
        }
        fill[r as usize] += 1;
    }
    drop(recs);
    drop(rows_idx);
    let rows: Vec<Vec<u32>> = (0..n)
        .into_par_iter()
        .map(|r| {
            let (s, e) = (offsets[r] as usize, offsets[r + 1] as usize);
            let mut row: Vec<(u32, i64, usize)> = (s..e)
                .map(|i| {
                    (
                        flat[i] >> 2,
                        if flat_ts.is_empty() { 0 } else { flat_ts[i] },
                        i,
                    )
                })
                .collect();
            // By column, then time, then file order: the last of each column wins.
            row.sort_unstable();
            let mut out: Vec<u32> = Vec::with_capacity(row.len());
            for (col, _, i) in row {
                match out.last_mut() {
                    Some(l) if *l >> 2 == col => *l = flat[i],
                    _ => out.push(flat[i]),
                }
            }
            out.shrink_to_fit();
            out
        })
        .collect();
    Conversation::from_parts(ids, statements, rows)
}

fn read_participant_votes(
    text: &str,
    col_of: &ColMap,
    c: &mut Collector,
) -> (Vec<Rec>, HashMap<i64, u32>) {
    const F: &str = "participants-votes.csv";
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(header) = rdr.headers().cloned() else {
        c.add(F, 1, "the header cannot be read");
        return (Vec::new(), HashMap::new());
    };
    let Some(h) = header_map(F, &header, &["participant"], c) else {
        return (Vec::new(), HashMap::new());
    };
    // Comment columns are the ones whose name is a number.
    let comment_cols: Vec<(usize, i64)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.trim().parse::<i64>().ok().map(|id| (i, id)))
        .collect();
    for &(_, id) in &comment_cols {
        if col_of.get(id).is_none() {
            c.add(
                F,
                1,
                format!("the column for comment {id} has no comment in comments.csv"),
            );
        }
    }
    let mut recs = Vec::new();
    let mut groups = HashMap::new();
    for rec in rdr.records() {
        let Ok(rec) = rec else {
            c.add(F, 0, "a line is not valid CSV");
            continue;
        };
        let line = rec.position().map_or(0, |p| p.line());
        let Some(p) = h
            .get("participant")
            .and_then(|&i| rec.get(i))
            .and_then(|s| s.trim().parse::<i64>().ok())
        else {
            c.add(F, line, "participant is not a whole number");
            continue;
        };
        if let Some(g) = h
            .get("group-id")
            .and_then(|&i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match g.parse::<u32>() {
                Ok(g) => {
                    groups.insert(p, g);
                }
                Err(_) => c.add(F, line, format!("group-id \"{g}\" is not a group number")),
            }
        }
        for &(i, id) in &comment_cols {
            let cell = rec.get(i).unwrap_or("").trim();
            if cell.is_empty() {
                continue;
            }
            match (cell.parse::<i8>(), col_of.get(id)) {
                (Ok(v @ -1..=1), Some(col)) => recs.push(Rec {
                    voter: p,
                    packed: pack(col, v),
                }),
                (Ok(-1..=1), None) => {}
                _ => c.add(
                    F,
                    line,
                    format!("vote \"{cell}\" on comment {id} must be 1, -1 or 0"),
                ),
            }
        }
    }
    (recs, groups)
}

/// Reads a Polis export directory. `progress(done, total)` is told how far votes.csv is read.
pub fn read_dir(dir: &Path, progress: &dyn Fn(u64, u64)) -> Result<Export, ImportError> {
    let mut c = Collector {
        problems: Vec::new(),
        total: 0,
    };
    let fail = |c: Collector| ImportError {
        problems: c.problems,
        total: c.total,
    };
    let comments = match read_text(&dir.join("comments.csv")) {
        Ok(Some(t)) if t.trim().is_empty() => {
            c.add("comments.csv", 0, "the file is empty");
            return Err(fail(c));
        }
        Ok(Some(t)) => read_comments(&t, &mut c),
        Ok(None) => {
            c.add("comments.csv", 0, format!("not found in {}", dir.display()));
            return Err(fail(c));
        }
        Err(e) => {
            c.add("comments.csv", 0, e);
            return Err(fail(c));
        }
    };
    if c.total > 0 {
        return Err(fail(c));
    }
    let mut sorted: Vec<&Comment> = comments.iter().collect();
    sorted.sort_by_key(|c| c.id);
    let statements: Vec<Statement> = sorted
        .iter()
        .map(|c| Statement {
            id: c.id,
            rejected: c.moderated == -1,
            meta: c.meta,
        })
        .collect();
    let col_of = ColMap::new(&statements);
    let mut summary = BTreeMap::new();
    if let Ok(Some(t)) = read_text(&dir.join("summary.csv")) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(t.as_bytes());
        for r in rdr.records().flatten() {
            if let (Some(k), Some(v)) = (r.get(0), r.get(1)) {
                summary.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    let pv = read_text(&dir.join("participants-votes.csv")).unwrap_or(None);
    let mut polis_groups = HashMap::new();
    let (recs, ts) = if dir.join("votes.csv").exists() {
        let r = read_votes(&dir.join("votes.csv"), &col_of, &mut c, progress);
        if let Some(t) = &pv {
            let mut ignore = Collector {
                problems: Vec::new(),
                total: 0,
            };
            polis_groups = read_participant_votes(t, &col_of, &mut ignore).1;
        }
        match r {
            Some(r) => r,
            None => return Err(fail(c)),
        }
    } else if let Some(t) = &pv {
        let (recs, groups) = read_participant_votes(t, &col_of, &mut c);
        polis_groups = groups;
        (recs, None)
    } else {
        c.add(
            "votes.csv",
            0,
            format!(
                "not found in {} (nor participants-votes.csv)",
                dir.display()
            ),
        );
        return Err(fail(c));
    };
    if c.total > 0 {
        return Err(fail(c));
    }
    let votes_read = recs.len() as u64;
    let conversation = build(statements, recs, ts);
    Ok(Export {
        comments,
        conversation,
        summary,
        polis_groups,
        votes_read,
    })
}

/// What `write_dir` writes besides the matrix.
pub struct ExportMeta<'a> {
    pub topic: &'a str,
    pub description: &'a str,
    pub url: &'a str,
    pub comments: &'a [Comment],
    /// Time of each vote by (participant, statement), if known; else the comment's time.
    pub vote_time: &'a dyn Fn(i64, i64) -> i64,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes comments.csv, votes.csv, participants-votes.csv and summary.csv in Polis's format,
/// with group-id and group-informed-consensus from the analysis.
pub fn write_dir(
    dir: &Path,
    conv: &Conversation,
    analysis: &Analysis,
    meta: &ExportMeta<'_>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let counts = crate::analysis::column_counts(conv);
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("comments.csv"))?);
    writeln!(w, "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,group-informed-consensus,comment-body")?;
    let gic = &analysis.group_informed_consensus;
    for cm in meta.comments {
        let j = conv.column_of(cm.id);
        let (a, d) = j.map_or((0, 0), |j| (counts[j][2], counts[j][0]));
        writeln!(
            w,
            "{},{},{},{},{},{},{},false,{},{}",
            cm.timestamp_ms.map(|t| t.to_string()).unwrap_or_default(),
            cm.id,
            cm.author.map(|t| t.to_string()).unwrap_or_default(),
            a,
            d,
            cm.moderated,
            cm.meta,
            gic.get(&cm.id.to_string())
                .map(|g| format!("{g}"))
                .unwrap_or_default(),
            csv_field(&cm.body)
        )?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("votes.csv"))?);
    writeln!(w, "timestamp,datetime,comment-id,voter-id,vote")?;
    for (r, row) in conv.rows.iter().enumerate() {
        let pid = conv.participants[r];
        for &p in row {
            let (j, v) = crate::matrix::unpack(p);
            let sid = conv.statements[j].id;
            writeln!(w, "{},,{},{},{}", (meta.vote_time)(pid, sid), sid, pid, v)?;
        }
    }
    w.flush()?;
    let mut group_of: HashMap<i64, u32> = HashMap::new();
    for g in &analysis.groups {
        for &m in &g.members {
            group_of.insert(m, g.id);
        }
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("participants-votes.csv"))?);
    write!(
        w,
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree"
    )?;
    for s in &conv.statements {
        write!(w, ",{}", s.id)?;
    }
    writeln!(w)?;
    let authored: HashMap<i64, usize> =
        meta.comments
            .iter()
            .filter_map(|c| c.author)
            .fold(HashMap::new(), |mut m, a| {
                *m.entry(a).or_insert(0) += 1;
                m
            });
    let mut cells = vec![String::new(); conv.statements.len()];
    for (r, row) in conv.rows.iter().enumerate() {
        let pid = conv.participants[r];
        cells.iter_mut().for_each(String::clear);
        let (mut na, mut nd) = (0, 0);
        for &p in row {
            let (j, v) = crate::matrix::unpack(p);
            cells[j] = v.to_string();
            na += (v == 1) as usize;
            nd += (v == -1) as usize;
        }
        write!(
            w,
            "{pid},{},{},{},{na},{nd}",
            group_of
                .get(&pid)
                .map(|g| g.to_string())
                .unwrap_or_default(),
            authored.get(&pid).copied().unwrap_or(0),
            row.len()
        )?;
        for cell in &cells {
            write!(w, ",{cell}")?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    let commenters: HashSet<i64> = meta.comments.iter().filter_map(|c| c.author).collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("summary.csv"))?);
    writeln!(w, "topic,{}", csv_field(meta.topic))?;
    writeln!(w, "url,{}", csv_field(meta.url))?;
    writeln!(
        w,
        "voters,{}",
        conv.rows.iter().filter(|r| !r.is_empty()).count()
    )?;
    writeln!(w, "voters-in-conv,{}", analysis.in_conv_count)?;
    writeln!(w, "commenters,{}", commenters.len())?;
    writeln!(w, "comments,{}", meta.comments.len())?;
    writeln!(w, "groups,{}", analysis.groups.len())?;
    writeln!(
        w,
        "conversation-description,{}",
        csv_field(meta.description)
    )?;
    w.flush()
}
