//! The Polis pipeline (specs/POLIS.md, steps 1–11) and the state a live conversation keeps
//! between updates.

use crate::math::{self, Centred};
use crate::matrix::{unpack, Conversation};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Instant;

/// z for a one-sided 90 % test.
pub const Z90: f64 = 1.2816;

/// One representative statement of a group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Repness {
    pub comment_id: i64,
    /// The group stands for agreeing (true) or disagreeing.
    pub agree: bool,
    /// ra·rat·pa·pat (or the disagree analogue): the ranking value.
    pub metric: f64,
    /// Share of the group's members who voted on it that agree (or disagree), (n+1)/(s+2).
    pub share: f64,
    pub votes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Group {
    pub id: u32,
    /// Participant ids. Left out of the stored result of a live conversation (the size says
    /// how many); present in one-shot analyses and exports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<i64>,
    pub size: u64,
    pub representative: Vec<Repness>,
    /// Centre of the group on the map.
    pub centre: [f64; 2],
}

/// A base cluster as drawn on the map.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BaseCluster {
    pub x: f64,
    pub y: f64,
    pub size: u64,
    pub group: u32,
}

/// Per statement: counts, position and priority.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatementStats {
    pub comment_id: i64,
    pub agrees: u64,
    pub disagrees: u64,
    pub passes: u64,
    pub x: f64,
    pub y: f64,
    pub extremity: f64,
    /// Polis's priority for showing it next.
    pub priority: f64,
    pub group_informed_consensus: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Timings {
    pub load: f64,
    pub pca: f64,
    pub clustering: f64,
    pub statistics: f64,
    pub total: f64,
}

/// The result, with the keys `polis_ref.py analyze` prints and more.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Analysis {
    pub participants: u64,
    pub statements: u64,
    pub votes: u64,
    /// Participant ids of those clustered (omitted in stored live results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_conv: Vec<i64>,
    pub in_conv_count: u64,
    pub groups: Vec<Group>,
    pub consensus_agree: Vec<i64>,
    pub consensus_disagree: Vec<i64>,
    /// Statement id (as a string, as in the reference) → the product over groups.
    pub group_informed_consensus: std::collections::BTreeMap<String, f64>,
    /// The number of groups the silhouette chose in this update, and its value.
    pub best_k: u32,
    pub silhouette: f64,
    pub base_clusters: Vec<BaseCluster>,
    pub statement_stats: Vec<StatementStats>,
    pub pca_iterations: u32,
    /// Adjusted Rand index with the groups Polis itself found (when an export carries them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ari_with_polis_groups: Option<f64>,
    pub timings_s: Timings,
}

/// What a live conversation carries from one update to the next. Serialisable so that another
/// node can take over the computation where this one left off.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Model {
    pub seed: u64,
    /// Previous components by statement id (statements may be added between updates).
    pub components: Vec<(i64, f64, f64)>,
    /// The rest of the previous update's block (the subspace iteration's further vectors) by
    /// statement id: with the components, where the next update's iteration starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block: Vec<(i64, Vec<f64>)>,
    pub base_centres: Vec<[f64; 2]>,
    /// Participants once clustered stay clustered.
    pub in_conv: Vec<i64>,
    /// The number of groups shown, the one currently winning, and for how many updates.
    pub shown_k: u32,
    pub candidate_k: u32,
    pub streak: u32,
    pub updates: u64,
}

/// How many updates in a row a new number of groups must win before it is shown.
pub const SMOOTHING: u32 = 4;

/// The PCA's tolerance in a live update (see [`math::TOLERANCE`]; a one-shot analysis uses
/// 1e-10). What the map needs is the plane of the two components: by Davis–Kahan its angle
/// to the exact plane is at most about √2 · tolerance · λ₁ / (λ₂ − λ₃), far below anything
/// that moves a participant between groups, and an update starts from the previous block, so
/// the error does not build up. Each iteration divides the residual by about λ₂/λ₇; stopping
/// at 1e-8 saves two or three of a typical update's seven or eight passes over the votes.
pub const LIVE_TOLERANCE: f64 = 1e-8;

impl Model {
    pub fn new(seed: u64) -> Self {
        Model {
            seed,
            ..Default::default()
        }
    }

    /// A one-shot analysis: cold start, the best k wins at once.
    pub fn analyse(conv: &Conversation, seed: u64) -> Analysis {
        let mut m = Model::new(seed);
        m.run(conv, false, true)
    }

