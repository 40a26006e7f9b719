//! What a caller asks for, and who the caller is.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Admin,
    Analyst,
    /// Sees only the rows of one district (GB/T 2260 code).
    District(String),
}

impl Role {
    pub fn name(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::District(_) => "district",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
}

impl Caller {
    pub fn admin() -> Caller {
        Caller { role: Role::Admin }
    }

    /// Whether the caller may see generated SQL and routing notes.
    pub fn may_see_sql(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Analyst)
    }
}
