//! Numerical parts of the pipeline. Every sum that runs in parallel is split into fixed chunks
//! whose partial results are added in chunk order, so results do not depend on the number of
//! threads.

use crate::matrix::unpack;
use rayon::prelude::*;

/// Rows per parallel chunk.
const CHUNK: usize = 4096;

/// A small deterministic generator (SplitMix64) for start vectors.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The centred matrix X as the PCA sees it: for a vote v on column j the entry is
/// `value[j][v + 1]` (the vote, or 0 for an excluded column, minus the column's mean); a
/// missing vote is the mean itself, so its centred entry is 0 and X stays as sparse as the votes.
pub struct Centred<'a> {
    pub rows: &'a [Vec<u32>],
    pub value: Vec<[f64; 3]>,
}

impl Centred<'_> {
    #[inline]
    fn entry(&self, p: u32) -> (usize, f64) {
        let (j, v) = unpack(p);
        (j, self.value[j][(v + 1) as usize])
    }

    /// Y = Xᵀ X V for `b` (at most [`BLOCK`]) column vectors stored one after the other in `v`
    /// (length b·m). Inside, the block is held by statement (the b values of a statement side
    /// by side, zeros past b), so each vote reads and writes one short run; every value is
    /// computed with the same operations in the same order as one vector at a time.
    fn apply(&self, v: &[f64], b: usize, m: usize) -> Vec<f64> {
        let mut by_statement = vec![[0.0f64; BLOCK]; m];
        for k in 0..b {
            for (j, row) in by_statement.iter_mut().enumerate() {
                row[k] = v[k * m + j];
            }
        }
        let partials: Vec<Vec<[f64; BLOCK]>> = self
            .rows
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut y = vec![[0.0f64; BLOCK]; m];
                for row in chunk {
                    if row.is_empty() {
                        continue;
                    }
                    let mut t = [0.0f64; BLOCK];
                    for &p in row {
                        let (j, x) = self.entry(p);
                        let vj = &by_statement[j];
                        for k in 0..BLOCK {
                            t[k] += x * vj[k];
                        }
                    }
                    for &p in row {
                        let (j, x) = self.entry(p);
                        let yj = &mut y[j];
                        for k in 0..BLOCK {
                            yj[k] += x * t[k];
                        }
                    }
                }
                y
            })
            .collect();
        let mut y = vec![0.0; b * m];
        for part in partials {
            for (j, row) in part.iter().enumerate() {
                for k in 0..b {
                    y[k * m + j] += row[k];
                }
            }
        }
        y
    }
}

