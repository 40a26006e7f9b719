//! The knowledge base over GraphQL: search, terms with their links, indicators with the
//! terms that explain them, code tables, and curated edits with history.

use std::sync::{Arc, RwLock};

use async_graphql::{Context, Enum, InputObject, Json, Object, SimpleObject};
use jiuye_kb::search::EntryKind;
use jiuye_kb::{Glossary, KnowledgeBase, Source, Term};
use jiuye_semantic::{Catalog, sql::dialect_for};
use jiuye_sql_value::Statement;
use jiuye_warehouse::Warehouse;

use crate::AppState;
use crate::auth::TokenHolder;
use crate::input::{self, coded, cost};

/// The knowledge base in use; replaced whole after a curated edit.
pub struct KbState {
    current: RwLock<Arc<KnowledgeBase>>,
}

impl KbState {
    /// The shipped glossary with the newest curated revision of each term applied.
    pub async fn load(warehouse: &Warehouse, catalog: &Catalog) -> Result<KbState, crate::StartError> {
        let mut glossary = Glossary::builtin()?;
        let rows = warehouse
            .fetch(&Statement {
                sql: "SELECT term_code, current FROM meta_kb_term_revision ORDER BY revision_id".into(),
                params: vec![],
            })
            .await?;
        for row in rows.rows {
            let term: Term =
                serde_json::from_str(&row[1].to_key()).map_err(|e| crate::StartError::Revision(row[0].to_key(), e.to_string()))?;
            glossary.apply(term);
        }
        Ok(KbState {
            current: RwLock::new(Arc::new(KnowledgeBase::build(catalog, glossary)?)),
        })
    }