    /// Updates the live state with the conversation as it is now (warm starts, sticky
    /// participants, 4-update smoothing of k). `members`: whether to list participant ids.
    pub fn update(&mut self, conv: &Conversation, members: bool) -> Analysis {
        self.run(conv, true, members)
    }

    /// Polis's smoothing of the number of groups: a new k is shown only after it has won
    /// [`SMOOTHING`] updates in a row. Returns the k to show.
    pub fn smooth(&mut self, best_k: u32) -> u32 {
        self.updates += 1;
        if best_k == self.candidate_k {
            self.streak += 1;
        } else {
            self.candidate_k = best_k;
            self.streak = 1;
        }
        if self.shown_k == 0 || (self.streak >= SMOOTHING && self.shown_k != best_k) {
            self.shown_k = best_k;
        }
        self.shown_k
    }

    fn run(&mut self, conv: &Conversation, live: bool, members: bool) -> Analysis {
        let t0 = Instant::now();
        let n_p = conv.participants.len();
        let n_c = conv.statements.len();
        let votes_per_p: Vec<usize> = conv.rows.iter().map(Vec::len).collect();
        let total_votes: usize = votes_per_p.iter().sum();

        // 3. Who is clustered.
        let threshold = 7.min(n_c).max(1);
        let mut in_conv: Vec<bool> = votes_per_p
            .iter()
            .map(|&v| v >= threshold && v > 0)
            .collect();
        if live {
            for id in &self.in_conv {
                if let Some(r) = conv.row_of(*id) {
                    in_conv[r] = true;
                }
            }
        }
        let mut count = in_conv.iter().filter(|&&b| b).count();
        if count < 15 {
            // Add the most active voters until there are 15.
            let mut order: Vec<usize> = (0..n_p).collect();
            order.sort_by(|&a, &b| votes_per_p[b].cmp(&votes_per_p[a]).then(a.cmp(&b)));
            for &r in &order {
                if count >= 15 || votes_per_p[r] == 0 {
                    break;
                }
                if !in_conv[r] {
                    in_conv[r] = true;
                    count += 1;
                }
            }
        }

        // 4. Column means over the votes (rejected and meta columns count as 0).
        let t1 = Instant::now();
        let counts = column_counts(conv);
        let mut value = vec![[0.0; 3]; n_c];
        for (j, s) in conv.statements.iter().enumerate() {
            let [d, p, a] = counts[j];
            let n = d + p + a;
            let mean = if n == 0 || s.excluded() {
                0.0
            } else {
                (a as f64 - d as f64) / n as f64
            };
            value[j] = if s.excluded() {
                [-mean, -mean, -mean]
            } else {
                [-1.0 - mean, -mean, 1.0 - mean]
            };
        }
        let x = Centred {
            rows: &conv.rows,
            value,
        };
        let start: Option<Vec<Vec<f64>>> = if live && !self.components.is_empty() {
            let extra = self.block.first().map_or(0, |(_, v)| v.len());
            let mut start = vec![vec![0.0; n_c]; 2 + extra];
            for &(id, a, b) in &self.components {
                if let Some(j) = conv.column_of(id) {
                    start[0][j] = a;
                    start[1][j] = b;
                }
            }
            for (id, rest) in &self.block {
                if let Some(j) = conv.column_of(*id) {
                    for (k, &x) in rest.iter().enumerate().take(extra) {
                        start[2 + k][j] = x;
                    }
                }
            }
            Some(start)
        } else {
            None
        };
        let tol = if live {
            LIVE_TOLERANCE
        } else {
            math::TOLERANCE
        };
        let comps = math::pca(&x, n_c, start.as_deref(), self.seed, tol);
        let proj = math::project(&x, &comps.pc, n_c);
        let pca_time = t1.elapsed().as_secs_f64();

        // 6. Base clusters over the clustered participants.
        let t2 = Instant::now();
        let member_rows: Vec<usize> = (0..n_p).filter(|&r| in_conv[r]).collect();
        let pts: Vec<[f64; 2]> = member_rows.iter().map(|&r| proj[r]).collect();
        let (distinct, few) = first_distinct(&pts, 100);
        let (mut base_centres, base_labels): (Vec<[f64; 2]>, Vec<u32>) = if few {
            // Every distinct point is its own cluster.
            let labels = pts
                .iter()
                .map(|p| distinct.iter().position(|d| d == p).unwrap_or(0) as u32)
                .collect();
            (distinct, labels)
        } else {
            let init = if live && self.base_centres.len() == 100 {
                self.base_centres.clone()
            } else {
                distinct
            };
            let km = math::kmeans(&pts, None, &init, 100, 1e-4);
            (km.centres, km.labels)
        };
        // Drop empty base clusters.
        let mut weights = vec![0.0f64; base_centres.len()];
        for &l in &base_labels {
            weights[l as usize] += 1.0;
        }
        let mut remap = vec![u32::MAX; base_centres.len()];
        let mut kept = Vec::new();
        let mut kept_w = Vec::new();
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 {
                remap[i] = kept.len() as u32;
                kept.push(base_centres[i]);
                kept_w.push(w);
            }
        }
        if live {
            self.base_centres = base_centres.clone();
        }
        base_centres = kept;
        let weights = kept_w;
        let base_labels: Vec<u32> = base_labels.iter().map(|&l| remap[l as usize]).collect();