/// The first two principal components (each of length m, unit length, the entry of largest
/// magnitude positive) and the number of iterations used.
pub struct Components {
    pub pc: [Vec<f64>; 2],
    /// The block the iteration ended with: `block.len() / m` orthonormal vectors of length m,
    /// one after the other, spanning the components first. A live update starts from it.
    pub block: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Block size of the subspace iteration: more vectors than the two wanted make it converge at
/// the rate λ₇/λ₂ instead of λ₃/λ₂.
pub const BLOCK: usize = 6;

/// How exactly a one-shot analysis computes the components: the residual ‖XᵀX v − θ v‖ of
/// each, relative to the largest eigenvalue.
pub const TOLERANCE: f64 = 1e-10;

/// Top two eigenvectors of XᵀX by subspace iteration with Rayleigh–Ritz. `start`: vectors to
/// start the block with (a live update passes the previous update's whole block; vectors it
/// does not give are random), `tol`: the residual at which the iteration stops (see
/// [`TOLERANCE`]).
pub fn pca(
    x: &Centred<'_>,
    m: usize,
    start: Option<&[Vec<f64>]>,
    seed: u64,
    tol: f64,
) -> Components {
    if m == 0 {
        return Components {
            pc: [Vec::new(), Vec::new()],
            block: Vec::new(),
            iterations: 0,
            converged: true,
        };
    }
    let b = BLOCK.min(m);
    let mut rng = SplitMix(seed);
    let mut v: Vec<f64> = (0..b * m).map(|_| rng.unit()).collect();
    if let Some(prev) = start {
        // The previous block as it was, without noise: after a few new votes it is close to
        // the wanted subspace and not orthogonal to it, which is all the iteration needs
        // (noise would only move it away again); a new statement's entries start at 0.
        for (k, vec) in prev.iter().enumerate().take(b) {
            let dst = &mut v[k * m..(k + 1) * m];
            dst.iter_mut().for_each(|x| *x = 0.0);
            for (d, &x) in dst.iter_mut().zip(vec) {
                *d = x;
            }
        }
    }
    orthonormalise(&mut v, b, m);
    let mut iterations = 0;
    let mut converged = false;
    let max_iter = 500;
    while iterations < max_iter {
        iterations += 1;
        let y = x.apply(&v, b, m);
        // Rayleigh–Ritz on the block: H = Vᵀ X ᵀX V.
        let mut h = vec![0.0; b * b];
        for r in 0..b {
            for c in r..b {
                let s = dot(&v[r * m..(r + 1) * m], &y[c * m..(c + 1) * m]);
                h[r * b + c] = s;
                h[c * b + r] = s;
            }
        }
        let (vals, vecs) = jacobi_eigen(&h, b);
        // Ritz vectors V R and their images Y R, in order of decreasing eigenvalue.
        let mut ritz = vec![0.0; b * m];
        let mut image = vec![0.0; b * m];
        for (k, &(_, col)) in vals.iter().enumerate() {
            for r in 0..b {
                let w = vecs[r * b + col];
                if w == 0.0 {
                    continue;
                }
                axpy(&mut ritz[k * m..(k + 1) * m], w, &v[r * m..(r + 1) * m]);
                axpy(&mut image[k * m..(k + 1) * m], w, &y[r * m..(r + 1) * m]);
            }
        }
        let top = vals[0].0.abs().max(1e-300);
        let mut residual = 0.0f64;
        for (k, val) in vals.iter().enumerate().take(2.min(b)) {
            let mut s = 0.0;
            for j in 0..m {
                let d = image[k * m + j] - val.0 * ritz[k * m + j];
                s += d * d;
            }
            residual = residual.max(s.sqrt() / top);
        }
        if residual < tol || top < 1e-12 {
            v = ritz;
            converged = true;
            break;
        }
        v = image;
        orthonormalise(&mut v, b, m);
    }
    let mut pc = [
        v[..m].to_vec(),
        if b > 1 {
            v[m..2 * m].to_vec()
        } else {
            vec![0.0; m]
        },
    ];
    for c in pc.iter_mut() {
        let norm = dot(c, c).sqrt();
        if norm > 0.0 {
            c.iter_mut().for_each(|x| *x /= norm);
        }
        // Sign as scikit-learn fixes it: the entry of largest magnitude is positive.
        let mut best = 0.0f64;
        for &x in c.iter() {
            if x.abs() > best.abs() {
                best = x;
            }
        }
        if best < 0.0 {
            c.iter_mut().for_each(|x| *x = -*x);
        }
    }
    Components {
        pc,
        block: v,
        iterations,
        converged,
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Modified Gram–Schmidt (twice, for stability) on b vectors of length m. A vector that
/// vanishes is replaced by a unit vector orthogonal to the others.
fn orthonormalise(v: &mut [f64], b: usize, m: usize) {
    for _pass in 0..2 {
        for k in 0..b {
            for r in 0..k {
                let (done, rest) = v.split_at_mut(k * m);
                let prev = &done[r * m..(r + 1) * m];
                let cur = &mut rest[..m];
                let d = dot(prev, cur);
                axpy(cur, -d, prev);
            }
            let cur = &mut v[k * m..(k + 1) * m];
            let n = dot(cur, cur).sqrt();
            if n > 1e-300 {
                cur.iter_mut().for_each(|x| *x /= n);
            } else {
                cur.iter_mut().for_each(|x| *x = 0.0);
                if k < m {
                    cur[k] = 1.0;
                }
            }
        }
    }
}

/// Eigen-decomposition of a small symmetric matrix (cyclic Jacobi). Returns the eigenvalues
/// with their column in the eigenvector matrix, sorted by decreasing value, and the matrix
/// (row-major, eigenvectors in columns).
pub fn jacobi_eigen(h: &[f64], n: usize) -> (Vec<(f64, usize)>, Vec<f64>) {
    let mut a = h.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                off += a[i * n + j] * a[i * n + j];
            }
        }
        let scale: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum::<f64>();
        if off <= 1e-30 * scale.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut vals: Vec<(f64, usize)> = (0..n).map(|i| (a[i * n + i], i)).collect();
    vals.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    (vals, v)
}

/// Projects every participant with the votes they cast only, scaled by
/// sqrt(statements / max(votes, 1)).
pub fn project(x: &Centred<'_>, pc: &[Vec<f64>; 2], n_statements: usize) -> Vec<[f64; 2]> {
    let n = n_statements as f64;
    x.rows
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            chunk.iter().map(|row| {
                let (mut a, mut b) = (0.0, 0.0);
                for &p in row {
                    let (j, v) = x.entry(p);
                    a += v * pc[0][j];
                    b += v * pc[1][j];
                }
                let s = (n / (row.len().max(1) as f64)).sqrt();
                [a * s, b * s]
            })
        })
        .collect()
}

