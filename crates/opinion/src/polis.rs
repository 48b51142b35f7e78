//! Polis's CSV export (specs/POLIS.md): reading `comments.csv`, `votes.csv` (or, without it,
//! `participants-votes.csv`) and `summary.csv` into a conversation, and writing the same files
//! back. Every line is checked before anything is returned; errors name the file and the line.
//!
//! `votes.csv` can hold tens of millions of lines, so it is cut into parts at line ends, each
//! read (a piece at a time, never the whole file at once) and parsed on all cores. A fast path
//! reads a plain line in one pass; any other line takes the general path, which names the
//! problem. The parts' votes go straight into the matrix's rows (the latest vote per statement
//! chosen through a table by column, not a sort).

use crate::analysis::Analysis;
use crate::matrix::{pack, Conversation, Statement};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
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

/// One parsed vote: voter id, packed column and vote.
#[derive(Clone, Copy)]
struct Rec {
    voter: i64,
    packed: u32,
}

/// The votes of one part of a file, in file order.
struct Part {
    recs: Vec<Rec>,
    /// The timestamp of each of `recs` (empty when the file has no timestamp column).
    ts: Vec<i64>,
}

/// All votes read, part after part in file order.
struct Votes {
    parts: Vec<Part>,
    /// Whether the timestamps decide which vote is the latest (they are not in file order);
    /// otherwise the last vote in the file wins.
    by_time: bool,
}

struct Block {
    part: Part,
    sorted: bool,
    first_ts: i64,
    last_ts: i64,
    /// Problems by line, counted from the block's first line (0).
    problems: Vec<(u64, String)>,
    problem_count: usize,
    lines: u64,
}

impl Block {
    fn new(cols: &VoteColumns, bytes: u64) -> Block {
        // Room for the votes of so many bytes (a line usually takes over 16).
        let room = (bytes / 16) as usize + 1;
        Block {
            part: Part {
                recs: Vec::with_capacity(room),
                ts: Vec::with_capacity(if cols.ts.is_some() { room } else { 0 }),
            },
            sorted: true,
            first_ts: i64::MIN,
            last_ts: i64::MIN,
            problems: Vec::new(),
            problem_count: 0,
            lines: 0,
        }
    }
}

struct VoteColumns {
    ts: Option<usize>,
    comment: usize,
    voter: usize,
    vote: usize,
    count: usize,
}

/// What the fast path does with a field: skip it or read one of the wanted numbers.
const SKIP: u8 = 0;
const COMMENT: u8 = 1;
const VOTER: u8 = 2;
const VOTE: u8 = 3;
const TIME: u8 = 4;

impl VoteColumns {
    /// Per field (when there are at most 16): which number it holds.
    fn plan(&self) -> Option<[u8; 16]> {
        if self.count > 16 {
            return None;
        }
        let mut plan = [SKIP; 16];
        plan[self.comment] = COMMENT;
        plan[self.voter] = VOTER;
        plan[self.vote] = VOTE;
        if let Some(t) = self.ts {
            plan[t] = TIME;
        }
        Some(plan)
    }
}