        // 7. Opinion groups by silhouette.
        let nb = base_centres.len();
        let max_k = 5.min(2 + nb / 12);
        let mut tried: Vec<(f64, usize, Vec<u32>)> = Vec::new();
        for k in 2..=max_k {
            if k >= nb {
                break;
            }
            let km = math::kmeans(&base_centres, Some(&weights), &base_centres[..k], 20, 1e-4);
            let distinct_labels: HashSet<u32> = km.labels.iter().copied().collect();
            if distinct_labels.len() < 2 {
                continue;
            }
            let s = math::silhouette(&base_centres, &km.labels, k);
            tried.push((s, k, km.labels));
        }
        let mut best: Option<usize> = None;
        for (i, t) in tried.iter().enumerate() {
            if best.is_none_or(|b| t.0 > tried[b].0) {
                best = Some(i);
            }
        }
        let best_k = best.map_or(1, |b| tried[b].1) as u32;
        let silhouette = best.map_or(0.0, |b| tried[b].0);
        let mut chosen = best;
        if live {
            self.smooth(best_k);
            chosen = tried
                .iter()
                .position(|t| t.1 as u32 == self.shown_k)
                .or(best);
            if chosen.is_none() {
                self.shown_k = best_k;
            }
        }
        let group_of_base: Vec<u32> = match chosen {
            Some(i) => tried[i].2.clone(),
            None => vec![0; nb],
        };
        let group_of_member: Vec<u32> = base_labels
            .iter()
            .map(|&l| group_of_base[l as usize])
            .collect();
        let clustering_time = t2.elapsed().as_secs_f64();

        // 8–10. Statistics from the raw votes of clustered members.
        let t3 = Instant::now();
        let mut group_ids: Vec<u32> = group_of_member
            .iter()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        group_ids.sort_unstable();
        let g_index = |g: u32| group_ids.iter().position(|&x| x == g).unwrap_or(0);
        let mut group_of_row = vec![u32::MAX; n_p];
        for (i, &r) in member_rows.iter().enumerate() {
            group_of_row[r] = g_index(group_of_member[i]) as u32;
        }
        let ng = group_ids.len();
        let stats = GroupStats::compute(conv, &group_of_row, ng);
        let gic = stats.gic();
        let mut groups = Vec::with_capacity(ng);
        for (gi, &gid) in group_ids.iter().enumerate() {
            let representative = stats.representative(conv, gi);
            let mut members_ids = Vec::new();
            let mut size = 0u64;
            let mut cx = 0.0;
            let mut cy = 0.0;
            for &r in &member_rows {
                if group_of_row[r] as usize == gi {
                    size += 1;
                    cx += proj[r][0];
                    cy += proj[r][1];
                    if members {
                        members_ids.push(conv.participants[r]);
                    }
                }
            }
            let s = size.max(1) as f64;
            groups.push(Group {
                id: gid,
                members: members_ids,
                size,
                representative,
                centre: [cx / s, cy / s],
            });
        }

