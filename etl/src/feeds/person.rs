//! What every person-level feed derives the same way: pseudonym, masks, age and age band
//! at the event date (from the birth date inside the ID number), and the DWD columns and
//! values those feeds share. The birth date itself stays in ODS: beside the masked ID it
//! would rebuild the number (docs/security.md).

use chrono::{Datelike, NaiveDate};
use jiuye_privacy::{Keys, mask_id_number, mask_name};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

use super::{DwdRow, FeedContext, Fields};
use crate::conform::Violation;
use crate::conform::checks::id_number_birth_date;

pub struct Person {
    pub person_key: String,
    pub id_masked: String,
    pub name_masked: String,
    pub age: i64,
    pub age_band: Option<&'static str>,
}

pub fn age_at(birth: NaiveDate, day: NaiveDate) -> i64 {
    let mut age = (day.year() - birth.year()) as i64;
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Bands of source-feeds.md: 16–24, 25–34, 35–44, 45–54, 55+.
pub fn age_band(age: i64) -> Option<&'static str> {
    match age {
        ..16 => None,
        16..=24 => Some("16-24"),
        25..=34 => Some("25-34"),
        35..=44 => Some("35-44"),
        45..=54 => Some("45-54"),
        _ => Some("55+"),
    }
}

/// `id` has passed the GB 11643 check already.
pub fn derive(keys: &Keys, id: &str, name: &str, event: NaiveDate) -> Person {
    let birth_date = id_number_birth_date(id).expect("conformed ID numbers carry a real birth date");
    let age = age_at(birth_date, event);
    Person {
        person_key: keys.pseudonym(id),
        id_masked: mask_id_number(id),
        name_masked: mask_name(name),
        age,
        age_band: age_band(age),
    }
}

/// GB 11643: the 17th character is odd for men (性别 1), even for women (2).
pub fn gender_of_id(id: &str) -> &'static str {
    match id.as_bytes().get(16).map(|b| b.wrapping_sub(b'0')) {
        Some(d) if d % 2 == 1 => "1",
        _ => "2",
    }
}

/// `derive`, refusing persons under 16 at the event (labour law's minimum working age):
/// a registration of a child is a data error to quarantine, not a number to count.
pub fn derive_working_age(keys: &Keys, id: &str, name: &str, event: NaiveDate) -> Result<Person, Violation> {
    let p = derive(keys, id, name, event);
    if p.age < 16 {
        return Err(Violation {
            rule: "below_working_age",
            column: "公民身份号码".into(),
            value: Some(p.id_masked),
            message: format!("the person is {} at 办理日期 {event}; registrations start at 16", p.age),
        });
    }
    Ok(p)
}

/// DWD columns every person-level event feed starts with; `event_columns` adds a feed's
/// own columns and the lineage columns every DWD row ends with.
const LEADING: [(&str, ColumnType); 11] = [
    ("business_key", ColumnType::Text),
    ("business_type", ColumnType::Text),
    ("date_key", ColumnType::Int),
    ("person_key", ColumnType::Text),
    ("id_number_masked", ColumnType::Text),
    ("name_masked", ColumnType::Text),
    ("gender", ColumnType::Text),
    ("age", ColumnType::Int),
    ("age_band", ColumnType::Text),
    ("hukou_type", ColumnType::Text),
    ("education", ColumnType::Text),
];
const TRAILING: [(&str, ColumnType); 3] = [
    ("updated_at", ColumnType::Text),
    ("file_id", ColumnType::Int),
    ("line_no", ColumnType::Int),
];

pub fn event_columns(own: &[(&'static str, ColumnType)]) -> Vec<(&'static str, ColumnType)> {
    LEADING.iter().chain(own).chain(TRAILING.iter()).copied().collect()
}

/// The DWD row of a person-level event dated by 办理日期 (`handled_on`): the shared leading
/// values (pseudonym, masks, age band …), the feed's `own` values, then lineage. A person
/// under 16 at the event is a violation.
pub fn event_row(f: &Fields, ctx: &FeedContext, own: impl FnOnce(&Person) -> Vec<SqlValue>) -> Result<DwdRow, Violation> {
    let handled_on = f.get("handled_on").date().expect("a required date field conforms to a date");
    let p = derive_working_age(ctx.keys, f.str("id_number"), f.str("name"), handled_on)?;
    let date_key = jiuye_semantic::date_key(handled_on);
    let updated_at = f.text("updated_at").to_key();
    let mut values = vec![
        f.text("business_key"),
        f.text("business_type"),
        SqlValue::Int(date_key),
        p.person_key.clone().into(),
        p.id_masked.clone().into(),
        p.name_masked.clone().into(),
        f.text("gender"),
        SqlValue::Int(p.age),
        p.age_band.into(),
        f.text("hukou_type"),
        f.text("education"),
    ];
    values.extend(own(&p));
    values.extend([
        updated_at.clone().into(),
        SqlValue::Int(ctx.file_id),
        SqlValue::Int(f.row.line as i64),
    ]);
    Ok(DwdRow {
        business_key: f.str("business_key").to_string(),
        updated_at,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_years_at_the_event_date() {
        let birth = NaiveDate::from_ymd_opt(2000, 2, 29).unwrap();
        assert_eq!(age_at(birth, NaiveDate::from_ymd_opt(2024, 2, 28).unwrap()), 23);
        assert_eq!(age_at(birth, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()), 24);
        assert_eq!(age_at(birth, NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()), 24);
        assert_eq!(age_band(24), Some("16-24"));
        assert_eq!(age_band(25), Some("25-34"));
        assert_eq!(age_band(55), Some("55+"));
        assert_eq!(age_band(15), None);
    }
}
