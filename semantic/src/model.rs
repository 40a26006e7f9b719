//! The model files as written: YAML structures and their loading. Validation and
//! lookups live in `catalog`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::SemanticError;
use crate::time::Grain;

/// The model files compiled into the binary, so a fresh install needs no model directory.
pub const BUILTIN_MODEL: &[(&str, &str)] = &[
    ("dimensions.yaml", include_str!("../model/dimensions.yaml")),
    (
        "employment_registration.yaml",
        include_str!("../model/employment_registration.yaml"),
    ),
    ("flexible_employment.yaml", include_str!("../model/flexible_employment.yaml")),
    (
        "unemployment_registration.yaml",
        include_str!("../model/unemployment_registration.yaml"),
    ),
    ("job_posting.yaml", include_str!("../model/job_posting.yaml")),
    ("job_application.yaml", include_str!("../model/job_application.yaml")),
    ("training_enrollment.yaml", include_str!("../model/training_enrollment.yaml")),
    ("training_certification.yaml", include_str!("../model/training_certification.yaml")),
    ("startup_support.yaml", include_str!("../model/startup_support.yaml")),
    ("ui_benefit_payment.yaml", include_str!("../model/ui_benefit_payment.yaml")),
    ("ui_fund.yaml", include_str!("../model/ui_fund.yaml")),
    ("policy_subsidy.yaml", include_str!("../model/policy_subsidy.yaml")),
    ("internship.yaml", include_str!("../model/internship.yaml")),
    ("internship_completion.yaml", include_str!("../model/internship_completion.yaml")),
    ("unemployed_status.yaml", include_str!("../model/unemployed_status.yaml")),
    ("employment_status.yaml", include_str!("../model/employment_status.yaml")),
    ("employment_transition.yaml", include_str!("../model/employment_transition.yaml")),
    ("ui_fund_stock.yaml", include_str!("../model/ui_fund_stock.yaml")),
    ("facility_stock.yaml", include_str!("../model/facility_stock.yaml")),
    ("planned.yaml", include_str!("../model/planned.yaml")),
    ("boards/decision_support.yaml", include_str!("../boards/decision_support.yaml")),
    ("boards/business_handling.yaml", include_str!("../boards/business_handling.yaml")),
    ("boards/situation_analysis.yaml", include_str!("../boards/situation_analysis.yaml")),
    ("boards/topics.yaml", include_str!("../boards/topics.yaml")),
    ("boards/topics_quality.yaml", include_str!("../boards/topics_quality.yaml")),
];

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    #[serde(default)]
    pub dimensions: Vec<DimensionDef>,
    pub source: Option<SourceDef>,
    #[serde(default)]
    pub indicators: Vec<IndicatorDef>,
    #[serde(default)]
    pub rollups: Vec<RollupDef>,
    #[serde(default)]
    pub planned_indicators: Vec<PlannedIndicator>,
    /// A board (看板): panels of indicator queries (see `board`).
    pub board: Option<crate::board::BoardDef>,
}

/// A reserved indicator code that has no definition yet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedIndicator {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    pub code: String,
    pub name: String,
    pub description: String,
    /// The code table of its members, or for a registry-backed dimension the registry's
    /// name (`employer_registry`), with `members` saying where the codes and names live.
    pub code_table: String,
    pub parent: Option<String>,
    #[serde(default)]
    pub members: Option<RegistryMembers>,
}

/// Members of a dimension whose codes come from a registry, not a code table (employers,
/// facilities): too many and too changeable for one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryMembers {
    pub table: String,
    pub code: String,
    pub name: String,
    /// The column holding a member's district: a district caller lists only its own.
    pub district: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    pub code: String,
    pub name: String,
    pub table: String,
    pub feeds: Vec<String>,
    pub refresh: String,
    /// The column of `table` holding the `dim_date` key that dates a row for this source.
    /// Two sources may read one table by different dates (enrolment vs. completion).
    #[serde(default = "default_date_column")]
    pub date_column: String,
    /// A stock source: rows hold a state over `[valid_from, valid_to)` (date keys; an
    /// open state has 99991231), and its measures are taken at each period's last day.
    pub interval: Option<IntervalDef>,
    /// Tables joined to read some dimensions, by alias: a dimension mapped to
    /// `alias.column` is read from the lookup (e.g. an employer's industry on the event
    /// date, from the registry history).
    #[serde(default)]
    pub lookups: BTreeMap<String, LookupDef>,
    /// dimension code → column of `table` (or `alias.column` of a lookup)
    pub dimensions: BTreeMap<String, String>,
    /// The column identifying the person a row is about (`person_key`): every measure of
    /// the source then reveals something of persons, and small-cell protection and the
    /// cell-key method apply to it (`crate::companions`). Absent for sources about
    /// employers, postings or funds.
    pub persons: Option<String>,
    /// The columns of `table` each detail view shows as detail rows (`drillDetail`):
    /// `deidentified` (analysts) and `masked_identity` (adds masked display values). An
    /// explicit whitelist, so a column added to the table is shown to no one until it is
    /// listed. A view without a list shows no detail rows of this source.
    #[serde(default)]
    pub detail: BTreeMap<String, Vec<String>>,
}

