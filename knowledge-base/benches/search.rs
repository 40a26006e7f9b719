//! Knowledge-base search latency at 10,000 entries (issue target: p99 under 5 ms).
//!
//! `cargo bench -p jiuye-kb --bench search` — builds the real entries (glossary, indicators,
//! dimensions, code values) plus synthetic terms made of real vocabulary up to 10,000,
//! then times a mix of query kinds and prints p50 / p99 / max.

use std::time::Instant;

use jiuye_kb::search::{Entry, EntryKind, SearchIndex};
use jiuye_kb::{Glossary, code_tables, entries, indicator_dictionary};
use jiuye_semantic::Catalog;

const TARGET: usize = 10_000;

fn main() {
    let catalog = Catalog::builtin().expect("model");
    let glossary = Glossary::builtin().expect("glossary");
    let indicators = indicator_dictionary(&catalog).expect("dictionary");
    let tables = code_tables(&catalog).expect("code tables");
    let mut all: Vec<Entry> = entries(&catalog, &glossary, &indicators, &tables);
    let real = all.len();
    let terms = &glossary.terms;
    let mut i = 0usize;
    while all.len() < TARGET {
        let a = &terms[i % terms.len()];
        let b = &terms[(i * 7 + 3) % terms.len()];
        all.push(Entry {
            kind: EntryKind::Term,
            key: format!("synthetic_{i}"),
            title: format!("{}{}{}", a.name, b.name, ["服务", "管理", "补贴", "统计", "登记"][i % 5]),
            aliases: vec![format!("{} {}", a.english, b.english)],
            text: format!("{} {}", a.definition, b.definition),
        });
        i += 1;
    }
    let started = Instant::now();
    let index = SearchIndex::build(all);
    let build = started.elapsed();

    let queries = [
        "sydj",
        "shiyedengji",
        "失业",
        "失业登记",
        "城乡登记失业",
        "保险 失业 金",
        "unemployment insurance",
        "unemploymnet",
        "失业登己",
        "cydbdk",
        "求人倍率",
        "qrbl",
        "hire_persons",
        "310115",
        "浦东",
        "软件",
        "就业困难人员",
        "jyknry",
        "training",
        "ZZZZ-no-such-thing",
    ];
    // Warm up (the segmenter's dictionary loads on first use).
    for q in &queries {
        index.search(q, 10, &[]);
    }
    let mut times = Vec::new();
    let mut per_query: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    for round in 0..200 {
        for (qi, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let hits = index.search(q, 10, &[]);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            times.push(ms);
            per_query[qi].push(ms);
            if round == 0 && hits.is_empty() && !q.starts_with("ZZZZ") {
                eprintln!("warning: no hit for {q}");
            }
        }
    }
    if std::env::var_os("KB_BENCH_DETAIL").is_some() {
        for (q, mut t) in queries.iter().zip(per_query) {
            t.sort_by(f64::total_cmp);
            eprintln!("{q:>24}  median {:.3} ms  max {:.3} ms", t[t.len() / 2], t[t.len() - 1]);
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "entries: {} ({real} real, {} synthetic); index build {:.0} ms",
        index.len(),
        index.len() - real,
        build.as_secs_f64() * 1000.0
    );
    println!("queries: {} ({} kinds × 200)", times.len(), queries.len());
    println!(
        "| entries | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|\n| {} | {:.3} | {:.3} | {:.3} |",
        index.len(),
        pct(0.5),
        pct(0.99),
        times[times.len() - 1]
    );
}