    pub fn get(&self) -> Arc<KnowledgeBase> {
        self.current
            .read()
            .map(|kb| kb.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    fn replace(&self, kb: KnowledgeBase) {
        match self.current.write() {
            Ok(mut guard) => *guard = Arc::new(kb),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(kb),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum KbKind {
    Term,
    Indicator,
    Dimension,
    CodeValue,
}

impl From<KbKind> for EntryKind {
    fn from(k: KbKind) -> EntryKind {
        match k {
            KbKind::Term => EntryKind::Term,
            KbKind::Indicator => EntryKind::Indicator,
            KbKind::Dimension => EntryKind::Dimension,
            KbKind::CodeValue => EntryKind::CodeValue,
        }
    }
}

fn kind_of(k: EntryKind) -> KbKind {
    match k {
        EntryKind::Term => KbKind::Term,
        EntryKind::Indicator => KbKind::Indicator,
        EntryKind::Dimension => KbKind::Dimension,
        EntryKind::CodeValue => KbKind::CodeValue,
    }
}

#[derive(SimpleObject)]
pub struct KbHit {
    pub kind: KbKind,
    /// Term code, indicator code, dimension code, or `table:code` for a code value.
    pub key: String,
    pub title: String,
    pub score: u32,
    /// How it matched: exact, name, pinyin, initials, word, english, typo, definition.
    pub matched: String,
}

#[derive(SimpleObject, Clone)]
pub struct TermSource {
    pub document: String,
    pub article: Option<String>,
}

#[derive(SimpleObject, Clone)]
pub struct Link {
    pub code: String,
    pub name: String,
    /// False for a reserved indicator that is not computed yet.
    pub available: bool,
}

#[derive(SimpleObject)]
pub struct TermView {
    pub code: String,
    pub name: String,
    pub english: String,
    pub definition: String,
    pub source: TermSource,
    pub synonyms: Vec<String>,
    pub abbreviations: Vec<String>,
    /// 并称 shared with other terms (招退工 for 招工登记 and 退工登记).
    pub joint_abbreviations: Vec<String>,
    pub related: Vec<Link>,
    pub indicators: Vec<Link>,
    pub dimensions: Vec<Link>,
    pub topic: String,
}

#[derive(SimpleObject)]
pub struct IndicatorView {
    pub code: String,
    pub name: String,
    /// The 口径 in Chinese.
    pub definition: String,
    /// The 口径 in English, where written.
    pub definition_en: Option<String>,
    pub unit: String,
    pub formula: String,
    pub additive: bool,
    pub dimensions: Vec<String>,
    /// The semantic-model source it is computed from.
    pub source: String,
    pub source_table: String,
    pub feeds: Vec<String>,
    pub refresh: String,
    /// Glossary terms that explain it.
    pub terms: Vec<Link>,
}

#[derive(SimpleObject)]
pub struct CodeTableView {
    pub name: String,
    pub title: String,
    /// The standard and version the codes follow.
    pub standard: String,
    pub codes: Vec<CodeView>,
}

#[derive(SimpleObject)]
pub struct CodeView {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub successor: Option<String>,
}

#[derive(SimpleObject)]
pub struct TermRevision {
    pub revision: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub note: Option<String>,
    /// The term before the change (null when the change created it).
    pub previous: Option<Json<serde_json::Value>>,
    pub current: Json<serde_json::Value>,
}

#[derive(InputObject)]
pub struct TermInput {
    pub name: String,
    pub english: String,
    pub definition: String,
    pub source_document: String,
    pub source_article: Option<String>,
    #[graphql(default)]
    pub synonyms: Vec<String>,
    #[graphql(default)]
    pub abbreviations: Vec<String>,
    #[graphql(default)]
    pub joint_abbreviations: Vec<String>,
    #[graphql(default)]
    pub related: Vec<String>,
    #[graphql(default)]
    pub indicators: Vec<String>,
    #[graphql(default)]
    pub dimensions: Vec<String>,
    /// Topic file for a new term (e.g. `employment`); kept for an existing one.
    pub topic: Option<String>,
}

impl TermInput {
    /// Every field within its bound.
    fn check(&self) -> async_graphql::Result<()> {
        use crate::input::{MAX_CODE_CHARS, MAX_ITEMS, MAX_TEXT_CHARS, text};
        text("input.name", &self.name, MAX_CODE_CHARS)?;
        text("input.english", &self.english, MAX_TEXT_CHARS)?;
        text("input.definition", &self.definition, MAX_TEXT_CHARS)?;
        text("input.sourceDocument", &self.source_document, MAX_TEXT_CHARS)?;
        text("input.sourceArticle", self.source_article.as_deref().unwrap_or(""), MAX_CODE_CHARS)?;
        text("input.topic", self.topic.as_deref().unwrap_or(""), MAX_CODE_CHARS)?;
        for (name, list) in [
            ("input.synonyms", &self.synonyms),
            ("input.abbreviations", &self.abbreviations),
            ("input.jointAbbreviations", &self.joint_abbreviations),
            ("input.related", &self.related),
            ("input.indicators", &self.indicators),
            ("input.dimensions", &self.dimensions),
        ] {
            crate::input::codes(name, list, MAX_ITEMS)?;
        }
        Ok(())
    }
}

fn term_view(kb: &KnowledgeBase, t: &Term) -> TermView {
    let term_link = |code: &String| Link {
        code: code.clone(),
        name: kb.glossary.term(code).map(|x| x.name.clone()).unwrap_or_default(),
        available: kb.glossary.term(code).is_some(),
    };
    TermView {
        code: t.code.clone(),
        name: t.name.clone(),
        english: t.english.clone(),
        definition: t.definition.clone(),
        source: TermSource {
            document: t.source.document.clone(),
            article: t.source.article.clone(),
        },
        synonyms: t.synonyms.clone(),
        abbreviations: t.abbreviations.clone(),
        joint_abbreviations: t.joint_abbreviations.clone(),
        related: t.related.iter().map(term_link).collect(),
        indicators: t
            .indicators
            .iter()
            .map(|i| match kb.indicator(i) {
                Some(e) => Link {
                    code: i.clone(),
                    name: e.name.clone(),
                    available: true,
                },
                None => Link {
                    code: i.clone(),
                    name: kb.catalog.planned.get(i).cloned().unwrap_or_default(),
                    available: false,
                },
            })
            .collect(),
        dimensions: t
            .dimensions
            .iter()
            .map(|d| Link {
                code: d.clone(),
                name: kb.catalog.dimensions.get(d).map(|x| x.name.clone()).unwrap_or_default(),
                available: true,
            })
            .collect(),
        topic: t.topic.clone(),
    }
}

pub(crate) fn indicator_view(kb: &KnowledgeBase, i: &jiuye_kb::IndicatorEntry) -> IndicatorView {
    IndicatorView {
        code: i.code.clone(),
        name: i.name.clone(),
        definition: i.definition.clone(),
        definition_en: i.definition_en.clone(),
        unit: i.unit.clone(),
        formula: i.formula.clone(),
        additive: i.additive,
        dimensions: i.dimensions.clone(),
        source: i.source.clone(),
        source_table: i.source_table.clone(),
        feeds: i.feeds.clone(),
        refresh: i.refresh.clone(),
        terms: kb
            .glossary
            .terms_for_indicator(&i.code)
            .map(|t| Link {
                code: t.code.clone(),
                name: t.name.clone(),
                available: true,
            })
            .collect(),
    }
}

#[derive(Default)]
pub struct KbQuery;

#[Object]
impl KbQuery {
    /// Search terms, indicators, dimensions and code values: Chinese (segmented),
    /// full pinyin or initials (`sydj`), English, synonyms; tolerant of a typo. At most
    /// 100 characters and 100 hits.
    #[graphql(complexity = "cost::SEARCH + child_complexity")]
    async fn kb_search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = 10)] limit: i32,
        #[graphql(default)] kinds: Vec<KbKind>,
    ) -> async_graphql::Result<Vec<KbHit>> {
        input::text("query", &query, input::MAX_SEARCH_CHARS)?;
        if !(1..=100).contains(&limit) {
            return Err(input::bad_input(format!("limit must be 1 to 100, not {limit}")));
        }
        let kb = ctx.data::<AppState>()?.kb.get();
        let kinds: Vec<EntryKind> = kinds.into_iter().map(Into::into).collect();
        Ok(kb
            .index
            .search(&query, limit as usize, &kinds)
            .into_iter()
            .map(|h| KbHit {
                kind: kind_of(h.kind),
                key: h.key,
                title: h.title,
                score: h.score,
                matched: h.matched.to_string(),
            })
            .collect())
    }

    /// A glossary term by code or 中文名.
    async fn term(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<Option<TermView>> {
        input::text("code", &code, input::MAX_CODE_CHARS)?;
        let kb = ctx.data::<AppState>()?.kb.get();
        Ok(kb.glossary.term(&code).map(|t| term_view(&kb, t)))
    }

    /// An indicator of the dictionary with the glossary terms that explain it.
    async fn indicator(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<Option<IndicatorView>> {
        input::text("code", &code, input::MAX_CODE_CHARS)?;
        let kb = ctx.data::<AppState>()?.kb.get();
        Ok(kb.indicator(&code).map(|i| indicator_view(&kb, i)))
    }

    /// A code table with the standard it follows.
    async fn code_table(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<Option<CodeTableView>> {
        input::text("name", &name, input::MAX_CODE_CHARS)?;
        let kb = ctx.data::<AppState>()?.kb.get();
        Ok(kb.code_table(&name).map(|t| CodeTableView {
            name: t.name.clone(),
            title: t.title.clone(),
            standard: t.standard.clone(),
            codes: t
                .codes
                .iter()
                .map(|c| CodeView {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    parent: c.parent.clone(),
                    successor: c.successor.clone(),
                })
                .collect(),
        }))
    }

    /// Curated revisions of a term, newest first.
    async fn term_history(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<Vec<TermRevision>> {
        input::text("code", &code, input::MAX_CODE_CHARS)?;
        let state = ctx.data::<AppState>()?;
        let dialect = dialect_for(state.warehouse.backend());
        let rows = state
            .warehouse
            .fetch(&Statement {
                sql: format!(
                    "SELECT revision_id, changed_by, changed_at, note, previous, current FROM meta_kb_term_revision WHERE term_code = {} ORDER BY revision_id DESC",
                    dialect.placeholder(1)
                ),
                params: vec![code.into()],
            })
            .await
            .map_err(|e| coded(crate::metrics::MetricsError::from(e).public_message(), "INTERNAL"))?;
        let json = |v: &jiuye_sql_value::SqlValue| serde_json::from_str::<serde_json::Value>(&v.to_key()).ok();
        Ok(rows
            .rows
            .iter()
            .map(|r| TermRevision {
                revision: r[0].as_i64().unwrap_or_default(),
                changed_by: r[1].to_key(),
                changed_at: r[2].to_key(),
                note: Some(r[3].to_key()).filter(|n| !n.is_empty()),
                previous: json(&r[4]).map(Json),
                current: Json(json(&r[5]).unwrap_or_default()),
            })
            .collect())
    }
}

#[derive(Default)]
pub struct KbMutation;

#[Object]
impl KbMutation {
    /// Create or change a glossary term (roles with `glossary.edit`). The edit is refused when it would
    /// break the glossary (a missing definition or source, a link to nothing, a duplicate
    /// synonym); otherwise it is stored with who, when and the previous text.
    #[graphql(complexity = "cost::EDIT + child_complexity")]
    async fn update_term(
        &self,
        ctx: &Context<'_>,
        code: String,
        input: TermInput,
        note: Option<String>,
    ) -> async_graphql::Result<TermView> {
        let state = ctx.data::<AppState>()?;
        input.check()?;
        crate::input::text("code", &code, crate::input::MAX_CODE_CHARS)?;
        if let Some(n) = &note {
            crate::input::text("note", n, crate::input::MAX_TEXT_CHARS)?;
        }
        let holder = ctx.data::<TokenHolder>().map(|h| h.0.clone()).unwrap_or_else(|_| "unknown".into());
        let kb = state.kb.get();
        let previous = kb.glossary.term(&code).filter(|t| t.code == code).cloned();
        let topic = previous
            .as_ref()
            .map(|p| p.topic.clone())
            .or(input.topic.clone())
            .unwrap_or_else(|| "curated".into());
        let term = Term {
            code: code.clone(),
            name: input.name,
            english: input.english,
            definition: input.definition,
            source: Source {
                document: input.source_document,
                article: input.source_article.filter(|a| !a.trim().is_empty()),
            },
            synonyms: input.synonyms,
            abbreviations: input.abbreviations,
            joint_abbreviations: input.joint_abbreviations,
            related: input.related,
            indicators: input.indicators,
            dimensions: input.dimensions,
            topic,
        };
        let mut glossary = kb.glossary.clone();
        glossary.apply(term.clone());
        let problems: Vec<String> = jiuye_kb::check(&glossary, &kb.catalog)
            .into_iter()
            .filter(|p| p.term == code)
            .map(|p| p.message)
            .collect();
        if !problems.is_empty() {
            return Err(coded(
                format!("the edit of `{code}` was not saved: {}", problems.join("; ")),
                "BAD_USER_INPUT",
            ));
        }
        let dialect = dialect_for(state.warehouse.backend());
        let p: Vec<String> = (1..=6).map(|i| dialect.placeholder(i)).collect();
        state
            .warehouse
            .execute(&Statement {
                sql: format!(
                    "INSERT INTO meta_kb_term_revision (term_code, changed_by, changed_at, previous, current, note) VALUES ({}, {}, {}, {}, {}, {})",
                    p[0], p[1], p[2], p[3], p[4], p[5]
                ),
                params: vec![
                    code.clone().into(),
                    holder.into(),
                    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string().into(),
                    previous.map(|t| serde_json::to_string(&t).unwrap_or_default()).into(),
                    serde_json::to_string(&term).unwrap_or_default().into(),
                    note.into(),
                ],
            })
            .await
            .map_err(|e| coded(crate::metrics::MetricsError::from(e).public_message(), "INTERNAL"))?;
        let rebuilt = KnowledgeBase::build(&kb.catalog, glossary).map_err(|e| coded(e.to_string(), "INTERNAL"))?;
        let view = term_view(&rebuilt, rebuilt.glossary.term(&code).expect("just applied"));
        state.kb.replace(rebuilt);
        Ok(view)
    }
}
