//! The person pool: names, 公民身份号码 (GB 11643), gender, birth date, 户籍类型, 文化程度.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::random::{chance, pick_str, pick_weighted};

/// GB 11643 weights of the first 17 digits.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643 check characters indexed by (weighted sum mod 11).
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// One person of the pool.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id_number: String,
    pub name: String,
    /// GB/T 2261.1: `1` 男, `2` 女.
    pub gender: &'static str,
    pub birth_date: NaiveDate,
    /// `1`..`6` as in the contract.
    pub hukou: &'static str,
    /// GB/T 4658 code.
    pub education: &'static str,
}

impl Person {
    pub(crate) fn is_male(&self) -> bool {
        self.gender == "1"
    }

    /// Whole years of age on `date`.
    pub(crate) fn age_on(&self, date: NaiveDate) -> i32 {
        age_on(self.birth_date, date)
    }
}

/// Whole years between `birth` and `date`.
pub(crate) fn age_on(birth: NaiveDate, date: NaiveDate) -> i32 {
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The GB 11643 check character for the first 17 characters (all digits), if well formed.
pub(crate) fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (character, weight) in first17.chars().zip(ID_WEIGHTS) {
        sum += character.to_digit(10)? * weight;
    }
    ID_CHECK_CHARS.get((sum % 11) as usize).map(|&byte| char::from(byte))
}

/// True when an 18-character number carries the right GB 11643 check character.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn is_valid_id_number(id_number: &str) -> bool {
    if id_number.len() != 18 || !id_number.is_ascii() {
        return false;
    }
    let (first17, check) = id_number.split_at(17);
    id_check_char(first17).is_some_and(|expected| check.starts_with(expected))
}

/// Mainland region codes (GB/T 2260) for people with a Shanghai hukou; older people may
/// still carry the codes of districts merged since (卢湾, 闸北, 南汇, 崇明县, 南市).
const SHANGHAI_ID_REGIONS: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114", "310115", "310116", "310117",
    "310118", "310120", "310151",
];
const SHANGHAI_LEGACY_ID_REGIONS: [&str; 5] = ["310103", "310108", "310119", "310230", "310102"];

/// Region codes of other provinces, weighted toward the provinces that send most migrants.
const OTHER_PROVINCE_URBAN_REGIONS: [(&str, f64); 12] = [
    ("340104", 14.0), // 合肥蜀山
    ("320102", 10.0), // 南京玄武
    ("320583", 6.0),  // 昆山
    ("330106", 8.0),  // 杭州西湖
    ("410105", 9.0),  // 郑州金水
    ("510104", 7.0),  // 成都锦江
    ("420102", 7.0),  // 武汉江岸
    ("360102", 6.0),  // 南昌东湖
    ("370102", 5.0),  // 济南历下
    ("430102", 5.0),  // 长沙芙蓉
    ("500101", 4.0),  // 重庆万州
    ("350102", 3.0),  // 福州鼓楼
];
const OTHER_PROVINCE_RURAL_REGIONS: [(&str, f64); 8] = [
    ("341221", 14.0), // 阜阳临泉县
    ("342221", 9.0),  // 宿州砀山县
    ("321323", 8.0),  // 宿迁泗阳县
    ("411521", 8.0),  // 信阳罗山县
    ("340104", 5.0),  // 合肥蜀山
    ("510104", 4.0),  // 成都锦江
    ("360102", 4.0),  // 南昌东湖
    ("420102", 4.0),  // 武汉江岸
];
/// 港澳台居民居住证 use 810000 / 820000 / 830000.
const HK_MACAO_TAIWAN_REGIONS: [(&str, f64); 3] = [("810000", 5.0), ("820000", 1.0), ("830000", 4.0)];
/// 外国人永久居留身份证 (2023): `9`, province `31`, 3-digit nationality code.
const FOREIGN_NATIONALITY_CODES: [&str; 8] = ["840", "392", "410", "276", "250", "826", "702", "036"];