/// The fast path for a plain line: exactly `count` fields separated by commas, no quotes, and
/// every wanted field a bare whole number (an optional minus sign and 1 to 18 digits; a `\r`
/// may end the line). Returns the numbers by kind and where the line ends (its `\n` or the end
/// of `rest`); `None` sends the line to the general path, which gives the same numbers for a
/// line that passes here and the exact problem for one that does not.
#[inline]
fn fast_line(rest: &[u8], plan: &[u8; 16], count: usize) -> Option<([i64; 5], usize)> {
    let len = rest.len();
    let mut vals = [0i64; 5];
    let mut i = 0;
    for (k, &kind) in plan.iter().enumerate().take(count) {
        if kind == SKIP {
            while i < len {
                match rest[i] {
                    b',' | b'\n' => break,
                    b'"' => return None,
                    _ => i += 1,
                }
            }
        } else {
            let neg = i < len && rest[i] == b'-';
            i += neg as usize;
            let s = i;
            let mut v = 0i64;
            while i < len {
                let d = rest[i].wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                // Past 18 digits the value is refused below; until then it cannot overflow.
                v = v.wrapping_mul(10).wrapping_add(d as i64);
                i += 1;
            }
            if i == s || i - s > 18 {
                return None;
            }
            vals[kind as usize] = if neg { -v } else { v };
            if k + 1 == count && i < len && rest[i] == b'\r' {
                i += 1;
            }
        }
        if k + 1 < count {
            if i < len && rest[i] == b',' {
                i += 1;
            } else {
                return None;
            }
        } else if i < len && rest[i] != b'\n' {
            return None;
        }
    }
    Some((vals, i))
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
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as i64;
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

/// Parses whole lines (`data` ends at a line end or at the end of the file).
/// Parses whole lines (`data` ends at a line end or at the end of the file) into `b`; lines
/// are counted on from `b.lines`.
fn parse_block(b: &mut Block, data: &[u8], cols: &VoteColumns, col_of: &ColMap) {
    let add = |b: &mut Block, line: u64, m: String| {
        b.problem_count += 1;
        if b.problems.len() < MAX_LISTED {
            b.problems.push((line, m));
        }
    };
    let plan = cols.plan();
    let mut start = 0;
    let mut fields: [&[u8]; 16] = [&[]; 16];
    while start < data.len() {
        if let Some(plan) = &plan {
            if let Some((v, end)) = fast_line(&data[start..], plan, cols.count) {
                let col = col_of.get(v[COMMENT as usize]);
                if let (Some(col), -1..=1) = (col, v[VOTE as usize]) {
                    if cols.ts.is_some() {
                        let t = v[TIME as usize];
                        if b.first_ts == i64::MIN {
                            b.first_ts = t;
                        }
                        if t < b.last_ts {
                            b.sorted = false;
                        }
                        b.last_ts = t;
                        b.part.ts.push(t);
                    }
                    b.part.recs.push(Rec {
                        voter: v[VOTER as usize],
                        packed: pack(col, v[VOTE as usize] as i8),
                    });
                    start += end + 1;
                    b.lines += 1;
                    continue;
                }
            }
        }
        // The general path: one pass over the line for its end, its fields (up to 16) and
        // whether it has quotes.
        let rest = &data[start..];
        let mut n = 0usize;
        let mut field_start = 0usize;
        let mut quoted = false;
        let mut i = 0;
        while i < rest.len() {
            match rest[i] {
                b'\n' => break,
                b',' => {
                    if n < 16 {
                        fields[n] = &rest[field_start..i];
                    }
                    n += 1;
                    field_start = i + 1;
                }
                b'"' => quoted = true,
                _ => {}
            }
            i += 1;
        }
        if n < 16 {
            fields[n] = &rest[field_start..i];
        }
        n += 1;
        let raw = &rest[..i];
        start += i + 1;
        let this = b.lines;
        b.lines += 1;
        if trim(raw).is_empty() {
            continue;
        }
        // A line with quotes goes through the csv crate.
        let owned: Vec<Vec<u8>>;
        let mut quoted_fields: [&[u8]; 16];
        let fields: &[&[u8]; 16] = if quoted {
            owned = split_fields(raw);
            n = owned.len();
            quoted_fields = [&[]; 16];
            for (k, f) in owned.iter().enumerate().take(16) {
                quoted_fields[k] = f;
            }
            &quoted_fields
        } else {
            &fields
        };
        if n != cols.count {
            add(
                b,
                this,
                format!("{n} fields where the header has {}", cols.count),
            );
            continue;
        }
        let get = |i: usize| if i < 16 { fields[i] } else { &[][..] };
        let Some(comment) = parse_int(get(cols.comment)) else {
            add(
                b,
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
                b,
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
                    b,
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
                b,
                this,
                format!("comment-id {comment} is not in comments.csv"),
            );
            continue;
        };
        if let Some(ti) = cols.ts {
            let Some(t) = parse_int(get(ti)) else {
                add(
                    b,
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
            b.part.ts.push(t);
        }
        b.part.recs.push(Rec {
            voter,
            packed: pack(col, vote),
        });
    }
}

/// Bytes of votes.csv one task parses (a part of the file cut at line ends) and bytes read
/// at a time within it; the progress is told after each round of `ROUND` bytes.
const TASK: u64 = 8 << 20;
const PIECE: usize = 256 << 10;
const ROUND: u64 = 64 << 20;

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Fills `buf` from `at` on as far as the file goes; returns the bytes read.
fn read_full(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match read_at(file, &mut buf[done..], at + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// The first line start at or after `at` (the file's size if there is none).
fn line_start(file: &std::fs::File, at: u64, size: u64) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    // A line starts at `at` when the byte before it ends a line.
    let mut pos = at - 1;
    while pos < size {
        let n = read_full(file, &mut buf, pos)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(pos + i as u64 + 1);
        }
        pos += n as u64;
    }
    Ok(size)
}

/// Reads and parses the lines in [start, end) of the file (both line starts), a piece at a
/// time into `buf`; the block's lines are counted from `start`.
fn parse_range(
    file: &std::fs::File,
    (start, end): (u64, u64),
    buf: &mut Vec<u8>,
    cols: &VoteColumns,
    col_of: &ColMap,
) -> std::io::Result<Block> {
    let mut block = Block::new(cols, end - start);
    let mut pos = start;
    let mut held = 0usize;
    while pos + (held as u64) < end {
        if held == buf.len() {
            // A line longer than the buffer.
            buf.resize(buf.len() * 2, 0);
        }
        let room = (buf.len() - held).min((end - pos - held as u64) as usize);
        let n = read_full(file, &mut buf[held..held + room], pos + held as u64)?;
        held += n;
        let last = pos + held as u64 >= end || n == 0;
        // Whole lines only, but all of it at the end of the range.
        let cut = if last {
            held
        } else {
            memchr::memrchr(b'\n', &buf[..held]).map_or(0, |i| i + 1)
        };
        if cut > 0 {
            parse_block(&mut block, &buf[..cut], cols, col_of);
            buf.copy_within(cut..held, 0);
            held -= cut;
            pos += cut as u64;
        }
        if n == 0 {
            break;
        }
    }
    Ok(block)
}

fn read_votes(
    path: &Path,
    col_of: &ColMap,
    c: &mut Collector,
    progress: &dyn Fn(u64, u64),
) -> Option<Votes> {
    const F: &str = "votes.csv";
    let io_error = |c: &mut Collector, e: std::io::Error| {
        c.add(F, 0, e.to_string());
        None
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return io_error(c, e),
    };
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => return io_error(c, e),
    };
    // The header: the first line.
    let mut head = Vec::new();
    let mut buf = vec![0u8; (64 << 10).min(size as usize).max(1)];
    let header_end = loop {
        let n = match read_full(&file, &mut buf, head.len() as u64) {
            Ok(n) => n,
            Err(e) => return io_error(c, e),
        };
        let seen = head.len();
        head.extend_from_slice(&buf[..n]);
        if let Some(i) = memchr::memchr(b'\n', &head[seen..]) {
            break seen + i + 1;
        }
        if n == 0 {
            break head.len();
        }
    };
    if header_end == 0 {
        c.add(F, 0, "the file is empty");
        return None;
    }
    let line1 = &head[..header_end];
    let skip = if line1.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let names: Vec<String> = split_fields(&line1[skip..])
        .iter()
        .map(|f| String::from_utf8_lossy(trim(f)).to_ascii_lowercase())
        .collect();
    let mut rec = csv::StringRecord::new();
    for n in &names {
        rec.push_field(n);
    }
    let h = header_map(F, &rec, &["comment-id", "voter-id", "vote"], c)?;
    let cols = VoteColumns {
        ts: h.get("timestamp").copied(),
        comment: h["comment-id"],
        voter: h["voter-id"],
        vote: h["vote"],
        count: names.len(),
    };
    // The rest in tasks cut at line ends, parsed in parallel, a round at a time.
    let begin = header_end as u64;
    let tasks = ((size - begin).div_ceil(TASK) as usize)
        .max(rayon::current_num_threads() * 4)
        .max(1);
    let mut bounds = vec![begin];
    for k in 1..tasks {
        let at = begin + (size - begin) * k as u64 / tasks as u64;
        let at = at.max(*bounds.last().unwrap_or(&begin));
        let at = if at == begin {
            at
        } else {
            match line_start(&file, at, size) {
                Ok(s) => s,
                Err(e) => return io_error(c, e),
            }
        };
        bounds.push(at);
    }
    bounds.push(size);
    bounds.dedup();
    let ranges: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let per_round = ((ROUND / TASK) as usize).max(rayon::current_num_threads() * 4);
    let mut parts: Vec<Part> = Vec::new();
    let mut votes = 0usize;
    let mut sorted = true;
    let mut last_ts = i64::MIN;
    let mut line: u64 = 2;
    for round in ranges.chunks(per_round) {
        let blocks: Vec<std::io::Result<Block>> = round
            .par_iter()
            .map_init(
                || vec![0u8; PIECE],
                |buf, &r| parse_range(&file, r, buf, &cols, col_of),
            )
            .collect();
        for b in blocks {
            let b = match b {
                Ok(b) => b,
                Err(e) => return io_error(c, e),
            };
            let unlisted = b.problem_count - b.problems.len();
            for (l, m) in b.problems {
                c.add(F, line + l, m);
            }
            c.total += unlisted;
            line += b.lines;
            if cols.ts.is_some() && !b.part.recs.is_empty() {
                if !b.sorted || b.first_ts < last_ts {
                    sorted = false;
                }
                last_ts = last_ts.max(b.last_ts);
            }
            votes += b.part.recs.len();
            if !b.part.recs.is_empty() {
                parts.push(b.part);
            }
        }
        progress(round.last().map_or(size, |r| r.1), size);
    }
    if votes == 0 && c.total == 0 {
        c.add(F, 0, "the file has no votes");
    }
    if sorted {
        // In time order: the file's order decides, the times are not needed.
        for p in &mut parts {
            p.ts = Vec::new();
        }
    }
    Some(Votes {
        parts,
        by_time: !sorted,
    })
}

/// Builds the matrix: rows in ascending participant id, columns in ascending statement id,
/// the latest vote (by timestamp, then file order) per participant and statement.
fn build(statements: Vec<Statement>, votes: Votes) -> Conversation {
    let Votes { parts, by_time } = votes;
    let total: usize = parts.iter().map(|p| p.recs.len()).sum();
    let (min, max) = parts
        .par_iter()
        .flat_map_iter(|p| p.recs.iter().map(|r| (r.voter, r.voter)))
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    // Participant ids, and per id a cursor: where its next vote goes in `flat` (the votes
    // grouped by participant, in file order within each). Ids close together (the usual case)
    // are looked up in a table, others by binary search.
    let dense = total > 0 && (max as i128 - min as i128) < 64 << 20;
    let sparse_ids: Vec<i64> = if dense {
        Vec::new()
    } else {
        let mut ids: Vec<i64> = parts
            .par_iter()
            .flat_map_iter(|p| p.recs.iter().map(|r| r.voter))
            .collect();
        ids.par_sort_unstable();
        ids.dedup();
        ids
    };
    let key = |id: i64| -> usize {
        if dense {
            (id - min) as usize
        } else {
            sparse_ids.binary_search(&id).unwrap_or(0)
        }
    };
    let keys = if dense {
        (max - min + 1) as usize
    } else {
        sparse_ids.len()
    };
    let mut cursor = vec![0u32; keys];
    for p in &parts {
        for r in &p.recs {
            cursor[key(r.voter)] += 1;
        }
    }
    let mut ids = Vec::new();
    let mut offsets = vec![0usize];
    let mut at = 0u32;
    for (k, c) in cursor.iter_mut().enumerate() {
        if *c > 0 {
            ids.push(if dense { min + k as i64 } else { sparse_ids[k] });
            let start = at;
            at += *c;
            offsets.push(at as usize);
            *c = start;
        }
    }
    let mut flat = vec![0u32; total];
    let mut flat_ts: Vec<i64> = if by_time { vec![0; total] } else { Vec::new() };
    for p in &parts {
        for (i, r) in p.recs.iter().enumerate() {
            let c = &mut cursor[key(r.voter)];
            flat[*c as usize] = r.packed;
            if by_time {
                flat_ts[*c as usize] = p.ts[i];
            }
            *c += 1;
        }
    }
    drop(parts);
    drop(cursor);
    let n_c = statements.len();
    let rows: Vec<Vec<u32>> = (0..ids.len())
        .into_par_iter()
        .map_init(
            || vec![u32::MAX; n_c],
            |slot, r| {
                // The latest vote per column (by time, then file order; by file order alone
                // when the times are in file order), then sorted: with one vote per column,
                // sorting the packed votes sorts by column.
                let (s, e) = (offsets[r], offsets[r + 1]);
                let mut out: Vec<u32> = Vec::with_capacity(e - s);
                let mut out_ts: Vec<i64> = Vec::new();
                for i in s..e {
                    let p = flat[i];
                    let col = (p >> 2) as usize;
                    let at = slot[col];
                    if at == u32::MAX {
                        slot[col] = out.len() as u32;
                        out.push(p);
                        if by_time {
                            out_ts.push(flat_ts[i]);
                        }
                    } else if !by_time {
                        out[at as usize] = p;
                    } else if flat_ts[i] >= out_ts[at as usize] {
                        out[at as usize] = p;
                        out_ts[at as usize] = flat_ts[i];
                    }
                }
                for &p in &out {
                    slot[(p >> 2) as usize] = u32::MAX;
                }
                out.sort_unstable();
                out.shrink_to_fit();
                out
            },
        )
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
    let votes = if dir.join("votes.csv").exists() {
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
        Votes {
            parts: vec![Part {
                recs,
                ts: Vec::new(),
            }],
            by_time: false,
        }
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
    let votes_read = votes.parts.iter().map(|p| p.recs.len() as u64).sum();
    let conversation = build(statements, votes);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, votes: &str) -> Result<Export, ImportError> {
        let dir = std::env::temp_dir().join(format!("th-polis-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let write = |f: &str, t: &str| std::fs::write(dir.join(f), t).unwrap_or_default();
        write("comments.csv", "comment-id,comment-body\n0,A\n1,B\n2,C\n");
        write("votes.csv", votes);
        let r = read_dir(&dir, &|_, _| {});
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    fn rows(e: &Export) -> Vec<(i64, Vec<(usize, i8)>)> {
        let c = &e.conversation;
        c.participants
            .iter()
            .zip(&c.rows)
            .map(|(&p, r)| (p, r.iter().map(|&v| crate::matrix::unpack(v)).collect()))
            .collect()
    }

    #[test]
    fn the_latest_vote_wins_by_time_then_by_file_order() {
        // Times out of order, a tie, CRLF line ends and a quoted line.
        let e = read(
            "latest",
            "timestamp,datetime,comment-id,voter-id,vote\r\n5,,0,7,1\r\n3,,0,7,-1\r\n5,,1,7,-1\r\n\
             5,,1,7,0\r\n\"9\",\"a, b\",2,8,1\r\n1,,2,8,-1\r\n",
        )
        .map_err(|e| e.to_string());
        let e = e.as_ref().map(rows);
        assert_eq!(
            e,
            Ok(vec![(7, vec![(0, 1), (1, 0)]), (8, vec![(2, 1)])]),
            "by time, ties by file order"
        );
        // Times in order (or none): the file's order alone.
        let e = read("order", "comment-id,voter-id,vote\n2,3,1\n0,3,1\n2,3,-1\n")
            .map_err(|e| e.to_string());
        assert_eq!(e.as_ref().map(rows), Ok(vec![(3, vec![(0, 1), (2, -1)])]));
    }

    #[test]
    fn problems_name_the_line_also_past_a_line_the_fast_path_refuses() {
        let e = read(
            "lines",
            "timestamp,comment-id,voter-id,vote\n1,0,5,1\n2, 1 ,5,1\n3,0,5,+1\n4,0,5,2\n5,0,5\n\
             6,0,5,1,\n12345678901234567890,0,5,1\n",
        )
        .map(|_| ())
        .map_err(|e| e.to_string());
        let Err(e) = e else {
            panic!("problems expected");
        };
        assert!(e.contains("votes.csv, line 5: vote \"2\" must be"), "{e}");
        assert!(e.contains("line 6: 3 fields where the header has 4"), "{e}");
        assert!(e.contains("line 7: 5 fields where the header has 4"), "{e}");
        assert!(
            e.contains("line 8: timestamp \"12345678901234567890\""),
            "{e}"
        );
        assert_eq!(e.lines().count(), 4, "lines 3 and 4 are fine: {e}");
    }
}
