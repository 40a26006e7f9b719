//! The business glossary: terms kept as YAML files in `knowledge-base/glossary/`, embedded
//! in the binary, optionally overlaid by curated revisions stored in the warehouse.

use serde::{Deserialize, Serialize};

use crate::KbError;

pub const GLOSSARY_FILES: &[(&str, &str)] = &[
    ("employment.yaml", include_str!("../glossary/employment.yaml")),
    ("unemployment.yaml", include_str!("../glossary/unemployment.yaml")),
    ("recruitment.yaml", include_str!("../glossary/recruitment.yaml")),
    ("training.yaml", include_str!("../glossary/training.yaml")),
    ("entrepreneurship.yaml", include_str!("../glossary/entrepreneurship.yaml")),
    (
        "unemployment_insurance.yaml",
        include_str!("../glossary/unemployment_insurance.yaml"),
    ),
    ("internship_youth.yaml", include_str!("../glossary/internship_youth.yaml")),
    ("policy_services.yaml", include_str!("../glossary/policy_services.yaml")),
    ("identity_codes.yaml", include_str!("../glossary/identity_codes.yaml")),
    ("data_platform.yaml", include_str!("../glossary/data_platform.yaml")),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Law, regulation, standard or policy; `业务实践` for everyday practice.
    pub document: String,
    /// Article, only where one exists and is known for certain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// One business term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub code: String,
    /// 中文名
    pub name: String,
    pub english: String,
    pub definition: String,
    pub source: Source,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// 并称: a short name staff use for this term together with others (招退工 names
    /// 招工登记 and 退工登记), listed on every term it names; a search for it finds them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_abbreviations: Vec<String>,
    /// Codes of related terms.
    #[serde(default)]
    pub related: Vec<String>,
    /// Indicator codes of the semantic model (or reserved ones) the term explains.
    #[serde(default)]
    pub indicators: Vec<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// The glossary file the term comes from (its topic).
    #[serde(default)]
    pub topic: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    terms: Vec<Term>,
}

/// Terms in file order.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

impl Glossary {
    pub fn builtin() -> Result<Glossary, KbError> {
        Glossary::from_files(GLOSSARY_FILES.iter().map(|(f, t)| (f.to_string(), t.to_string())))
    }

    pub fn from_files(files: impl IntoIterator<Item = (String, String)>) -> Result<Glossary, KbError> {
        let mut terms = Vec::new();
        for (file, text) in files {
            let parsed: GlossaryFile = serde_yaml_ng::from_str(&text).map_err(|e| KbError::Syntax {
                file: file.clone(),
                line: e.location().map(|l| l.line()),
                message: e.to_string(),
            })?;
            let topic = file.trim_end_matches(".yaml").to_string();
            terms.extend(parsed.terms.into_iter().map(|mut t| {
                t.topic = topic.clone();
                t
            }));
        }
        Ok(Glossary { terms })
    }

    pub fn term(&self, code_or_name: &str) -> Option<&Term> {
        let key = code_or_name.trim();
        self.terms.iter().find(|t| t.code == key || t.name == key)
    }

    /// Replaces (or adds) a term with a curated revision.
    pub fn apply(&mut self, revised: Term) {
        match self.terms.iter_mut().find(|t| t.code == revised.code) {
            Some(t) => {
                let topic = std::mem::take(&mut t.topic);
                *t = revised;
                if t.topic.is_empty() {
                    t.topic = topic;
                }
            }
            None => self.terms.push(revised),
        }
    }

    /// Terms that link to an indicator.
    pub fn terms_for_indicator<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.terms.iter().filter(move |t| t.indicators.iter().any(|i| i == code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glossary_holds_at_least_150_terms() {
        let g = Glossary::builtin().unwrap();
        assert!(g.terms.len() >= 150, "{}", g.terms.len());
        for name in [
            "城乡登记失业人员",
            "就业困难人员",
            "零就业家庭",
            "长期失业青年",
            "灵活就业",
            "求人倍率",
            "创业担保贷款",
            "统一社会信用代码",
            "公民身份号码",
        ] {
            assert!(g.term(name).is_some(), "{name} missing");
        }
    }
}
