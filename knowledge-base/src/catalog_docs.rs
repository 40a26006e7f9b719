//! The static catalog in `docs/catalog/`: Markdown a new analyst can browse offline,
//! generated from the same glossary, model and code tables as everything else
//! (`jiuye kb catalog --out docs/catalog`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use crate::{KbError, KnowledgeBase};

fn topic_title(topic: &str) -> &str {
    match topic {
        "employment" => "就业与单位用工 Employment",
        "unemployment" => "失业与失业登记 Unemployment",
        "recruitment" => "公共招聘 Recruitment",
        "training" => "职业培训与技能评价 Training and skills",
        "entrepreneurship" => "创业 Entrepreneurship",
        "unemployment_insurance" => "失业保险 Unemployment insurance",
        "internship_youth" => "就业见习与青年就业 Internships and youth",
        "policy_services" => "政策与公共就业服务 Policies and services",
        "identity_codes" => "身份与编码标准 Identities and code standards",
        "data_platform" => "数据与指标口径 Data and indicator terms",
        other => other,
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// File name (relative to the catalog folder) → Markdown.
pub fn render_catalog(kb: &KnowledgeBase) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let term_file: BTreeMap<&str, String> = kb
        .glossary
        .terms
        .iter()
        .map(|t| (t.code.as_str(), format!("glossary-{}.md", t.topic)))
        .collect();
    let term_link = |code: &str| -> String {
        match (kb.glossary.terms.iter().find(|t| t.code == code), term_file.get(code)) {
            (Some(t), Some(file)) => format!("[{}]({file}#{code})", t.name),
            _ => code.to_string(),
        }
    };
    let indicator_link = |code: &str| match kb.indicator(code) {
        Some(i) => format!("[{}](indicators.md#{code})", i.name),
        None => match kb.catalog.planned.get(code) {
            Some(name) => format!("{name} (`{code}`, planned)"),
            None => format!("`{code}`"),
        },
    };

    let mut topics: Vec<&str> = kb.glossary.terms.iter().map(|t| t.topic.as_str()).collect();
    topics.dedup();
    for topic in &topics {
        let mut md = format!("# 术语 · {}\n\n[← catalog](README.md)\n\n", topic_title(topic));
        for t in kb.glossary.terms.iter().filter(|t| t.topic == *topic) {
            let _ = writeln!(md, "<a id=\"{}\"></a>\n## {} — {}\n", t.code, t.name, t.english);
            let _ = writeln!(md, "{}\n", t.definition.trim());
            let source = match &t.source.article {
                Some(a) => format!("{} {a}", t.source.document),
                None => t.source.document.clone(),
            };
            let _ = writeln!(md, "- 来源 Source: {source}");
            let aliases: Vec<&String> = t.synonyms.iter().chain(&t.abbreviations).chain(&t.joint_abbreviations).collect();
            if !aliases.is_empty() {
                let _ = writeln!(
                    md,
                    "- 又称 Also: {}",
                    aliases.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、")
                );
            }
            if !t.related.is_empty() {
                let _ = writeln!(
                    md,
                    "- 相关术语 Related: {}",
                    t.related.iter().map(|r| term_link(r)).collect::<Vec<_>>().join(" · ")
                );
            }
            if !t.indicators.is_empty() {
                let _ = writeln!(
                    md,
                    "- 指标 Indicators: {}",
                    t.indicators.iter().map(|i| indicator_link(i)).collect::<Vec<_>>().join(" · ")
                );
            }
            if !t.dimensions.is_empty() {
                let _ = writeln!(
                    md,
                    "- 维度 Dimensions: {}",
                    t.dimensions
                        .iter()
                        .map(|d| format!("[{d}](dimensions.md#{d})"))
                        .collect::<Vec<_>>()
                        .join(" · ")
                );
            }
            md.push('\n');
        }
        files.insert(format!("glossary-{topic}.md"), md);
    }

    let mut md = String::from(
        "# 指标字典 Indicator dictionary\n\n[← catalog](README.md)\n\nGenerated from the semantic model (`semantic/model/`).\n\n",
    );
    for i in &kb.indicators {
        let _ = writeln!(md, "<a id=\"{}\"></a>\n## {} `{}`\n\n{}\n", i.code, i.name, i.code, i.definition);
        if let Some(english) = &i.definition_en {
            let _ = writeln!(md, "*{}*\n", english.trim());
        }
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| 单位 Unit | {} |", cell(&i.unit));
        let _ = writeln!(md, "| 公式 Formula | `{}` |", cell(&i.formula));
        let _ = writeln!(
            md,
            "| 可加 Additive | {} |",
            if i.additive {
                "yes"
            } else {
                "no — never summed across rows, periods or districts"
            }
        );
        let _ = writeln!(
            md,
            "| 维度 Dimensions | {} |",
            i.dimensions
                .iter()
                .map(|d| format!("[{d}](dimensions.md#{d})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            md,
            "| 来源 Source | {} (`{}`), feeds: {} |",
            i.source,
            i.source_table,
            i.feeds.join(", ")
        );
        let _ = writeln!(md, "| 更新 Refresh | {} |", cell(&i.refresh));
        let terms: Vec<String> = kb.glossary.terms_for_indicator(&i.code).map(|t| term_link(&t.code)).collect();
        if !terms.is_empty() {
            let _ = writeln!(md, "| 术语 Terms | {} |", terms.join(" · "));
        }
        md.push('\n');
    }
    if !kb.catalog.planned.is_empty() {
        let _ = writeln!(
            md,
            "## Reserved, not computed yet\n\nCodes of the indicator contract whose feeds arrive with later ETL work:\n"
        );
        for (code, name) in &kb.catalog.planned {
            let _ = writeln!(md, "- `{code}` {name}");
        }
    }
    files.insert("indicators.md".into(), md);

    let mut md =
        String::from("# 维度 Dimensions\n\n[← catalog](README.md)\n\n| code | 中文名 | description | code table |\n|---|---|---|---|\n");
    for d in kb.catalog.dimensions.values() {
        let members = match &d.members {
            Some(m) => format!("registry `{}` ({}, {})", m.table, m.code, m.name),
            None => format!("[{0}](code-tables.md#{0})", d.code_table),
        };
        let _ = writeln!(
            md,
            "| <a id=\"{0}\"></a>`{0}` | {1} | {2} | {members} |",
            d.code,
            d.name,
            cell(&d.description)
        );
    }
    files.insert("dimensions.md".into(), md);

    let mut md = String::from("# 代码表 Code tables\n\n[← catalog](README.md)\n\n");
    for t in &kb.code_tables {
        let _ = writeln!(
            md,
            "<a id=\"{}\"></a>\n## {} `{}`\n\nStandard: {}\n\n| code | name | parent | successor |\n|---|---|---|---|",
            t.name, t.title, t.name, t.standard
        );
        for c in &t.codes {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                c.code,
                cell(&c.name),
                c.parent.clone().unwrap_or_default(),
                c.successor.clone().unwrap_or_default()
            );
        }
        md.push('\n');
    }
    files.insert("code-tables.md".into(), md);

    let mut md = String::from(
        "# jiuye catalog\n\nThe platform's dictionary, generated by `jiuye kb catalog --out docs/catalog` from the glossary \
         (`knowledge-base/glossary/`), the semantic model and the code tables. Do not edit by hand.\n\n",
    );
    let _ = writeln!(
        md,
        "- [指标字典 Indicator dictionary](indicators.md) — {} indicators, {} reserved",
        kb.indicators.len(),
        kb.catalog.planned.len()
    );
    let _ = writeln!(
        md,
        "- [维度 Dimensions](dimensions.md) — {} dimensions",
        kb.catalog.dimensions.len()
    );
    let _ = writeln!(md, "- [代码表 Code tables](code-tables.md) — {} tables", kb.code_tables.len());
    let _ = writeln!(md, "- 术语 Glossary — {} terms:", kb.glossary.terms.len());
    for topic in &topics {
        let n = kb.glossary.terms.iter().filter(|t| t.topic == *topic).count();
        let _ = writeln!(md, "  - [{}](glossary-{topic}.md) ({n})", topic_title(topic));
    }
    files.insert("README.md".into(), md);
    files
}

/// Writes the catalog into `dir`; returns the files written.
pub fn write_catalog(kb: &KnowledgeBase, dir: &Path) -> Result<Vec<String>, KbError> {
    std::fs::create_dir_all(dir).map_err(|source| KbError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in render_catalog(kb) {
        let path = dir.join(&name);
        std::fs::write(&path, text).map_err(|source| KbError::Write {
            path: path.display().to_string(),
            source,
        })?;
        written.push(name);
    }
    Ok(written)
}
