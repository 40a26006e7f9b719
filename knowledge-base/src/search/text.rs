//! Text keys for search: normalisation, Chinese segmentation, pinyin, edit distance.

use std::sync::OnceLock;

use jieba_rs::Jieba;
use pinyin::ToPinyinMulti;

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

pub fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Lower case, full-width ASCII folded to half-width, whitespace trimmed and collapsed.
pub fn normalise(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words for the inverted index: jieba's search-mode segmentation of Chinese, and ASCII
/// words, all normalised; one-character Chinese words are kept (失, 业 are weak but 省 is not).
pub fn words(text: &str) -> Vec<String> {
    let text = normalise(text);
    let mut out: Vec<String> = jieba()
        .cut_for_search(&text, true)
        .into_iter()
        .map(|t| t.word.trim().to_string())
        .filter(|w| !w.is_empty() && w.chars().any(|c| c.is_alphanumeric()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Full pinyin (`shiyedengji`) and initials (`sydj`) of a text, one pair per reading when
/// characters have several (行业 → hangye and xingye), at most `limit` readings.
pub fn pinyin_keys(text: &str, limit: usize) -> Vec<(String, String)> {
    let mut readings: Vec<(String, String)> = vec![(String::new(), String::new())];
    for c in normalise(text).chars() {
        if is_cjk(c) {
            let options: Vec<&'static str> = match c.to_pinyin_multi() {
                Some(multi) => multi.into_iter().map(|p| p.plain()).collect(),
                None => continue,
            };
            let mut next = Vec::new();
            for (full, initials) in &readings {
                for o in &options {
                    if next.len() < limit {
                        next.push((format!("{full}{o}"), format!("{initials}{}", &o[..1])));
                    }
                }
            }
            readings = next;
        } else if c.is_ascii_alphanumeric() {
            for (full, initials) in readings.iter_mut() {
                full.push(c);
                initials.push(c);
            }
        }
    }
    readings.retain(|(f, _)| !f.is_empty());
    readings.sort();
    readings.dedup();
    readings
}

/// Damerau–Levenshtein distance (optimal string alignment), for typo tolerance.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Every string made by deleting one character (SymSpell's neighbourhood): two strings
/// within one edit share a member of their neighbourhoods or are each other's member.
pub fn deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| chars.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_business_terms() {
        let keys = pinyin_keys("失业登记", 8);
        assert!(keys.contains(&("shiyedengji".into(), "sydj".into())), "{keys:?}");
        let keys = pinyin_keys("行业门类", 8);
        assert!(keys.iter().any(|(f, i)| f == "hangyemenlei" && i == "hyml"), "{keys:?}");
    }

    #[test]
    fn segmentation_and_normalisation() {
        assert!(words("城乡登记失业人员").contains(&"失业".to_string()));
        assert_eq!(normalise("  ＡＢＣ  def "), "abc def");
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("shiye", "shiey"), 1);
        assert_eq!(edit_distance("unemployment", "unemploymnet"), 1);
        assert_eq!(edit_distance("abc", "abd"), 1);
        assert!(deletions("abc").contains(&"ac".to_string()));
    }
}