        // 9. Consensus over everyone's votes.
        let mut cons_a: Vec<(f64, i64)> = Vec::new();
        let mut cons_d: Vec<(f64, i64)> = Vec::new();
        for (j, s) in conv.statements.iter().enumerate() {
            if s.excluded() {
                continue;
            }
            let [d, p, a] = counts[j];
            let n = (d + p + a) as f64;
            let pa = (a as f64 + 1.0) / (n + 2.0);
            let pat = prop_test(a as f64, n);
            if pa > 0.5 && pat > Z90 {
                cons_a.push((pa * pat, s.id));
            }
            let pd = (d as f64 + 1.0) / (n + 2.0);
            let pdt = prop_test(d as f64, n);
            if pd > 0.5 && pdt > Z90 {
                cons_d.push((pd * pdt, s.id));
            }
        }
        let desc = |a: &(f64, i64), b: &(f64, i64)| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1));
        cons_a.sort_by(desc);
        cons_d.sort_by(desc);

        // 5 and 11. Statement positions, extremity and priority.
        let statement_stats: Vec<StatementStats> = conv
            .statements
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let [d, p, a] = counts[j];
                let v = x.value[j][2] * (n_c as f64).sqrt();
                let (sx, sy) = (v * comps.pc[0][j], v * comps.pc[1][j]);
                let extremity = (sx * sx + sy * sy).sqrt();
                StatementStats {
                    comment_id: s.id,
                    agrees: a,
                    disagrees: d,
                    passes: p,
                    x: sx,
                    y: sy,
                    extremity,
                    priority: priority(a, d, p, extremity, s.meta),
                    group_informed_consensus: gic[j],
                }
            })
            .collect();

        let base_clusters = base_centres
            .iter()
            .zip(&weights)
            .enumerate()
            .map(|(i, (c, &w))| BaseCluster {
                x: c[0],
                y: c[1],
                size: w as u64,
                group: group_of_base.get(i).map_or(0, |&g| g_index(g) as u32),
            })
            .collect();

        if live {
            self.components = conv
                .statements
                .iter()
                .enumerate()
                .map(|(j, s)| (s.id, comps.pc[0][j], comps.pc[1][j]))
                .collect();
            let b = comps.block.len().checked_div(n_c).unwrap_or(0);
            self.block = conv
                .statements
                .iter()
                .enumerate()
                .map(|(j, s)| (s.id, (2..b).map(|k| comps.block[k * n_c + j]).collect()))
                .collect();
            self.in_conv = member_rows.iter().map(|&r| conv.participants[r]).collect();
        }
        let statistics_time = t3.elapsed().as_secs_f64();
        Analysis {
            participants: n_p as u64,
            statements: n_c as u64,
            votes: total_votes as u64,
            in_conv: if members {
                member_rows.iter().map(|&r| conv.participants[r]).collect()
            } else {
                Vec::new()
            },
            in_conv_count: member_rows.len() as u64,
            groups,
            consensus_agree: cons_a.iter().take(5).map(|c| c.1).collect(),
            consensus_disagree: cons_d.iter().take(5).map(|c| c.1).collect(),
            group_informed_consensus: conv
                .statements
                .iter()
                .enumerate()
                .map(|(j, s)| (s.id.to_string(), gic[j]))
                .collect(),
            best_k,
            silhouette,
            base_clusters,
            statement_stats,
            pca_iterations: comps.iterations as u32,
            ari_with_polis_groups: None,
            timings_s: Timings {
                load: 0.0,
                pca: pca_time,
                clustering: clustering_time,
                statistics: statistics_time,
                total: t0.elapsed().as_secs_f64(),
            },
        }
    }
}

/// Per statement: disagrees, passes, agrees over all participants.
pub fn column_counts(conv: &Conversation) -> Vec<[u64; 3]> {
    let n_c = conv.statements.len();
    let parts: Vec<Vec<[u64; 3]>> = conv
        .rows
        .par_chunks(4096)
        .map(|chunk| {
            let mut c = vec![[0u64; 3]; n_c];
            for row in chunk {
                for &p in row {
                    let (j, v) = unpack(p);
                    c[j][(v + 1) as usize] += 1;
                }
            }
            c
        })
        .collect();
    let mut c = vec![[0u64; 3]; n_c];
    for part in parts {
        for (a, b) in c.iter_mut().zip(part) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }
    c
}

type Counts = Vec<Vec<u64>>;

/// Agrees, disagrees and votes per group and statement, with what follows from them.
pub struct GroupStats {
    pub na: Counts,
    pub nd: Counts,
    pub ns: Counts,
    /// Statements (columns), also when there are no groups.
    pub n_statements: usize,
}

impl GroupStats {
    /// `group_of_row[r]`: the group index (0..ng) of row r, `u32::MAX` if not clustered.
    pub fn compute(conv: &Conversation, group_of_row: &[u32], ng: usize) -> Self {
        let (na, nd, ns) = group_counts(conv, group_of_row, ng, conv.statements.len());
        GroupStats {
            na,
            nd,
            ns,
            n_statements: conv.statements.len(),
        }
    }

