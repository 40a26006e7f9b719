//! The knowledge base, one job: the platform's dictionary — the business glossary
//! (`glossary/*.yaml`), the indicator dictionary generated from the semantic model (never
//! a second copy of a definition), the code tables, their links, their search, their
//! checks and the static catalog.
//!
//! Depends on the semantic model and the seeds' code tables only; no database, no
//! network. Curated revisions are stored by the caller (GraphQL) and applied here.

mod catalog_docs;
mod check;
mod dictionary;
mod glossary;
pub mod search;

use jiuye_semantic::Catalog;

pub use catalog_docs::{render_catalog, write_catalog};
pub use check::{Problem, check};
pub use dictionary::{CodeTableEntry, CodeValue, IndicatorEntry, code_tables, indicator_dictionary};
pub use glossary::{GLOSSARY_FILES, Glossary, Source, Term};
use search::{Entry, EntryKind, SearchIndex};

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("glossary file {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Syntax {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error(transparent)]
    Semantic(#[from] jiuye_semantic::SemanticError),
    #[error(transparent)]
    Seeds(#[from] jiuye_seeds::SeedError),
    #[error("cannot write the catalog to {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Everything the dictionary knows, indexed for search.
pub struct KnowledgeBase {
    pub glossary: Glossary,
    pub indicators: Vec<IndicatorEntry>,
    pub code_tables: Vec<CodeTableEntry>,
    pub catalog: Catalog,
    pub index: SearchIndex,
}

impl KnowledgeBase {
    pub fn build(catalog: &Catalog, glossary: Glossary) -> Result<KnowledgeBase, KbError> {
        let indicators = indicator_dictionary(catalog)?;
        let code_tables = code_tables(catalog)?;
        let index = SearchIndex::build(entries(catalog, &glossary, &indicators, &code_tables));
        Ok(KnowledgeBase {
            glossary,
            indicators,
            code_tables,
            catalog: catalog.clone(),
            index,
        })
    }

    pub fn builtin(catalog: &Catalog) -> Result<KnowledgeBase, KbError> {
        KnowledgeBase::build(catalog, Glossary::builtin()?)
    }

    pub fn indicator(&self, code: &str) -> Option<&IndicatorEntry> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn code_table(&self, name: &str) -> Option<&CodeTableEntry> {
        self.code_tables.iter().find(|t| t.name == name)
    }
}

/// The searchable entries: terms, indicators (modelled and reserved), dimensions and
/// every code value.
pub fn entries(catalog: &Catalog, glossary: &Glossary, indicators: &[IndicatorEntry], tables: &[CodeTableEntry]) -> Vec<Entry> {
    let mut out = Vec::new();
    for t in &glossary.terms {
        let mut aliases = t.synonyms.clone();
        aliases.extend(t.abbreviations.iter().cloned());
        aliases.extend(t.joint_abbreviations.iter().cloned());
        aliases.push(t.english.clone());
        out.push(Entry {
            kind: EntryKind::Term,
            key: t.code.clone(),
            title: t.name.clone(),
            aliases,
            text: t.definition.clone(),
        });
    }
    for i in indicators {
        out.push(Entry {
            kind: EntryKind::Indicator,
            key: i.code.clone(),
            title: i.name.clone(),
            aliases: vec![],
            text: i.definition.clone(),
        });
    }
    for (code, name) in &catalog.planned {
        out.push(Entry {
            kind: EntryKind::Indicator,
            key: code.clone(),
            title: name.clone(),
            aliases: vec![],
            text: "planned: reserved by the indicator contract, not computed yet".into(),
        });
    }
    for d in catalog.dimensions.values() {
        out.push(Entry {
            kind: EntryKind::Dimension,
            key: d.code.clone(),
            title: d.name.clone(),
            aliases: vec![],
            text: d.description.clone(),
        });
    }
    for t in tables {
        for c in &t.codes {
            out.push(Entry {
                kind: EntryKind::CodeValue,
                key: format!("{}:{}", t.name, c.code),
                title: c.name.clone(),
                aliases: vec![c.code.clone()],
                text: format!("{} {}", t.title, t.standard),
            });
        }
    }
    out
}
