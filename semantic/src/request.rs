//! What a caller asks for, and who the caller is.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::known::KnownAt;
use crate::time::{Compare, Grain};

#[derive(Debug, Clone, PartialEq)]
pub struct DimensionFilter {
    pub dimension: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricsQuery {
    pub indicators: Vec<String>,
    pub dimensions: Vec<String>,
    pub grain: Grain,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub filters: Vec<DimensionFilter>,
    pub compare: Vec<Compare>,
    /// Answer as the warehouse knew it at this instant (corrections loaded later do not
    /// count); `None` for what it knows now.
    pub known_at: Option<KnownAt>,
}

/// Which codes (indicators, boards) a caller may read: all of them, or those listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    All,
    Only(BTreeSet<String>),
}

impl Allowed {
    pub fn allows(&self, code: &str) -> bool {
        match self {
            Allowed::All => true,
            Allowed::Only(codes) => codes.contains(code),
        }
    }
}

/// The detail view (a key of a source's `detail:` lists) that shows masked personal
/// display values; the console operator (`Caller::unrestricted`) reads it.
pub const MASKED_IDENTITY_VIEW: &str = "masked_identity";

/// Who asks, as the planner needs it: resolved by the surface from the caller's role (a
/// data-defined role, `identity/roles.yaml`), never from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The role's name, for messages.
    pub role: String,
    /// Sees only the rows of this district (GB/T 2260 code): the planner adds the filter.
    pub district: Option<String>,
    /// The source `detail:` list this caller reads; `None`: no detail rows, and every
    /// figure protected (small cells suppressed, cell-key perturbation).
    pub detail_view: Option<String>,
    /// May see the generated SQL and routing notes.
    pub see_sql: bool,
    /// The indicators the caller may ask for.
    pub indicators: Allowed,
}

impl Caller {
    /// The operator at the console (`jiuye query` without `--as-role`): every indicator,
    /// the SQL, the masked-identity detail view. Never given to a network caller.
    pub fn unrestricted() -> Caller {
        Caller {
            role: "console".into(),
            district: None,
            detail_view: Some(MASKED_IDENTITY_VIEW.into()),
            see_sql: true,
            indicators: Allowed::All,
        }
    }

    /// Whether the caller may see generated SQL and routing notes.
    pub fn may_see_sql(&self) -> bool {
        self.see_sql
    }

    /// `FORBIDDEN` for the first of `codes` the caller may not ask for.
    pub fn check_indicators<'a>(&self, codes: impl IntoIterator<Item = &'a String>) -> Result<(), crate::SemanticError> {
        match codes.into_iter().find(|c| !self.indicators.allows(c)) {
            Some(code) => Err(crate::SemanticError::Forbidden(format!(
                "the {} role may not read the indicator `{code}`",
                self.role
            ))),
            None => Ok(()),
        }
    }
}
