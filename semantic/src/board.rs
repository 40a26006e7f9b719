//! Boards (看板): a named set of panels, each an indicator query whose time range is
//! relative to the board's date (today, this month, the last ten years …), so one model
//! file describes a screen and one request answers it. Panels are ordinary queries: the
//! same planner, rollups, security and comparisons as `metrics`.

use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

use crate::request::{DimensionFilter, MetricsQuery};
use crate::time::{Compare, Grain};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardDef {
    pub code: String,
    pub name: String,
    pub description: String,
    pub panels: Vec<PanelDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelDef {
    pub code: String,
    pub title: String,
    pub indicators: Vec<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    pub grain: Grain,
    pub range: RelativeRange,
    #[serde(default)]
    pub compare: Vec<Compare>,
    /// dimension → values
    #[serde(default)]
    pub filters: std::collections::BTreeMap<String, Vec<String>>,
    /// A ranking (most active employers, largest layoffs): the rows with the largest
    /// values of one indicator, first.
    #[serde(default)]
    pub rank: Option<RankDef>,
    /// Where and how a screen shows the panel; the numbers do not depend on it.
    #[serde(default)]
    pub view: ViewDef,
}

/// A panel's place on a screen (1920×1080, [`SCREEN_COLUMNS`] columns; a board page
/// flows its panels in order) and the widget drawing it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewDef {
    /// 1 to [`SCREEN_COLUMNS`], left to right.
    pub column: u8,
    /// How many columns wide (the central map spans two).
    #[serde(default = "one")]
    pub span: u8,
    pub widget: Widget,
    /// Point layers a map draws over its districts (`mapLayer`), each switchable on screen.
    #[serde(default)]
    pub layers: Vec<MapOverlay>,
}

/// A point layer of a map panel: the map layers of [`crate::MapLayer`] a screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapOverlay {
    /// Open service facilities and bases, by 机构类型.
    Facilities,
    /// Postings open on the board's day.
    Postings,
}

impl MapOverlay {
    pub fn name(self) -> &'static str {
        match self {
            MapOverlay::Facilities => "facilities",
            MapOverlay::Postings => "postings",
        }
    }
}

fn one() -> u8 {
    1
}

impl Default for ViewDef {
    fn default() -> ViewDef {
        ViewDef {
            column: 1,
            span: 1,
            widget: Widget::Table,
            layers: Vec::new(),
        }
    }
}

/// Columns of a big screen (the seed's layout).
pub const SCREEN_COLUMNS: u8 = 6;

/// The widgets the screens draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// A figure per indicator, counting up (the latest period's).
    Numbers,
    /// Annual target, completion and time progress with a status colour.
    Completion,
    /// Bars per period or per dimension member.
    Bars,
    /// Lines over time.
    Line,
    /// Shares of a dimension's members.
    Pie,
    /// A district choropleth of the first indicator.
    Map,
    /// Rows as a table (and the ranking of `rank`).
    Table,
    /// The day's records behind the indicators, scrolling (`drillDetail` of each, as the
    /// caller's detail view shows them; the counts alone for a caller without one).
    Ticker,
}

impl Widget {
    pub fn name(self) -> &'static str {
        match self {
            Widget::Numbers => "numbers",
            Widget::Completion => "completion",
            Widget::Bars => "bars",
            Widget::Line => "line",
            Widget::Pie => "pie",
            Widget::Map => "map",
            Widget::Table => "table",
            Widget::Ticker => "ticker",
        }
    }
}