#[inline]
fn dist2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    let dx = a[0] - b[0];
    let dy = a[1] - b[1];
    dx * dx + dy * dy
}

/// Index of the nearest centre (the first on ties) and the squared distance.
#[inline]
fn nearest(p: &[f64; 2], centres: &[[f64; 2]]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, c) in centres.iter().enumerate() {
        let d = dist2(p, c);
        if d < best.1 {
            best = (i, d);
        }
    }
    best
}

/// Labels, weighted sums per cluster and distances of one chunk of points.
type ChunkSums = (Vec<u32>, Vec<[f64; 3]>, Vec<(f64, usize)>);

pub struct KMeans {
    pub centres: Vec<[f64; 2]>,
    pub labels: Vec<u32>,
    pub iterations: usize,
}

/// Lloyd's k-means from the given initial centres, as scikit-learn runs it: stop when the
/// labels no longer change or the squared centre shift falls under `tol` × the mean variance
/// of the coordinates; a cluster that empties takes the point farthest from its centre.
pub fn kmeans(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    init: &[[f64; 2]],
    max_iter: usize,
    tol: f64,
) -> KMeans {
    let k = init.len();
    let n = points.len();
    let mut centres = init.to_vec();
    if k == 0 || n == 0 {
        return KMeans {
            centres,
            labels: vec![0; n],
            iterations: 0,
        };
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    // scikit-learn's tolerance: mean over coordinates of the (unweighted) variance, times tol.
    let mut var = 0.0;
    for d in 0..2 {
        let mean = points.iter().map(|p| p[d]).sum::<f64>() / n as f64;
        var += points.iter().map(|p| (p[d] - mean).powi(2)).sum::<f64>() / n as f64;
    }
    let tol = var / 2.0 * tol;
    let mut labels: Vec<u32> = vec![u32::MAX; n];
    let mut strict = false;
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        // Assign, and sum per cluster (in fixed chunks, added in order).
        let parts: Vec<ChunkSums> = points
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, chunk)| {
                let mut lab = Vec::with_capacity(chunk.len());
                let mut sums = vec![[0.0; 3]; k];
                let mut far = Vec::new();
                for (o, p) in chunk.iter().enumerate() {
                    let i = ci * CHUNK + o;
                    let (c, d) = nearest(p, &centres);
                    lab.push(c as u32);
                    let wi = w(i);
                    sums[c][0] += wi * p[0];
                    sums[c][1] += wi * p[1];
                    sums[c][2] += wi;
                    far.push((d, i));
                }
                (lab, sums, far)
            })
            .collect();
        let mut new_labels = Vec::with_capacity(n);
        let mut sums = vec![[0.0; 3]; k];
        let mut far: Vec<(f64, usize)> = Vec::new();
        for (lab, s, f) in parts {
            new_labels.extend(lab);
            for (a, b) in sums.iter_mut().zip(s) {
                a[0] += b[0];
                a[1] += b[1];
                a[2] += b[2];
            }
            far.extend(f);
        }
        // Empty clusters take the points farthest from their centres.
        let empty: Vec<usize> = (0..k).filter(|&c| sums[c][2] == 0.0).collect();
        if !empty.is_empty() {
            far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (&c, &(_, i)) in empty.iter().zip(far.iter()) {
                let old = new_labels[i] as usize;
                let wi = w(i);
                if sums[old][2] > wi {
                    sums[old][0] -= wi * points[i][0];
                    sums[old][1] -= wi * points[i][1];
                    sums[old][2] -= wi;
                    sums[c] = [wi * points[i][0], wi * points[i][1], wi];
                }
            }
        }
        let mut shift = 0.0;
        let mut next = centres.clone();
        for c in 0..k {
            if sums[c][2] > 0.0 {
                next[c] = [sums[c][0] / sums[c][2], sums[c][1] / sums[c][2]];
            }
            shift += dist2(&next[c], &centres[c]);
        }
        centres = next;
        if new_labels == labels {
            strict = true;
            break;
        }
        labels = new_labels;
        if shift <= tol {
            break;
        }
    }
    if !strict {
        labels = points
            .par_iter()
            .map(|p| nearest(p, &centres).0 as u32)
            .collect();
    }
    KMeans {
        centres,
        labels,
        iterations,
    }
}

