//! `jiuye kb check`: the glossary's links and completeness against the semantic model.

use std::collections::{BTreeMap, BTreeSet};

use jiuye_semantic::Catalog;
use serde::Serialize;

use crate::glossary::Glossary;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// `glossary/<topic>.yaml`
    pub file: String,
    pub term: String,
    pub message: String,
}

/// Every problem found; empty means the glossary is sound.
pub fn check(glossary: &Glossary, catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |t: &crate::Term, message: String| {
        problems.push(Problem {
            file: format!("knowledge-base/glossary/{}.yaml", t.topic),
            term: t.code.clone(),
            message,
        })
    };
    let codes: BTreeSet<&str> = glossary.terms.iter().map(|t| t.code.as_str()).collect();
    let mut seen_codes = BTreeSet::new();
    let mut seen_names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut aliases: BTreeMap<&str, &str> = BTreeMap::new();
    let mut joint: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in &glossary.terms {
        if !seen_codes.insert(t.code.as_str()) {
            report(t, format!("code `{}` is used by more than one term", t.code));
        }
        if let Some(other) = seen_names.insert(t.name.as_str(), t.code.as_str()) {
            report(t, format!("name {} is also the name of `{other}`", t.name));
        }
    }
    for t in &glossary.terms {
        if t.definition.trim().is_empty() {
            report(t, "has no definition".into());
        }
        if t.source.document.trim().is_empty() {
            report(t, "has no source (a law, regulation, standard, policy or 业务实践)".into());
        }
        for r in &t.related {
            if r == &t.code {
                report(t, "lists itself as related".into());
            } else if !codes.contains(r.as_str()) {
                report(t, format!("related term `{r}` does not exist"));
            }
        }
        for i in &t.indicators {
            if catalog.indicator(i).is_err() && !catalog.planned.contains_key(i) {
                report(
                    t,
                    format!("links to indicator `{i}`, which the semantic model neither defines nor reserves"),
                );
            }
        }
        for d in &t.dimensions {
            if !catalog.dimensions.contains_key(d) {
                report(t, format!("links to dimension `{d}`, which the semantic model does not define"));
            }
        }
        for j in &t.joint_abbreviations {
            joint.entry(j.as_str()).or_default().push(t.code.as_str());
        }
        for a in t.synonyms.iter().chain(&t.abbreviations) {
            if let Some(owner) = seen_names.get(a.as_str()).filter(|o| **o != t.code) {
                report(t, format!("synonym {a} is the name of term `{owner}`"));
            }
            match aliases.get(a.as_str()) {
                Some(other) if *other != t.code => report(t, format!("synonym {a} is also a synonym of `{other}`")),
                Some(_) => report(t, format!("synonym {a} is listed twice")),
                None => {
                    aliases.insert(a.as_str(), t.code.as_str());
                }
            }
        }
    }
    for (short, terms) in &joint {
        let first = glossary.terms.iter().find(|t| t.code == terms[0]).expect("a listed term");
        if terms.len() < 2 {
            report(
                first,
                format!("joint abbreviation {short} names this term alone; make it an abbreviation"),
            );
        }
        if let Some(owner) = seen_names.get(short).or_else(|| aliases.get(short)) {
            report(
                first,
                format!("joint abbreviation {short} is already a name or synonym of `{owner}`"),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_glossary_passes() {
        let problems = check(&Glossary::builtin().unwrap(), &Catalog::builtin().unwrap());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn broken_links_and_gaps_are_reported() {
        let yaml = r#"
terms:
  - { code: a, name: 甲, english: A, definition: "", source: { document: "" }, synonyms: [乙], related: [nope], indicators: [no_such_indicator, registered_unemployed], dimensions: [planet] }
  - { code: b, name: 乙, english: B, definition: x, source: { document: 业务实践 }, synonyms: [丙], abbreviations: [丙], joint_abbreviations: [甲乙单] }
  - { code: c, name: 丁, english: C, definition: x, source: { document: 业务实践 }, joint_abbreviations: [乙] }
  - { code: d, name: 戊, english: D, definition: x, source: { document: 业务实践 }, joint_abbreviations: [乙] }
"#;
        let g = Glossary::from_files([("t.yaml".to_string(), yaml.to_string())]).unwrap();
        let messages: Vec<String> = check(&g, &Catalog::builtin().unwrap()).into_iter().map(|p| p.message).collect();
        for expected in [
            "joint abbreviation 甲乙单 names this term alone",
            "joint abbreviation 乙 is already a name or synonym of `b`",
            "no definition",
            "no source",
            "`nope` does not exist",
            "`no_such_indicator`",
            "`planet`",
            "synonym 乙 is the name",
            "synonym 丙 is listed twice",
        ] {
            assert!(messages.iter().any(|m| m.contains(expected)), "{expected} not in {messages:#?}");
        }
        assert!(
            !messages.iter().any(|m| m.contains("registered_unemployed")),
            "reserved codes are valid links"
        );
    }
}