impl ViewDef {
    /// Why the view cannot be drawn, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let last = self.column as u16 + self.span as u16 - 1;
        if self.column == 0 || self.span == 0 || last > SCREEN_COLUMNS as u16 {
            return Some(format!("view: columns {}..{last} are outside 1..{SCREEN_COLUMNS}", self.column));
        }
        (!self.layers.is_empty() && self.widget != Widget::Map)
            .then(|| format!("view: layers are drawn over a map, not a {} widget", self.widget.name()))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankDef {
    /// One of the panel's indicators.
    pub by: String,
    /// How many rows to keep (at most [`MAX_RANK`]).
    pub top: usize,
}

/// Most rows a ranking keeps.
pub const MAX_RANK: usize = 100;

impl RankDef {
    /// Keeps the `top` rows with the largest `by`, largest first (ties in the answer's
    /// order, which is by dimension). Rows without a value — none, zero, or a suppressed
    /// small cell — are not ranked.
    pub fn apply(&self, rows: &mut Vec<serde_json::Map<String, serde_json::Value>>) {
        let value = |r: &serde_json::Map<String, serde_json::Value>| r.get(&self.by).and_then(|v| v.as_f64()).filter(|v| *v > 0.0);
        rows.retain(|r| value(r).is_some());
        rows.sort_by(|a, b| value(b).unwrap_or(0.0).total_cmp(&value(a).unwrap_or(0.0)));
        rows.truncate(self.top);
    }
}

/// A time range ending on the board's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeRange {
    Today,
    ThisMonth,
    ThisQuarter,
    ThisYear,
    /// The twelve months up to and including the board date's month.
    #[serde(rename = "last_12_months")]
    Last12Months,
    /// January 1 two years before the board date's year, to the board date.
    #[serde(rename = "last_3_years")]
    Last3Years,
    #[serde(rename = "last_10_years")]
    Last10Years,
}

impl RelativeRange {
    /// `(from, to)` for a board dated `as_of`.
    pub fn resolve(self, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
        let year_start = |years_back: i32| NaiveDate::from_ymd_opt(as_of.year() - years_back, 1, 1).expect("Jan 1 exists");
        let from = match self {
            RelativeRange::Today => as_of,
            RelativeRange::ThisMonth => Grain::Month.period_start(as_of),
            RelativeRange::ThisQuarter => Grain::Quarter.period_start(as_of),
            RelativeRange::ThisYear => year_start(0),
            RelativeRange::Last12Months => Grain::Month.period_start(as_of) - Months::new(11),
            RelativeRange::Last3Years => year_start(2),
            RelativeRange::Last10Years => year_start(9),
        };
        (from, as_of)
    }
}

impl PanelDef {
    /// The panel's query on a board dated `as_of`.
    pub fn query(&self, as_of: NaiveDate) -> MetricsQuery {
        let (from, to) = self.range.resolve(as_of);
        MetricsQuery {
            indicators: self.indicators.clone(),
            dimensions: self.dimensions.clone(),
            grain: self.grain,
            from,
            to,
            filters: self
                .filters
                .iter()
                .map(|(dimension, values)| DimensionFilter {
                    dimension: dimension.clone(),
                    values: values.clone(),
                })
                .collect(),
            compare: self.compare.clone(),
            known_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn relative_ranges_end_on_the_board_date() {
        let as_of = d("2025-06-18");
        assert_eq!(RelativeRange::Today.resolve(as_of), (as_of, as_of));
        assert_eq!(RelativeRange::ThisMonth.resolve(as_of).0, d("2025-06-01"));
        assert_eq!(RelativeRange::ThisQuarter.resolve(as_of).0, d("2025-04-01"));
        assert_eq!(RelativeRange::ThisYear.resolve(as_of).0, d("2025-01-01"));
        assert_eq!(RelativeRange::Last12Months.resolve(as_of).0, d("2024-07-01"));
        assert_eq!(RelativeRange::Last3Years.resolve(as_of).0, d("2023-01-01"));
        assert_eq!(RelativeRange::Last10Years.resolve(as_of).0, d("2016-01-01"));
    }

    #[test]
    fn a_view_is_checked_for_place_and_layers() {
        let view = |text: &str| serde_yaml_ng::from_str::<ViewDef>(text).unwrap();
        assert_eq!(
            view("{ column: 3, span: 2, widget: map, layers: [facilities, postings] }").problem(),
            None
        );
        assert!(view("{ column: 6, span: 2, widget: map }").problem().unwrap().contains("outside"));
        let layered_bars = view("{ column: 1, widget: bars, layers: [postings] }").problem().unwrap();
        assert!(layered_bars.contains("not a bars widget"), "{layered_bars}");
        assert!(serde_yaml_ng::from_str::<ViewDef>("{ column: 1, widget: map, layers: [rivers] }").is_err());
    }
}
