//! Feed spec files: which headers map to which fields, their types and rules.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::EtlError;

pub const BUILTIN_FEEDS: &[(&str, &str)] = &[
    ("employer_registry.yaml", include_str!("../feeds/employer_registry.yaml")),
    (
        "employment_registration.yaml",
        include_str!("../feeds/employment_registration.yaml"),
    ),
    ("flexible_employment.yaml", include_str!("../feeds/flexible_employment.yaml")),
    (
        "unemployment_registration.yaml",
        include_str!("../feeds/unemployment_registration.yaml"),
    ),
    ("job_posting.yaml", include_str!("../feeds/job_posting.yaml")),
    ("job_application.yaml", include_str!("../feeds/job_application.yaml")),
    ("training_enrollment.yaml", include_str!("../feeds/training_enrollment.yaml")),
    ("startup_support.yaml", include_str!("../feeds/startup_support.yaml")),
    ("ui_benefit_payment.yaml", include_str!("../feeds/ui_benefit_payment.yaml")),
    ("ui_fund_monthly.yaml", include_str!("../feeds/ui_fund_monthly.yaml")),
    ("policy_subsidy.yaml", include_str!("../feeds/policy_subsidy.yaml")),
    ("internship.yaml", include_str!("../feeds/internship.yaml")),
    ("facility_registry.yaml", include_str!("../feeds/facility_registry.yaml")),
    ("indicator_target.yaml", include_str!("../feeds/indicator_target.yaml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Enum,
    Code,
    Date,
    Timestamp,
    /// A calendar month (`YYYY-MM`, `YYYY/M`, `YYYYMM`), held as its first day.
    Month,
    Integer,
    /// Money in yuan: at most 2 decimal places, |value| < 10^10.
    Decimal,
    /// WGS-84 degrees; the spec names the axis through the field (`longitude`/`latitude`).
    Geo,
    IdNumber,
    Uscc,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub field: String,
    pub header: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// Required only when another field holds one of these (already normalised) values.
    #[serde(default)]
    pub required_when: BTreeMap<String, String>,
    /// Personal data: encrypted in ODS, masked in quarantine and never in DWD as text.
    #[serde(default)]
    pub personal: bool,
    pub code_table: Option<String>,
    /// For `enum`: exported text → stored code.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// For a date: the ID-number field whose embedded birth date it must agree with.
    pub birth_date_of: Option<String>,
    /// For a number: the smallest accepted value.
    pub min: Option<f64>,
    /// For a date or number: must not be below (`at_least`) or above (`at_most`) this
    /// other field's value, where both are given (截止日期 ≥ 发布日期, 下限 ≤ 上限).
    pub at_least: Option<String>,
    pub at_most: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSpec {
    pub feed: String,
    pub name: String,
    pub business_key: String,
    /// The 更新时间 field deciding which version of a key wins. Reference exports without
    /// one (indicator_target) version rows by load order: a later file replaces.
    pub updated_at: Option<String>,
    pub columns: Vec<ColumnSpec>,
}

impl FeedSpec {
    pub fn column(&self, field: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.field == field)
    }

    /// The feed's ODS table.
    pub fn ods_table(&self) -> String {
        format!("ods_{}", self.feed)
    }

    /// The ODS columns holding sealed values (their place's row is `file_id:line_no`):
    /// each personal field's column, and the raw line of rows kept whole.
    pub fn sealed_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| c.personal)
            .map(ColumnSpec::ods_column)
            .chain(std::iter::once(RAW_LINE_COLUMN.to_string()))
            .collect()
    }
}

/// The ODS column holding, sealed, a row that did not fit its header.
pub const RAW_LINE_COLUMN: &str = "raw_line_enc";

impl ColumnSpec {
    /// The field's ODS column: `<field>_enc` (sealed) for a personal field, else the field.
    pub fn ods_column(&self) -> String {
        if self.personal {
            format!("{}_enc", self.field)
        } else {
            self.field.clone()
        }
    }
}

pub fn builtin_specs() -> Result<Vec<FeedSpec>, EtlError> {
    BUILTIN_FEEDS
        .iter()
        .map(|(file, text)| {
            let spec: FeedSpec = serde_yaml_ng::from_str(text).map_err(|e| EtlError::Spec {
                file: file.to_string(),
                message: e.to_string(),
            })?;
            for c in &spec.columns {
                let bad = |m: &str| EtlError::Spec {
                    file: file.to_string(),
                    message: format!("column `{}`: {m}", c.field),
                };
                if c.field_type == FieldType::Code && c.code_table.is_none() {
                    return Err(bad("type code needs a code_table"));
                }
                if c.field_type == FieldType::Enum && c.values.is_empty() {
                    return Err(bad("type enum needs values"));
                }
            }
            if spec.column(&spec.business_key).is_none() || spec.updated_at.as_ref().is_some_and(|u| spec.column(u).is_none()) {
                return Err(EtlError::Spec {
                    file: file.to_string(),
                    message: "business_key and updated_at must name columns".into(),
                });
            }
            Ok(spec)
        })
        .collect()
}