    /// Group-informed consensus per column: the product over groups of (A+1)/(S+2).
    pub fn gic(&self) -> Vec<f64> {
        let mut gic = vec![1.0f64; self.n_statements];
        for g in 0..self.na.len() {
            for (j, v) in gic.iter_mut().enumerate() {
                *v *= (self.na[g][j] as f64 + 1.0) / (self.ns[g][j] as f64 + 2.0);
            }
        }
        gic
    }

    /// The representative statements of group index `gi` (step 8).
    pub fn representative(&self, conv: &Conversation, gi: usize) -> Vec<Repness> {
        let ng = self.na.len();
        let rest = |a: &Counts, j: usize| -> f64 {
            (0..ng).filter(|&h| h != gi).map(|h| a[h][j]).sum::<u64>() as f64
        };
        let mut cands: Vec<(bool, Repness)> = Vec::new();
        for (j, st) in conv.statements.iter().enumerate() {
            if st.excluded() {
                continue;
            }
            let r = repness(
                self.na[gi][j] as f64,
                self.nd[gi][j] as f64,
                self.ns[gi][j] as f64,
                rest(&self.na, j),
                rest(&self.nd, j),
                rest(&self.ns, j),
            );
            cands.push((
                r.qualifies,
                Repness {
                    comment_id: st.id,
                    agree: r.agree,
                    metric: r.metric,
                    share: r.share,
                    votes: self.ns[gi][j],
                },
            ));
        }
        let mut chosen: Vec<Repness> = cands.iter().filter(|c| c.0).map(|c| c.1.clone()).collect();
        chosen.sort_by(|a, b| b.metric.total_cmp(&a.metric));
        chosen.truncate(5);
        if chosen.is_empty() {
            let mut best: Option<&Repness> = None;
            for c in &cands {
                if best.is_none_or(|b| c.1.metric > b.metric) {
                    best = Some(&c.1);
                }
            }
            chosen.extend(best.cloned());
        }
        chosen.sort_by(|a, b| {
            (!a.agree)
                .cmp(&!b.agree)
                .then(b.metric.total_cmp(&a.metric))
        });
        chosen
    }
}

/// Agrees, disagrees and votes (passes included) per group and statement; rows whose group is
/// `u32::MAX` are not clustered and not counted.
pub fn group_counts(
    conv: &Conversation,
    group_of_row: &[u32],
    ng: usize,
    n_c: usize,
) -> (Counts, Counts, Counts) {
    let parts: Vec<(Counts, Counts, Counts)> = conv
        .rows
        .par_chunks(4096)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut na = vec![vec![0u64; n_c]; ng];
            let mut nd = vec![vec![0u64; n_c]; ng];
            let mut ns = vec![vec![0u64; n_c]; ng];
            for (o, row) in chunk.iter().enumerate() {
                let g = group_of_row[ci * 4096 + o];
                if g == u32::MAX {
                    continue;
                }
                let g = g as usize;
                for &p in row {
                    let (j, v) = unpack(p);
                    ns[g][j] += 1;
                    if v == 1 {
                        na[g][j] += 1;
                    } else if v == -1 {
                        nd[g][j] += 1;
                    }
                }
            }
            (na, nd, ns)
        })
        .collect();
    let mut na = vec![vec![0u64; n_c]; ng];
    let mut nd = vec![vec![0u64; n_c]; ng];
    let mut ns = vec![vec![0u64; n_c]; ng];
    for (a, d, s) in parts {
        for g in 0..ng {
            for j in 0..n_c {
                na[g][j] += a[g][j];
                nd[g][j] += d[g][j];
                ns[g][j] += s[g][j];
            }
        }
    }
    (na, nd, ns)
}

/// prop-test(s, n) = 2·sqrt(n+1)·((s+1)/(n+1) − 0.5).
pub fn prop_test(s: f64, n: f64) -> f64 {
    2.0 * (n + 1.0).sqrt() * ((s + 1.0) / (n + 1.0) - 0.5)
}

/// Two-proportion test with one added to each count; 0 when the pooled rate is 1.
pub fn two_prop_test(s1: f64, s2: f64, n1: f64, n2: f64) -> f64 {
    let (s1, s2, n1, n2) = (s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0);
    let p1 = s1 / n1;
    let p2 = s2 / n2;
    let p = (s1 + s2) / (n1 + n2);
    if p >= 1.0 {
        return 0.0;
    }
    let denom = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    (p1 - p2) / if denom == 0.0 { 1.0 } else { denom }
}

