//! `jiuye model check`: every problem of a set of model files at once, each with its file
//! and line — unknown dimensions, a dimension an indicator's source lacks, formula
//! cycles and unknown references, duplicate codes, and misuse of non-additive measures.
//! Loading a catalog stops at the first problem; this reports them all.

use std::collections::BTreeMap;

use crate::formula::{Formula, Op};
use crate::model::{Aggregation, ModelFile, parse_model_file};
use crate::{Catalog, SemanticError};

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The first line of `text` that holds `needle` (1-based).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

/// Columns that identify rather than measure: summing them is meaningless.
fn is_identifier(column: &str) -> bool {
    column.ends_with("_key") || column.ends_with("_uscc") || column == "person_month"
}

/// Checks model files (name, text); an empty list means the model is sound.
pub fn check_model(files: &[(String, String)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut parsed: Vec<(&str, &str, ModelFile)> = Vec::new();
    for (file, text) in files {
        match parse_model_file(file, text) {
            Ok(m) => parsed.push((file, text, m)),
            Err(SemanticError::ModelSyntax { line, message, .. }) => problems.push(Problem {
                file: file.clone(),
                line,
                message,
            }),
            Err(e) => problems.push(Problem {
                file: file.clone(),
                line: None,
                message: e.to_string(),
            }),
        }
    }
    let at = |file: &str, text: &str, needle: &str, message: String| Problem {
        file: file.to_string(),
        line: line_of(text, needle),
        message,
    };
    // Codes and where each was first defined.
    let mut dimensions: BTreeMap<String, String> = BTreeMap::new();
    let mut indicators: BTreeMap<String, (String, String)> = BTreeMap::new(); // code → (file, source)
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    for (file, text, m) in &parsed {
        for d in &m.dimensions {
            if let Some(first) = dimensions.insert(d.code.clone(), file.to_string()) {
                problems.push(at(
                    file,
                    text,
                    &format!("code: {}", d.code),
                    format!("dimension `{}` is also defined in {first}", d.code),
                ));
            }
        }
        if let Some(s) = &m.source {
            if let Some(first) = sources.insert(s.code.clone(), file.to_string()) {
                problems.push(at(
                    file,
                    text,
                    &format!("code: {}", s.code),
                    format!("source `{}` is also defined in {first}", s.code),
                ));
            }
            for i in &m.indicators {
                if let Some((first, _)) = indicators.insert(i.code.clone(), (file.to_string(), s.code.clone())) {
                    problems.push(at(
                        file,
                        text,
                        &format!("code: {}", i.code),
                        format!("indicator `{}` is also defined in {first}", i.code),
                    ));
                }
            }
        } else if !m.indicators.is_empty() || !m.rollups.is_empty() {
            problems.push(at(
                file,
                text,
                "indicators:",
                "indicators and rollups need a `source:` in the same file".into(),
            ));
        }
        for p in &m.planned_indicators {
            if indicators.contains_key(&p.code) {
                problems.push(at(
                    file,
                    text,
                    &p.code,
                    format!("`{}` is defined and also listed as planned", p.code),
                ));
            }
        }
    }
    for (file, text, m) in &parsed {
        for d in &m.dimensions {
            if let Some(parent) = &d.parent
                && !dimensions.contains_key(parent)
            {
                problems.push(at(
                    file,
                    text,
                    &format!("parent: {parent}"),
                    format!("dimension `{}` has unknown parent `{parent}`", d.code),
                ));
            }
        }
        let Some(source) = &m.source else { continue };
        for (dim, column) in &source.dimensions {
            if !dimensions.contains_key(dim) {
                problems.push(at(
                    file,
                    text,
                    &format!("{dim}:"),
                    format!("source `{}` maps unknown dimension `{dim}`", source.code),
                ));
            }
            if let Some((alias, _)) = column.split_once('.')
                && !source.lookups.contains_key(alias)
            {
                problems.push(at(
                    file,
                    text,
                    &format!("{dim}:"),
                    format!("`{dim}` reads `{column}` but no lookup `{alias}` is declared"),
                ));
            }
        }
        let own: BTreeMap<&str, &crate::model::IndicatorDef> = m.indicators.iter().map(|i| (i.code.as_str(), i)).collect();
        for i in &m.indicators {
            let needle = format!("code: {}", i.code);
            match (&i.measure, &i.formula) {
                (Some(measure), None) => {
                    if measure.aggregation != Aggregation::Count && measure.column.is_none() {
                        problems.push(at(file, text, &needle, format!("`{}` aggregates with no `column`", i.code)));
                    }
                    if let (Aggregation::Sum, Some(c)) = (measure.aggregation, &measure.column)
                        && is_identifier(c)
                    {
                        problems.push(at(
                            file,
                            text,
                            &needle,
                            format!("`{}` sums `{c}`, an identifier; count it (count_distinct) instead", i.code),
                        ));
                    }
                }
                (None, Some(text_formula)) => match Formula::parse(text_formula) {
                    Ok(f) => {
                        for r in f.references() {
                            if !indicators.contains_key(r) {
                                problems.push(at(
                                    file,
                                    text,
                                    &needle,
                                    format!("formula of `{}` refers to unknown indicator `{r}`", i.code),
                                ));
                            }
                        }
                        // Adding two distinct counts of one source counts a person in both twice.
                        if let Formula::Binary(l, Op::Add, r) = &f
                            && let (Formula::Indicator(a), Formula::Indicator(b)) = (l.as_ref(), r.as_ref())
                            && [a, b].iter().all(|x| {
                                own.get(x.as_str())
                                    .and_then(|d| d.measure.as_ref())
                                    .is_some_and(|m| m.aggregation == Aggregation::CountDistinct)
                            })
                        {
                            problems.push(at(
                                file,
                                text,
                                &needle,
                                format!(
                                    "`{}` adds distinct counts `{a}` + `{b}`: a person in both counts twice; define one count_distinct over both conditions",
                                    i.code
                                ),
                            ));
                        }
                    }
                    Err(e) => problems.push(at(file, text, &needle, e.to_string())),
                },
                _ => problems.push(at(
                    file,
                    text,
                    &needle,
                    format!("`{}` needs exactly one of `measure` or `formula`", i.code),
                )),
            }
        }
        for r in &m.rollups {
            let needle = format!("name: {}", r.name);
            if source.interval.is_some() && (r.grains != [crate::time::Grain::Day] || r.first_in.is_some()) {
                problems.push(at(
                    file,
                    text,
                    &needle,
                    format!(
                        "rollup `{}`: a stock source rolls up only as a daily snapshot (grains [DAY], no first_in)",
                        r.name
                    ),
                ));
            }
            for dims in &r.dimension_sets {
                for d in dims {
                    match source.dimensions.get(d) {
                        None => problems.push(at(
                            file,
                            text,
                            &needle,
                            format!("rollup `{}` uses `{d}`, which source `{}` lacks", r.name, source.code),
                        )),
                        Some(c) if c.contains('.') => problems.push(at(
                            file,
                            text,
                            &needle,
                            format!(
                                "rollup `{}`: `{d}` is read through a lookup and would go stale; leave it to detail",
                                r.name
                            ),
                        )),
                        Some(_) => {}
                    }
                }
            }
            for code in &r.indicators {
                let ok = own.get(code.as_str()).is_some_and(|d| d.measure.is_some());
                if !ok {
                    problems.push(at(
                        file,
                        text,
                        &needle,
                        format!(
                            "rollup `{}` lists `{code}`, which is not a measure of source `{}`",
                            r.name, source.code
                        ),
                    ));
                }
            }
        }
    }
    // Formula cycles, and anything else the catalog refuses, once the above is clean.
    if problems.is_empty()
        && let Err(e) = Catalog::from_files(files.iter().cloned())
    {
        let (file, message) = match &e {
            SemanticError::Model { file, message } => (file.clone(), message.clone()),
            other => ("model".to_string(), other.to_string()),
        };
        let line = files.iter().find_map(|(f, t)| {
            message
                .split('`')
                .nth(1)
                .and_then(|code| line_of(t, &format!("code: {code}")).map(|l| (f.clone(), l)))
        });
        problems.push(match line {
            Some((f, l)) => Problem {
                file: f,
                line: Some(l),
                message,
            },
            None => Problem { file, line: None, message },
        });
    }
    problems.sort();
    problems.dedup();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect()
    }

    #[test]
    fn the_builtin_model_is_sound() {
        let builtin: Vec<(String, String)> = crate::BUILTIN_MODEL.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
        assert_eq!(check_model(&builtin), vec![]);
    }

    #[test]
    fn every_problem_is_reported_with_its_file_and_line() {
        let dims = "dimensions:\n  - { code: district, name: 区县, description: d, code_table: district }\n";
        let a = "source:\n  code: s\n  name: s\n  table: t\n  feeds: [s]\n  refresh: daily\n  dimensions:\n    district: district\n    nowhere: col\n\
                 indicators:\n  - code: persons\n    name: p\n    definition: d\n    unit: 人\n    measure: { aggregation: count_distinct, column: person_key }\n\
                 \x20 - code: others\n    name: o\n    definition: d\n    unit: 人\n    measure: { aggregation: count_distinct, column: person_key }\n\
                 \x20 - code: both\n    name: b\n    definition: d\n    unit: 人\n    formula: persons + others\n\
                 \x20 - code: summed\n    name: x\n    definition: d\n    unit: 人\n    measure: { aggregation: sum, column: person_key }\n\
                 rollups:\n  - name: r\n    grains: [MONTH]\n    dimension_sets: [[gender]]\n    indicators: [persons, both]\n";
        let b = "source:\n  code: s2\n  name: s\n  table: t\n  feeds: [s]\n  refresh: daily\n  dimensions: {}\nindicators:\n  - code: persons\n    name: p\n    definition: d\n    unit: 人\n    formula: ghost * 2\n";
        let problems = check_model(&files(&[("dims.yaml", dims), ("a.yaml", a), ("b.yaml", b)]));
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let expect = [
            "a.yaml:9: source `s` maps unknown dimension `nowhere`",
            "a.yaml:21: `both` adds distinct counts",
            "a.yaml:26: `summed` sums `person_key`",
            "a.yaml:32: rollup `r` uses `gender`",
            "a.yaml:32: rollup `r` lists `both`",
            "b.yaml:9: indicator `persons` is also defined in a.yaml",
            "b.yaml:9: formula of `persons` refers to unknown indicator `ghost`",
        ];
        for e in expect {
            assert!(shown.iter().any(|s| s.starts_with(e)), "missing `{e}` in {shown:#?}");
        }
    }

    #[test]
    fn a_formula_cycle_names_its_path() {
        let m = "source: { code: s, name: s, table: t, feeds: [s], refresh: daily, dimensions: {} }\n\
                 indicators:\n  - { code: a, name: a, definition: d, unit: x, formula: b + 1 }\n  - { code: b, name: b, definition: d, unit: x, formula: a * 2 }\n";
        let problems = check_model(&files(&[("c.yaml", m)]));
        assert!(problems.iter().any(|p| p.message.contains("cycle")), "{problems:?}");
    }

    #[test]
    fn a_syntax_error_has_a_line() {
        let problems = check_model(&files(&[("bad.yaml", "source:\n  code: [unclosed\n")]));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line.is_some(), "{problems:?}");
    }
}
