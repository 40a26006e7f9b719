//! The committed static catalog (`docs/catalog/`) is what the sources generate today.

use std::path::Path;

use jiuye_kb::{KnowledgeBase, render_catalog};
use jiuye_semantic::Catalog;

#[test]
fn the_committed_catalog_is_up_to_date() {
    let kb = KnowledgeBase::builtin(&Catalog::builtin().unwrap()).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/catalog");
    let rendered = render_catalog(&kb);
    assert!(rendered.len() >= 5);
    for (name, text) in &rendered {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            on_disk == *text,
            "docs/catalog/{name} is out of date: run `cargo run -- kb catalog --out docs/catalog` and commit it"
        );
    }
    let glossary = &rendered["glossary-unemployment.md"];
    assert!(glossary.contains("## 失业登记 — Unemployment registration"));
    assert!(rendered["indicators.md"].contains("## 招工登记人数 `hire_persons`"));
    assert!(rendered["code-tables.md"].contains("GB/T 4754-2017"));
}
