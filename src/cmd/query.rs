use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use jiuye_semantic::{Caller, Compare, DimensionFilter, Grain, KnownAt, MetricsQuery};
use serde_json::Value;

use crate::DatabaseArgs;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Example: jiuye query --indicator hire_persons --by district --grain MONTH
///          --from 2025-01-01 --to 2025-12-31 --compare yoy
#[derive(Args)]
pub struct QueryArgs {
    /// Indicator codes, comma separated (see GraphQL `indicators`).
    #[arg(long, value_delimiter = ',', required = true)]
    indicator: Vec<String>,
    /// Dimensions to break down by, comma separated (district, industry, education, …).
    #[arg(long, value_delimiter = ',')]
    by: Vec<String>,
    /// DAY, WEEK, MONTH, QUARTER or YEAR.
    #[arg(long, default_value = "MONTH")]
    grain: String,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    to: String,
    /// Filter as dimension=v1,v2; repeat for several dimensions.
    #[arg(long)]
    filter: Vec<String>,
    /// yoy, mom and/or target (completion against the annual target), comma separated.
    #[arg(long, value_delimiter = ',')]
    compare: Vec<String>,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Answer as a holder of this role would see it (its indicators, detail view and
    /// protection), e.g. viewer; with --as-district alone, district_analyst.
    #[arg(long)]
    as_role: Option<String>,
    /// Answer as a caller of this district would see it (row-level security).
    #[arg(long)]
    as_district: Option<String>,
    /// Answer as the warehouse knew it at this instant (2025-10-31T18:00:00+08:00, or a
    /// Shanghai time "2025-10-31 18:00:00"): reproduces a figure published then, whatever
    /// was corrected since.
    #[arg(long, value_name = "TIMESTAMP")]
    as_of: Option<String>,
    #[command(flatten)]
    db: DatabaseArgs,
}

fn parse_date(flag: &str, text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| format!("--{flag} `{text}` is not a date as YYYY-MM-DD"))
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let Some(grain) = Grain::parse(&args.grain) else {
        bail!("--grain `{}` is not one of DAY, WEEK, MONTH, QUARTER, YEAR", args.grain);
    };
    let mut filters = Vec::new();
    for f in &args.filter {
        let Some((dimension, values)) = f.split_once('=') else {
            bail!("--filter `{f}` must look like dimension=v1,v2");
        };
        filters.push(DimensionFilter {
            dimension: dimension.trim().into(),
            values: values.split(',').map(|v| v.trim().to_string()).collect(),
        });
    }
    let mut compare = Vec::new();
    for c in &args.compare {
        compare.push(match c.to_ascii_lowercase().as_str() {
            "yoy" => Compare::Yoy,
            "mom" => Compare::Mom,
            "target" => Compare::Target,
            other => bail!("--compare `{other}` is not yoy, mom or target"),
        });
    }
    let query = MetricsQuery {
        indicators: args.indicator.clone(),
        dimensions: args.by.clone(),
        grain,
        from: parse_date("from", &args.from)?,
        to: parse_date("to", &args.to)?,
        filters,
        compare,
        known_at: args.as_of.as_deref().map(KnownAt::parse).transpose()?,
    };
    let (warehouse, catalog) = super::open_prepared(&args.db, None).await?;
    let role = args
        .as_role
        .clone()
        .or_else(|| args.as_district.as_ref().map(|_| "district_analyst".to_string()));
    let caller = match role {
        None => Caller::unrestricted(),
        Some(role) => {
            let roles = jiuye_identity::load_roles(&warehouse).await?;
            let role = roles.assignable(&role, args.as_district.as_deref())?;
            role.caller(args.as_district.as_deref())
                .with_context(|| format!("the {} role queries nothing (an administrator's role)", role.name))?
        }
    };
    let answer = jiuye_graphql::run_metrics(&warehouse, &catalog, &query, &caller).await?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({ "columns": answer.table.columns, "rows": answer.table.rows })
        ),
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record(&answer.table.columns)?;
            for row in &answer.table.rows {
                out.write_record(answer.table.columns.iter().map(|c| cell(row.get(c).unwrap_or(&Value::Null))))?;
            }
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
