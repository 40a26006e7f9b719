//! Reading arguments: every argument has a bound, and every value outside its domain is a
//! `BAD_USER_INPUT` error that says what is allowed — never a panic, never SQL. The cost
//! of each root field (checked against `Limits::max_cost` before anything runs) is here
//! too, so a request's price is set where its arguments are understood.

use async_graphql::{Error, ErrorExtensions};
use chrono::NaiveDate;
use jiuye_semantic::SemanticError;

use crate::metrics::MetricsError;

/// Longest code, name or label argument (indicator, dimension, board, term codes …).
pub(crate) const MAX_CODE_CHARS: usize = 64;
/// Longest search text.
pub(crate) const MAX_SEARCH_CHARS: usize = 100;
/// Longest free text a curator writes (a definition, a note).
pub(crate) const MAX_TEXT_CHARS: usize = 4_000;
/// Most items of a list argument (indicators, filters, values, synonyms …).
pub(crate) const MAX_ITEMS: usize = 50;
/// Most values one filter may list (a dimension's members).
pub(crate) const MAX_FILTER_VALUES: usize = 200;

/// The cost of a field's work, in units of a small catalog read (1): a statement plan per
/// indicator and comparison, a board's panels, a page of detail rows.
pub(crate) mod cost {
    pub const METRICS_BASE: usize = 20;
    pub const PER_INDICATOR_PART: usize = 10;
    pub const BOARD: usize = 300;
    pub const DRILL: usize = 40;
    pub const DETAIL: usize = 60;
    pub const MAP_LAYER: usize = 50;
    pub const MEMBERS: usize = 20;
    pub const SEARCH: usize = 10;
    pub const EDIT: usize = 50;

    /// A metrics query: one statement per indicator's source and per comparison range.
    pub fn metrics(indicators: usize, compare: usize) -> usize {
        METRICS_BASE + PER_INDICATOR_PART * indicators.max(1) * (1 + compare)
    }
}

pub(crate) fn bad_input(message: impl Into<String>) -> Error {
    coded(message, "BAD_USER_INPUT")
}

pub(crate) fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message).extend_with(move |_, e| e.set("code", code))
}

/// An internal failure of `area`: the details go to the server log, the caller hears
/// only that it failed (`INTERNAL`).
pub(crate) fn internal(area: &'static str, e: impl std::fmt::Display) -> Error {
    tracing::error!(area, error = %e, "internal error");
    coded("the server cannot do that right now; the server log has the details", "INTERNAL")
}

pub(crate) fn semantic_error(e: SemanticError) -> Error {
    coded(e.to_string(), e.code())
}

/// A query failure for the caller: semantic errors as they are (they name the caller's
/// own mistake), warehouse errors without their SQL (`MetricsError::public_message`).
pub(crate) fn metrics_error(e: MetricsError) -> Error {
    coded(e.public_message(), e.code())
}

/// `value` holds at most `max` characters.
pub(crate) fn text(argument: &str, value: &str, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n > max {
        return Err(bad_input(format!("`{argument}` has {n} characters; at most {max} are allowed")));
    }
    Ok(())
}

/// A list of at most `max` items, each a code of at most `MAX_CODE_CHARS` characters.
pub(crate) fn codes(argument: &str, values: &[String], max: usize) -> Result<(), Error> {
    if values.len() > max {
        return Err(bad_input(format!(
            "`{argument}` lists {} items; at most {max} are allowed",
            values.len()
        )));
    }
    values.iter().try_for_each(|v| text(argument, v, MAX_CODE_CHARS))
}

/// A calendar day as YYYY-MM-DD within the dates the platform answers for.
pub(crate) fn day(argument: &str, value: &str) -> Result<NaiveDate, Error> {
    text(argument, value, MAX_CODE_CHARS)?;
    let d = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| bad_input(format!("`{argument}` `{value}` is not a date as YYYY-MM-DD")))?;
    jiuye_semantic::check_date(argument, d).map_err(semantic_error)?;
    Ok(d)
}
