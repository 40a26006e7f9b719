//! Search answers pinyin, initials, synonyms, abbreviations, segmented Chinese, English and
//! typos, ranked.

use jiuye_kb::KnowledgeBase;
use jiuye_kb::search::EntryKind;
use jiuye_semantic::Catalog;

fn kb() -> KnowledgeBase {
    KnowledgeBase::builtin(&Catalog::builtin().unwrap()).unwrap()
}

fn top(kb: &KnowledgeBase, q: &str) -> String {
    kb.index.search(q, 5, &[]).first().map(|h| h.title.clone()).unwrap_or_default()
}

fn titles(kb: &KnowledgeBase, q: &str, n: usize) -> Vec<String> {
    kb.index.search(q, n, &[]).into_iter().map(|h| h.title).collect()
}

#[test]
fn initials_and_full_pinyin() {
    let kb = kb();
    assert_eq!(top(&kb, "sydj"), "失业登记");
    assert_eq!(top(&kb, "shiyedengji"), "失业登记");
    assert_eq!(top(&kb, "qrbl"), "求人倍率");
    assert_eq!(top(&kb, "SYDJ"), "失业登记", "case does not matter");
    assert!(
        titles(&kb, "cydb", 5).contains(&"创业担保贷款".to_string()),
        "{:?}",
        titles(&kb, "cydb", 5)
    );
}

#[test]
fn synonyms_abbreviations_and_english() {
    let kb = kb();
    assert_eq!(top(&kb, "创贷"), "创业担保贷款");
    assert_eq!(top(&kb, "Unemployment insurance benefit"), "失业保险金");
    assert!(titles(&kb, "unemployment registration", 3).contains(&"失业登记".to_string()));
    assert_eq!(top(&kb, "YOY"), "同比");
}

#[test]
fn segmented_chinese_and_substrings() {
    let kb = kb();
    let hits = titles(&kb, "失业", 10);
    assert!(
        hits.contains(&"失业登记".to_string()) && hits.contains(&"失业保险金".to_string()),
        "{hits:?}"
    );
    assert_eq!(hits[0], "失业", "the exact term first");
    // Words in another order than the name still find it.
    assert!(
        titles(&kb, "保险 失业 金", 5).contains(&"失业保险金".to_string()),
        "{:?}",
        titles(&kb, "保险 失业 金", 5)
    );
    assert_eq!(top(&kb, "城乡登记失业"), "城乡登记失业人员");
}

#[test]
fn typos_are_tolerated() {
    let kb = kb();
    assert_eq!(top(&kb, "失业登己"), "失业登记", "a homophone typo");
    assert!(
        titles(&kb, "unemploymnet insurance", 5).iter().any(|t| t.starts_with("失业保险")),
        "{:?}",
        titles(&kb, "unemploymnet insurance", 5)
    );
    assert_eq!(top(&kb, "shiyedengjj"), "失业登记", "one wrong letter of pinyin");
}

#[test]
fn indicators_dimensions_and_code_values_are_found() {
    let kb = kb();
    let hits = kb.index.search("招工登记人数", 3, &[EntryKind::Indicator]);
    assert_eq!(hits[0].key, "hire_persons");
    let hits = kb.index.search("hire_persons", 3, &[]);
    assert_eq!(hits[0].key, "hire_persons");
    let hits = kb.index.search("浦东", 3, &[EntryKind::CodeValue]);
    assert_eq!(hits[0].key, "district:310115");
    let hits = kb.index.search("310115", 3, &[]);
    assert_eq!(hits[0].title, "浦东新区");
    let hits = kb.index.search("软件和信息技术服务业", 3, &[EntryKind::CodeValue]);
    assert_eq!(hits[0].key, "industry:65");
    let hits = kb.index.search("nianlingduan", 3, &[EntryKind::Dimension]);
    assert_eq!(hits[0].key, "age_band");
    assert!(kb.index.search("   ", 5, &[]).is_empty());
}
