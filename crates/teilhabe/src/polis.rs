//! `teilhabe polis …`: analyse a Polis export without a database, import one into a
//! conversation, export a conversation in Polis's format.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;
use th_opinion::{polis, Model};

/// A progress bar for reading votes.csv on a terminal; nothing when piped.
fn bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style);
    }
    bar.set_message("reading votes.csv");
    bar
}

pub fn read(dir: &Path) -> Result<(polis::Export, f64), String> {
    let t0 = Instant::now();
    let bar = bar();
    let export = polis::read_dir(dir, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .map_err(|e| format!("{} has problems; nothing was read:\n{e}", dir.display()))?;
    bar.finish_and_clear();
    Ok((export, t0.elapsed().as_secs_f64()))
}

/// `teilhabe polis analyze DIR [--json]`.
pub fn analyze(dir: &Path, json: bool, seed: u64, members: bool) -> Result<(), String> {
    let t0 = Instant::now();
    let (export, load) = read(dir)?;
    let spinner = if std::io::stderr().is_terminal() {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message("analysing");
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut a = Model::analyse(&export.conversation, seed);
    spinner.finish_and_clear();
    a.timings_s.load = load;
    a.timings_s.total = t0.elapsed().as_secs_f64();
    if !export.polis_groups.is_empty() {
        // Agreement with the groups Polis itself found (participants-votes.csv).
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for g in &a.groups {
            for m in &g.members {
                if let Some(&p) = export.polis_groups.get(m) {
                    ours.push(g.id);
                    theirs.push(p);
                }
            }
        }
        if !ours.is_empty() {
            a.ari_with_polis_groups = Some(th_opinion::math::adjusted_rand_index(&ours, &theirs));
        }
    }
    if !members {
        for g in &mut a.groups {
            g.members.clear();
        }
        a.in_conv.clear();
    }
    if json {
        let text = serde_json::to_string(&a).map_err(|e| e.to_string())?;
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = writeln!(out, "{text}");
        return Ok(());
    }
    println!(
        "{}: {} participants, {} statements, {} votes; {} clustered",
        dir.display(),
        a.participants,
        a.statements,
        a.votes,
        a.in_conv_count
    );
    for g in &a.groups {
        println!("group {}: {} participants", g.id, g.size);
        for r in &g.representative {
            let body = export
                .comments
                .iter()
                .find(|c| c.id == r.comment_id)
                .map_or("", |c| c.body.as_str());
            println!(
                "  {} {:>3.0} %  #{} {}",
                if r.agree { "agree   " } else { "disagree" },
                r.share * 100.0,
                r.comment_id,
                body
            );
        }
    }
    println!("consensus (agree): {:?}", a.consensus_agree);
    println!("consensus (disagree): {:?}", a.consensus_disagree);
    println!(
        "time: load {:.2} s, PCA {:.2} s ({} iterations), clustering {:.2} s, statistics {:.2} s, total {:.2} s",
        a.timings_s.load,
        a.timings_s.pca,
        a.pca_iterations,
        a.timings_s.clustering,
        a.timings_s.statistics,
        a.timings_s.total
    );
    Ok(())
}

/// `teilhabe polis import DIR`: checks every file first; nothing is written unless all is right.
pub async fn import(
    db: &th_storage::Db,
    t: th_core::TenantId,
    dir: &Path,
    topic: Option<String>,
    process: Option<i64>,
    now: i64,
) -> Result<i64, String> {
    let (export, _) = read(dir)?;
    let topic = topic
        .or_else(|| export.summary.get("topic").cloned())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "Polis".into())
        });
    let description = export
        .summary
        .get("conversation-description")
        .cloned()
        .unwrap_or_default();
    let nc = th_opinion::store::NewConversation {
        process_id: process,
        topic: &topic,
        description: &description,
        locale: "de",
        strict: false,
    };
    let spinner = if std::io::stderr().is_terminal() {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!(
            "writing {} votes",
            export.conversation.vote_count()
        ));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let id = th_opinion::store::import(db, t, &export, &nc, th_opinion::store::Status::Closed, now)
        .await
        .map_err(|e| e.to_string())?;
    spinner.finish_and_clear();
    eprintln!(
        "imported {} statements, {} participants, {} votes as conversation {id}",
        export.comments.len(),
        export.conversation.participants.len(),
        export.conversation.vote_count()
    );
    Ok(id)
}

/// `teilhabe polis export ID DIR`.
pub async fn export(
    db: &th_storage::Db,
    t: th_core::TenantId,
    id: i64,
    dir: &Path,
) -> Result<(), String> {
    use th_opinion::store;
    let row = store::get(db, t, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no conversation {id}"))?;
    let (conv, _) = store::load(db, t, &row).await.map_err(|e| e.to_string())?;
    let analysis = Model::analyse(&conv, row.seed as u64);
    let comments: Vec<polis::Comment> = store::statements(db, t, id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| polis::Comment {
            id: s.num,
            author: s.author,
            timestamp_ms: Some(s.created_at * 1000),
            moderated: s.moderation.clamp(-1, 1) as i8,
            meta: s.meta,
            body: s.body,
        })
        .collect();
    let times = store::vote_times(db, t, id)
        .await
        .map_err(|e| e.to_string())?;
    polis::write_dir(
        dir,
        &conv,
        &analysis,
        &polis::ExportMeta {
            topic: &row.topic,
            description: &row.description,
            url: "",
            comments: &comments,
            vote_time: &|p, s| times.get(&(p, s)).copied().unwrap_or(row.created_at) * 1000,
        },
    )
    .map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "wrote {} statements, {} participants, {} votes, {} groups to {}",
        comments.len(),
        conv.participants.len(),
        conv.vote_count(),
        analysis.groups.len(),
        dir.display()
    );
    Ok(())
}