/// `LEFT JOIN table ON table.key = fact.on` — and, when `dated`, only the version valid
/// on the fact's date (`valid_from <= date < valid_to`, SCD2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupDef {
    pub table: String,
    pub key: String,
    pub on: String,
    #[serde(default)]
    pub dated: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalDef {
    pub valid_from: String,
    pub valid_to: String,
}

/// The column dating a source's rows unless it names another.
pub(crate) const DEFAULT_DATE_COLUMN: &str = "date_key";

fn default_date_column() -> String {
    DEFAULT_DATE_COLUMN.into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub code: String,
    pub name: String,
    /// The 口径 in Chinese, as staff read it on every screen.
    pub definition: String,
    /// The same in English, for the catalog's other readers.
    #[serde(default)]
    pub definition_en: Option<String>,
    pub unit: String,
    pub measure: Option<MeasureDef>,
    pub formula: Option<String>,
    /// How completion against an annual target is judged (`compare: [TARGET]`).
    #[serde(default)]
    pub target: TargetRule,
}

/// The status rule of an indicator with annual targets (indicators.md, TARGET).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRule {
    /// More is better: green when the year-to-date completion keeps pace with the year's
    /// progress; amber when it keeps pace with the 预警值 only; red below that.
    #[default]
    Floor,
    /// Less is better (registered_unemployed): red above the 预警值, amber above the
    /// 目标值, green otherwise.
    Ceiling,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Count,
    CountDistinct,
    Sum,
    /// The sum of the rows' record keys (`sql::Expr::RecordKey` of `column`): the cell
    /// key of the cell-key method. Derived by the catalog, not written in model files.
    KeySum,
}

impl Aggregation {
    /// Whether values of this aggregation may be added across rows, periods or districts.
    pub fn is_additive(self) -> bool {
        !matches!(self, Aggregation::CountDistinct)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureDef {
    pub aggregation: Aggregation,
    /// The column summed or counted distinct; for `count`, optional: rows where it is
    /// filled (a wage reported, a park named).
    pub column: Option<String>,
    /// A sum of whole numbers (招聘人数, 带动就业人数): answered as an integer, not a decimal.
    #[serde(default)]
    pub integer: bool,
    /// column of the source table → accepted values
    #[serde(default, rename = "where")]
    pub where_in: BTreeMap<String, Vec<String>>,
    /// column of the source table → the least value a counted row has (`实际打卡次数 ≥ 1`:
    /// persons who checked in at least once).
    #[serde(default)]
    pub at_least: BTreeMap<String, i64>,
    /// Counts only rows where this column is filled. Written by the catalog for the
    /// person count behind a sum or a count of filled values (`crate::companions`); a
    /// `count` with a `column` means the same.
    #[serde(default)]
    pub filled: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupDef {
    pub name: String,
    pub grains: Vec<Grain>,
    pub dimension_sets: Vec<Vec<String>>,
    pub indicators: Vec<String>,
    /// A to-date rollup (grains `[DAY]`): a distinct count counts each person (or other
    /// identifier) on the day of its first row within this period (MONTH, QUARTER or
    /// YEAR), so a range from such a period's first day to any later day — this month,
    /// this year so far — is answered exactly by adding days.
    #[serde(default)]
    pub first_in: Option<Grain>,
}

pub fn parse_model_file(file: &str, text: &str) -> Result<ModelFile, SemanticError> {
    serde_yaml_ng::from_str(text).map_err(|e| SemanticError::ModelSyntax {
        file: file.to_string(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })
}
