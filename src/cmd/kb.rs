use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use jiuye_kb::{Glossary, KnowledgeBase};
use jiuye_semantic::Catalog;

#[derive(Subcommand)]
pub enum KbCommand {
    /// Search terms, indicators, dimensions and code values.
    ///
    /// Chinese (segmented: 失业 保险), full pinyin (shiyedengji) or initials (sydj),
    /// English, synonyms and abbreviations; one typo is tolerated.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Show a term (by code or 中文名), an indicator or a code table in full.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Check the glossary: links to missing terms, indicators or dimensions, terms without
    /// definition or source, duplicate synonyms. Exits non-zero when it finds any.
    Check,
    /// Write the static catalog (Markdown) a new analyst can browse offline.
    Catalog {
        #[arg(long, default_value = "docs/catalog")]
        out: PathBuf,
    },
}

fn knowledge_base() -> anyhow::Result<KnowledgeBase> {
    let catalog = Catalog::builtin().context("the built-in semantic model is invalid")?;
    Ok(KnowledgeBase::builtin(&catalog)?)
}

pub fn run(command: KbCommand) -> anyhow::Result<ExitCode> {
    match command {
        KbCommand::Search { query, limit, json } => {
            let kb = knowledge_base()?;
            let hits = kb.index.search(&query, limit, &[]);
            if json {
                println!("{}", serde_json::to_string(&hits)?);
            } else if hits.is_empty() {
                eprintln!("nothing matches `{query}`; try fewer characters, pinyin initials (sydj) or English");
            } else {
                for h in hits {
                    println!(
                        "{:<10} {:<28} {}  ({}, {})",
                        format!("{:?}", h.kind).to_lowercase(),
                        h.key,
                        h.title,
                        h.matched,
                        h.score
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        KbCommand::Show { name, json } => {
            let kb = knowledge_base()?;
            if let Some(t) = kb.glossary.term(&name) {
                if json {
                    println!("{}", serde_json::to_string(t)?);
                } else {
                    println!("{} — {} ({})\n\n{}\n", t.name, t.english, t.code, t.definition.trim());
                    let source = t
                        .source
                        .article
                        .as_ref()
                        .map(|a| format!("{} {a}", t.source.document))
                        .unwrap_or(t.source.document.clone());
                    println!("来源 source:     {source}");
                    let also: Vec<&String> = t.synonyms.iter().chain(&t.abbreviations).collect();
                    if !also.is_empty() {
                        println!(
                            "又称 also:       {}",
                            also.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、")
                        );
                    }
                    let names = |codes: &[String]| {
                        codes
                            .iter()
                            .map(|c| kb.glossary.term(c).map(|x| x.name.clone()).unwrap_or(c.clone()))
                            .collect::<Vec<_>>()
                            .join("、")
                    };
                    if !t.related.is_empty() {
                        println!("相关 related:    {}", names(&t.related));
                    }
                    if !t.indicators.is_empty() {
                        let shown: Vec<String> = t
                            .indicators
                            .iter()
                            .map(|i| match kb.indicator(i) {
                                Some(e) => format!("{} ({i})", e.name),
                                None => format!("{} ({i}, planned)", kb.catalog.planned.get(i).cloned().unwrap_or_default()),
                            })
                            .collect();
                        println!("指标 indicators: {}", shown.join("、"));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(i) = kb.indicator(&name).or_else(|| kb.indicators.iter().find(|i| i.name == name)) {
                if json {
                    println!("{}", serde_json::to_string(i)?);
                } else {
                    println!("{} ({}) — {}\n\n{}\n", i.name, i.code, i.unit, i.definition);
                    println!("formula:    {}", i.formula);
                    println!("additive:   {}", i.additive);
                    println!("dimensions: {}", i.dimensions.join(", "));
                    println!("source:     {} ({}), feeds {}", i.source, i.source_table, i.feeds.join(", "));
                    let terms: Vec<String> = kb.glossary.terms_for_indicator(&i.code).map(|t| t.name.clone()).collect();
                    if !terms.is_empty() {
                        println!("terms:      {}", terms.join("、"));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(t) = kb.code_table(&name) {
                if json {
                    println!("{}", serde_json::to_string(t)?);
                } else {
                    println!("{} ({}) — {}", t.title, t.name, t.standard);
                    for c in &t.codes {
                        println!("  {:<8} {}", c.code, c.name);
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let suggestions: Vec<String> = kb
                .index
                .search(&name, 5, &[])
                .into_iter()
                .map(|h| format!("{} ({})", h.title, h.key))
                .collect();
            anyhow::bail!(
                "no term, indicator or code table named `{name}`; did you mean: {}",
                suggestions.join(", ")
            )
        }
        KbCommand::Check => {
            let catalog = Catalog::builtin()?;
            let glossary = Glossary::builtin()?;
            let problems = jiuye_kb::check(&glossary, &catalog);
            for p in &problems {
                eprintln!("{}: term `{}`: {}", p.file, p.term, p.message);
            }
            if problems.is_empty() {
                println!("glossary ok: {} terms, every link resolves", glossary.terms.len());
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{} problem(s)", problems.len());
                Ok(ExitCode::FAILURE)
            }
        }
        KbCommand::Catalog { out } => {
            let kb = knowledge_base()?;
            let files = jiuye_kb::write_catalog(&kb, &out)?;
            eprintln!("wrote {} files to {}", files.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