/// Common surnames, weighted roughly by frequency in Shanghai.
const SURNAMES: [(&str, f64); 60] = [
    ("王", 7.0),
    ("张", 7.0),
    ("陈", 6.0),
    ("李", 6.0),
    ("徐", 4.0),
    ("刘", 4.0),
    ("朱", 3.0),
    ("周", 3.5),
    ("沈", 3.0),
    ("陆", 3.0),
    ("顾", 2.8),
    ("黄", 2.8),
    ("吴", 3.0),
    ("杨", 3.0),
    ("赵", 2.5),
    ("孙", 2.5),
    ("胡", 2.0),
    ("钱", 1.5),
    ("金", 1.5),
    ("姚", 1.5),
    ("蒋", 1.5),
    ("施", 1.3),
    ("马", 1.5),
    ("高", 1.5),
    ("郭", 1.3),
    ("何", 1.3),
    ("林", 1.5),
    ("罗", 1.2),
    ("郑", 1.3),
    ("梁", 1.0),
    ("谢", 1.2),
    ("宋", 1.2),
    ("唐", 1.2),
    ("许", 1.3),
    ("韩", 1.0),
    ("冯", 1.0),
    ("邓", 0.9),
    ("曹", 1.0),
    ("彭", 0.9),
    ("曾", 0.8),
    ("肖", 0.9),
    ("田", 0.8),
    ("董", 0.9),
    ("袁", 0.9),
    ("潘", 1.0),
    ("蔡", 1.0),
    ("汪", 1.0),
    ("叶", 1.0),
    ("程", 0.9),
    ("苏", 0.8),
    ("魏", 0.8),
    ("吕", 0.8),
    ("丁", 0.9),
    ("任", 0.7),
    ("姜", 0.7),
    ("范", 0.8),
    ("方", 0.8),
    ("石", 0.6),
    ("邵", 0.8),
    ("龚", 0.7),
];
const MALE_GIVEN: [&str; 40] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩", "凯", "健",
    "俊", "帆", "旭", "宁", "龙", "阳", "博", "轩", "晨", "昊", "睿", "哲", "翔", "诚", "峰", "亮", "成", "东",
];
const FEMALE_GIVEN: [&str; 40] = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "颖", "琳", "倩", "洁", "莉", "萍", "红", "梅", "丹",
    "蕾", "佳", "怡", "欣", "悦", "琪", "妍", "雯", "璐", "瑶", "晶", "婧", "薇", "萱", "楠", "月", "岚", "菲",
];
const NEUTRAL_GIVEN: [&str; 18] = [
    "子", "一", "思", "雨", "嘉", "梓", "诗", "可", "天", "晓", "文", "心", "安", "若", "亦", "舒", "清", "家",
];
const FOREIGN_FAMILY_NAMES: [&str; 12] = [
    "SMITH", "BROWN", "WILSON", "TANAKA", "SATO", "KIM", "LEE", "PARK", "MULLER", "MARTIN", "TAN", "NGUYEN",
];
const FOREIGN_GIVEN_NAMES: [&str; 12] = [
    "JOHN", "DAVID", "THOMAS", "KENJI", "MINJUN", "LUCAS", "MARIA", "ANNA", "SOPHIE", "YUKI", "EMMA", "JIWOO",
];

const HUKOU_MIX: [(&str, f64); 6] = [("1", 45.0), ("2", 5.0), ("3", 35.0), ("4", 12.0), ("5", 1.5), ("6", 1.5)];