/// The representativeness of one statement for one group against the rest.
pub struct Rep {
    pub qualifies: bool,
    pub agree: bool,
    pub metric: f64,
    pub share: f64,
}

pub fn repness(na: f64, nd: f64, ns: f64, rest_na: f64, rest_nd: f64, rest_ns: f64) -> Rep {
    let pa = (na + 1.0) / (ns + 2.0);
    let pd = (nd + 1.0) / (ns + 2.0);
    let pat = prop_test(na, ns);
    let pdt = prop_test(nd, ns);
    let ra = pa / ((1.0 + rest_na) / (2.0 + rest_ns));
    let rd = pd / ((1.0 + rest_nd) / (2.0 + rest_ns));
    let rat = two_prop_test(na, rest_na, ns, rest_ns);
    let rdt = two_prop_test(nd, rest_nd, ns, rest_ns);
    let agree = rat > rdt;
    Rep {
        qualifies: (rat > Z90 && pat > Z90) || (rdt > Z90 && pdt > Z90),
        agree,
        metric: if agree {
            ra * rat * pa * pat
        } else {
            rd * rdt * pd * pdt
        },
        share: if agree { pa } else { pd },
    }
}

/// Polis's priority for showing a statement next.
pub fn priority(agrees: u64, disagrees: u64, passes: u64, extremity: f64, meta: bool) -> f64 {
    if meta {
        return 49.0;
    }
    let s = (agrees + disagrees + passes) as f64;
    let p = (passes as f64 + 1.0) / (s + 2.0);
    let a = (agrees as f64 + 1.0) / (s + 2.0);
    let importance = (1.0 - p) * (extremity + 1.0) * a;
    (importance * (1.0 + 8.0 * 2f64.powf(-s / 5.0))).powi(2)
}

/// The first `k` distinct points in order, and whether there are no more than `k` in all.
fn first_distinct(pts: &[[f64; 2]], k: usize) -> (Vec<[f64; 2]>, bool) {
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut out = Vec::new();
    for p in pts {
        if seen.insert((p[0].to_bits(), p[1].to_bits())) {
            if out.len() == k {
                return (out, false);
            }
            out.push(*p);
        }
    }
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_without_votes_give_an_empty_map_not_a_panic() {
        let mut c = Conversation::new();
        c.statement(crate::matrix::Statement::new(0));
        c.statement(crate::matrix::Statement::new(1));
        let a = Model::analyse(&c, 1);
        assert_eq!(a.participants, 0);
        assert_eq!(a.group_informed_consensus.len(), 2);
        let mut live = Model::new(1);
        let b = live.update(&c, false);
        assert!(b.groups.len() <= 1);
        let empty = Model::analyse(&Conversation::new(), 1);
        assert_eq!(empty.statements, 0);
    }

    #[test]
    fn a_new_number_of_groups_shows_after_four_wins_in_a_row() {
        let mut m = Model::new(1);
        assert_eq!(m.smooth(3), 3, "the first update shows what wins");
        assert_eq!(m.smooth(2), 3);
        assert_eq!(m.smooth(2), 3);
        assert_eq!(m.smooth(4), 3, "the streak of 2 is broken");
        assert_eq!(m.smooth(2), 3);
        assert_eq!(m.smooth(2), 3);
        assert_eq!(m.smooth(2), 3);
        assert_eq!(m.smooth(2), 2, "four wins in a row");
        assert_eq!(m.smooth(3), 2);
    }

    #[test]
    fn priority_favours_new_and_agreed_statements_and_meta_first() {
        let fresh = priority(0, 0, 0, 0.5, false);
        let old = priority(50, 50, 0, 0.5, false);
        assert!(fresh > old);
        assert_eq!(priority(3, 3, 3, 1.0, true), 49.0);
        let passed = priority(0, 0, 40, 0.5, false);
        assert!(passed < old);
    }

    #[test]
    fn prop_tests_follow_the_formulas() {
        assert!((prop_test(9.0, 10.0) - 2.0 * 11f64.sqrt() * (10.0 / 11.0 - 0.5)).abs() < 1e-15);
        // p1 = 10/11, p2 = 2/11, p = 12/22
        let p: f64 = 12.0 / 22.0;
        let want = (10.0 / 11.0 - 2.0 / 11.0) / (p * (1.0 - p) * (2.0 / 11.0)).sqrt();
        assert!((two_prop_test(9.0, 1.0, 10.0, 10.0) - want).abs() < 1e-12);
        assert_eq!(two_prop_test(4.0, 4.0, 4.0, 4.0), 0.0);
    }
}