/// Mean silhouette (Euclidean) of labelled points; a member of a one-element cluster scores 0.
pub fn silhouette(points: &[[f64; 2]], labels: &[u32], k: usize) -> f64 {
    let n = points.len();
    if n == 0 {
        return 0.0;
    }
    let mut size = vec![0usize; k];
    for &l in labels {
        size[l as usize] += 1;
    }
    let mut total = 0.0;
    for i in 0..n {
        let li = labels[i] as usize;
        if size[li] <= 1 {
            continue;
        }
        let mut sum = vec![0.0; k];
        for j in 0..n {
            if i != j {
                sum[labels[j] as usize] += dist2(&points[i], &points[j]).sqrt();
            }
        }
        let a = sum[li] / (size[li] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != li && size[c] > 0)
            .map(|c| sum[c] / size[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            let m = a.max(b);
            if m > 0.0 {
                total += (b - a) / m;
            }
        }
    }
    total / n as f64
}

/// Adjusted Rand index of two labellings of the same items (1 = identical partitions,
/// about 0 = chance).
pub fn adjusted_rand_index(a: &[u32], b: &[u32]) -> f64 {
    use std::collections::HashMap;
    let n = a.len().min(b.len());
    if n < 2 {
        return 1.0;
    }
    let mut table: HashMap<(u32, u32), u64> = HashMap::new();
    let mut ra: HashMap<u32, u64> = HashMap::new();
    let mut rb: HashMap<u32, u64> = HashMap::new();
    for i in 0..n {
        *table.entry((a[i], b[i])).or_insert(0) += 1;
        *ra.entry(a[i]).or_insert(0) += 1;
        *rb.entry(b[i]).or_insert(0) += 1;
    }
    let c2 = |x: u64| (x * x.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = table.values().map(|&x| c2(x)).sum();
    let sa: f64 = ra.values().map(|&x| c2(x)).sum();
    let sb: f64 = rb.values().map(|&x| c2(x)).sum();
    let expected = sa * sb / c2(n as u64);
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjusted_rand_index_is_one_for_relabelled_partitions_and_low_for_chance() {
        assert!((adjusted_rand_index(&[0, 0, 1, 1, 2], &[5, 5, 3, 3, 9]) - 1.0).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,1,0,1]) = -0.5
        assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]) + 0.5).abs() < 1e-12);
    }

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_symmetric_matrix() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1.
        let (vals, vecs) = jacobi_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((vals[0].0 - 3.0).abs() < 1e-12);
        assert!((vals[1].0 - 1.0).abs() < 1e-12);
        let c = vals[0].1;
        assert!((vecs[c].abs() - vecs[2 + c].abs()).abs() < 1e-12);
    }

    #[test]
    fn kmeans_separates_two_blobs_and_silhouette_prefers_them() {
        let mut pts = Vec::new();
        for i in 0..20 {
            let d = i as f64 * 0.01;
            pts.push([d, d]);
            pts.push([5.0 + d, 5.0 - d]);
        }
        let km = kmeans(&pts, None, &[pts[0], pts[2]], 100, 1e-4);
        // both initial centres were in the first blob; Lloyd moves one over.
        let a = km.labels[0];
        assert!(km.labels.iter().step_by(2).all(|&l| l == a));
        assert!(km.labels.iter().skip(1).step_by(2).all(|&l| l != a));
        let s = silhouette(&pts, &km.labels, 2);
        assert!(s > 0.9, "{s}");
        let bad: Vec<u32> = (0..pts.len() as u32).map(|i| (i / 20) % 2).collect();
        assert!(silhouette(&pts, &bad, 2) < 0.1);
    }
}
