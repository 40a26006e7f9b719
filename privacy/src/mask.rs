//! Display masks, by published rules (docs/security.md). They keep just enough to let a
//! case worker recognise a record they already hold, never enough to rebuild the value —
//! alone or beside anything else the warehouse stores or answers.
//!
//! A 公民身份号码 is region (6) ‖ birth date (8) ‖ sequence (3) ‖ check (1). A mask that
//! kept the region and the last four beside a clear birth date gave the whole number back;
//! beside ages at several events (which narrow the birthday) it left a handful of
//! candidates. So a mask keeps the last two characters only — the last sequence digit
//! (it says the gender, which rows carry anyway) and the check character — and even a
//! known birth date leaves more than a hundred candidates within Shanghai's own region
//! codes. Birth dates leave ODS only as a year.

/// Characters of an ID number a mask keeps visible: its last two.
pub const ID_VISIBLE_TAIL: usize = 2;

/// `310101199001011234` → `****************34`. Values shorter than 10 characters (a
/// malformed number in quarantine) are masked whole.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let tail: String = chars[chars.len() - ID_VISIBLE_TAIL..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - ID_VISIBLE_TAIL))
}

/// `张三` → `张*`, `欧阳娜娜` → `欧***`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// A birth date as exported (`1990-01-05`, `1990/1/5`, `19900105`) → its year and stars
/// (`1990******`): the year every accepted format starts with, nothing of month or day.
pub fn mask_birth_date(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let year_like = chars.len() >= 4 && chars[..4].iter().all(char::is_ascii_digit);
    let kept = if year_like { 4 } else { 0 };
    let head: String = chars[..kept].iter().collect();
    format!("{head}{}", "*".repeat(chars.len() - kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_the_published_rule_allows() {
        assert_eq!(mask_id_number("31010119900101123X"), "****************3X");
        assert_eq!(mask_id_number("3101011990010112"), "**************12");
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_birth_date("1990-01-05"), "1990******");
        assert_eq!(mask_birth_date("19900105"), "1990****");
        assert_eq!(mask_birth_date("1990/1/5"), "1990****");
        assert_eq!(mask_birth_date("一九九〇"), "****");
    }

    #[test]
    fn a_mask_applied_twice_changes_nothing() {
        // Migrations re-mask stored values with the same rule (an old mask's region and
        // sequence become stars); masking a mask must be stable.
        for id in ["31010119900101123X", "310101********123X", "****************3X"] {
            let once = mask_id_number(id);
            assert_eq!(mask_id_number(&once), once);
            assert!(once.ends_with("3X"));
            assert_eq!(once.chars().filter(|c| *c != '*').count(), ID_VISIBLE_TAIL);
        }
    }
}