/// 文化程度 weights (10 研究生 … 90 其他) by 户籍类型: Shanghai and foreign hires are more
/// educated than rural migrants.
fn education_mix(hukou: &str) -> [(&'static str, f64); 8] {
    let weights: [f64; 8] = match hukou {
        "1" | "5" | "6" => [11.0, 40.0, 22.0, 10.0, 8.0, 7.0, 1.0, 1.0],
        "2" => [2.0, 15.0, 25.0, 20.0, 15.0, 20.0, 2.0, 1.0],
        "3" => [9.0, 34.0, 24.0, 10.0, 9.0, 12.0, 1.0, 1.0],
        _ => [1.0, 8.0, 14.0, 16.0, 18.0, 37.0, 5.0, 1.0],
    };
    let codes = ["10", "20", "30", "40", "60", "70", "80", "90"];
    let mut mix = [("", 0.0); 8];
    for (slot, (code, weight)) in mix.iter_mut().zip(codes.into_iter().zip(weights)) {
        *slot = (code, weight);
    }
    mix
}

/// Age (whole years) on the reference date: mostly 22–45, some younger and older.
fn draw_age(rng: &mut StdRng) -> i32 {
    let band = rng.random::<f64>();
    if band < 0.07 {
        rng.random_range(16..=21)
    } else if band < 0.82 {
        rng.random_range(22..=45)
    } else if band < 0.97 {
        rng.random_range(46..=58)
    } else {
        rng.random_range(59..=61)
    }
}

/// No one has a degree younger than it can be earned.
fn education_fitting_age(education: &'static str, age: i32) -> &'static str {
    match education {
        "10" if age < 24 => "20",
        "20" if age < 22 => "30",
        "30" if age < 20 => "40",
        other => other,
    }
}

fn chinese_name(rng: &mut StdRng, male: bool) -> String {
    let surname = pick_weighted(rng, &SURNAMES, "王");
    let gendered: &[&'static str] = if male { &MALE_GIVEN } else { &FEMALE_GIVEN };
    let mut name = String::from(surname);
    if chance(rng, 0.3) {
        name.push_str(pick_str(rng, gendered));
    } else {
        let first = if chance(rng, 0.4) {
            pick_str(rng, &NEUTRAL_GIVEN)
        } else {
            pick_str(rng, gendered)
        };
        name.push_str(first);
        name.push_str(pick_str(rng, gendered));
    }
    name
}

fn foreign_name(rng: &mut StdRng) -> String {
    format!("{} {}", pick_str(rng, &FOREIGN_FAMILY_NAMES), pick_str(rng, &FOREIGN_GIVEN_NAMES))
}

/// The 6-character region part of the ID for this hukou type and birth year.
fn id_region(rng: &mut StdRng, hukou: &str, birth_year: i32) -> String {
    match hukou {
        "1" | "2" => {
            if birth_year < 2000 && chance(rng, 0.15) {
                pick_str(rng, &SHANGHAI_LEGACY_ID_REGIONS).to_string()
            } else {
                pick_str(rng, &SHANGHAI_ID_REGIONS).to_string()
            }
        }
        "3" => pick_weighted(rng, &OTHER_PROVINCE_URBAN_REGIONS, "340104").to_string(),
        "4" => pick_weighted(rng, &OTHER_PROVINCE_RURAL_REGIONS, "341221").to_string(),
        "5" => pick_weighted(rng, &HK_MACAO_TAIWAN_REGIONS, "810000").to_string(),
        _ => format!("931{}", pick_str(rng, &FOREIGN_NATIONALITY_CODES)),
    }
}

/// A full 18-character number: region, birth date, 3-digit sequence whose last digit is
/// odd for men and even for women, GB 11643 check character.
pub(crate) fn make_id_number(region: &str, birth_date: NaiveDate, sequence: u32, male: bool) -> String {
    let gender_digit = if male { 1 } else { 0 };
    let sequence = (sequence % 500) * 2 + gender_digit;
    let first17 = format!("{region}{}{sequence:03}", birth_date.format("%Y%m%d"));
    let check = id_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Birth date of someone `age` years old on `reference` (any day of that year of life).
fn birth_date_for_age(rng: &mut StdRng, reference: NaiveDate, age: i32) -> NaiveDate {
    let latest = NaiveDate::from_ymd_opt(reference.year() - age, reference.month(), reference.day())
        .or_else(|| NaiveDate::from_ymd_opt(reference.year() - age, reference.month(), 28))
        .unwrap_or(reference);
    let back = rng.random_range(0..365u64);
    latest.checked_sub_days(chrono::Days::new(back)).unwrap_or(latest)
}

/// A pool of `count` distinct persons, ages taken on `reference` (1 January of the first year).
pub(crate) fn generate_persons(rng: &mut StdRng, count: usize, reference: NaiveDate) -> Vec<Person> {
    let mut persons = Vec::with_capacity(count);
    let mut used_ids: HashSet<String> = HashSet::with_capacity(count);
    while persons.len() < count {
        let male = chance(rng, 0.53);
        let hukou = pick_weighted(rng, &HUKOU_MIX, "1");
        let age = draw_age(rng);
        let birth_date = birth_date_for_age(rng, reference, age);
        let education = pick_weighted(rng, &education_mix(hukou), "20");
        let education = education_fitting_age(education, age);
        let region = id_region(rng, hukou, birth_date.year());
        let id_number = make_id_number(&region, birth_date, rng.random_range(0..500), male);
        if !used_ids.insert(id_number.clone()) {
            continue; // same region, birthday and sequence: draw again
        }
        let name = if hukou == "6" { foreign_name(rng) } else { chinese_name(rng, male) };
        persons.push(Person {
            id_number,
            name,
            gender: if male { "1" } else { "2" },
            birth_date,
            hukou,
            education,
        });
    }
    persons
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn standard_example_passes() {
        assert!(is_valid_id_number("11010519491231002X"));
        assert!(!is_valid_id_number("110105194912310021"));
        assert!(!is_valid_id_number("11010519491231002"));
    }

    #[test]
    fn generated_ids_pass_gb11643_and_agree_with_person() {
        let mut rng = StdRng::seed_from_u64(42);
        let reference = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let persons = generate_persons(&mut rng, 3000, reference);
        assert_eq!(persons.len(), 3000);
        let mut seen = HashSet::new();
        for person in &persons {
            assert!(is_valid_id_number(&person.id_number), "{}", person.id_number);
            assert!(seen.insert(person.id_number.clone()), "duplicate {}", person.id_number);
            assert_eq!(&person.id_number[6..14], person.birth_date.format("%Y%m%d").to_string());
            let gender_digit = person.id_number[16..17].parse::<u32>().expect("digit");
            assert_eq!(gender_digit % 2 == 1, person.is_male(), "{}", person.id_number);
            let age = person.age_on(reference);
            assert!((15..=61).contains(&age), "age {age}");
            if matches!(person.hukou, "1" | "2") {
                assert!(person.id_number.starts_with("310"));
            }
        }
    }

    #[test]
    fn age_counts_whole_years() {
        let birth = NaiveDate::from_ymd_opt(2000, 6, 15).expect("date");
        let before = NaiveDate::from_ymd_opt(2024, 6, 14).expect("date");
        let on = NaiveDate::from_ymd_opt(2024, 6, 15).expect("date");
        assert_eq!(age_on(birth, before), 23);
        assert_eq!(age_on(birth, on), 24);
    }
}
