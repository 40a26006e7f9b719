//! 服务机构与基地 (facility_registry): one 就业促进中心 per district plus incubators, skill
//! bases, evaluation bodies, internship bases, training schools, start-up parks and public
//! training bases. Generated before the feeds that point at them: training classes run at
//! the 职业培训机构 (type 6), interns work at 就业见习基地 (type 5), 创业场地 support sits in
//! 创业孵化基地 or 创业园区 (types 2 and 7). No defects are injected here.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{Days, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::districts::{DISTRICTS, district_weights, full_name, pick_district, point_in_district, short_name};
use super::employer_names::trade_name;
use super::employers::Employer;
use super::formats::{iso_timestamp, office_time_on};
use super::random::{chance, pick, pick_str};
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

pub(crate) const FACILITY_HEADERS: [&str; 11] = [
    "机构编号",
    "机构名称",
    "机构类型",
    "区县代码",
    "地址",
    "经度",
    "纬度",
    "状态",
    "更新时间",
    // Beyond the contract, after its columns (docs/feeds.md).
    "年度计划数",
    "指导教师数",
];

/// 机构类型 of the facilities the other feeds point at.
pub(crate) const EMPLOYMENT_CENTRE: &str = "1";
pub(crate) const CITY_INCUBATOR: &str = "2";
pub(crate) const INTERNSHIP_BASE: &str = "5";
pub(crate) const TRAINING_SCHOOL: &str = "6";
pub(crate) const STARTUP_PARK: &str = "7";

/// Types other than the 16 就业促进中心: (机构类型, code prefix, share, minimum count).
/// The shares give ≈60 training schools and ≈130 internship bases at scale 1.0.
const TYPE_MIX: [(&str, &str, f64, usize); 7] = [
    (CITY_INCUBATOR, "FH", 0.06, 2),
    ("3", "GJ", 0.10, 2),
    ("4", "PJ", 0.14, 2),
    (INTERNSHIP_BASE, "JD", 0.35, 2),
    (TRAINING_SCHOOL, "PX", 0.16, 2),
    (STARTUP_PARK, "YQ", 0.16, 2),
    ("8", "SX", 0.03, 1),
];
/// Share of facilities other than the 就业促进中心 that are closed (状态 0).
const CLOSED_SHARE: f64 = 0.05;

/// Streets of each district, for plausible addresses.
const STREETS: [(&str, [&str; 3]); 16] = [
    ("310101", ["南京东路", "淮海中路", "西藏南路"]),
    ("310104", ["漕溪北路", "宜山路", "龙华中路"]),
    ("310105", ["天山路", "仙霞路", "延安西路"]),
    ("310106", ["南京西路", "共和新路", "万荣路"]),
    ("310107", ["曹杨路", "武宁路", "真北路"]),
    ("310109", ["四川北路", "曲阳路", "东体育会路"]),
    ("310110", ["控江路", "国权路", "黄兴路"]),
    ("310112", ["沪闵路", "莘松路", "七莘路"]),
    ("310113", ["牡丹江路", "友谊路", "沪太路"]),
    ("310114", ["城中路", "嘉松北路", "博乐路"]),
    ("310115", ["张江路", "世纪大道", "川沙路"]),
    ("310116", ["卫零路", "龙航路", "蒙山路"]),
    ("310117", ["人民北路", "荣乐中路", "谷阳北路"]),
    ("310118", ["公园路", "华新路", "城中东路"]),
    ("310120", ["南桥路", "解放中路", "运河北路"]),
    ("310151", ["八一路", "人民路", "翠竹路"]),
];

/// One facility of the registry.
#[derive(Debug, Clone)]
pub(crate) struct Facility {
    /// `<prefix><district><3-digit serial>`, e.g. `PX310115001`.
    pub code: String,
    pub name: String,
    /// 机构类型 `1`…`8`.
    pub kind: &'static str,
    pub district: &'static str,
    address: String,
    longitude: f64,
    latitude: f64,
    /// 状态 1 (in service) or 0 (closed); only open facilities are referenced elsewhere.
    pub active: bool,
    updated_at: NaiveDateTime,
}

impl Facility {
    /// 年度计划数 and 指导教师数 of a base (none for other types). Drawn from the code, not
    /// the generator's random stream, so the other feeds stay as they were before the
    /// registry had these columns.
    fn plans_and_instructors(&self) -> (Option<u64>, Option<u64>) {
        let (plans, instructors) = match self.kind {
            "3" => ((50, 300), Some((10, 40))),
            INTERNSHIP_BASE => ((10, 60), Some((2, 10))),
            TRAINING_SCHOOL => ((200, 1_500), Some((10, 60))),
            "8" => ((2_000, 12_000), Some((50, 200))),
            CITY_INCUBATOR => ((20, 80), None),
            _ => return (None, None),
        };
        let hash = self
            .code
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let within = |(low, high): (u64, u64), salt: u64| low + (hash.rotate_left(salt as u32) % (high - low + 1));
        (Some(within(plans, 0)), instructors.map(|range| within(range, 29)))
    }
}

/// The open facilities of one 机构类型 (in registry order).
pub(crate) fn open_of_kind<'a>(facilities: &'a [Facility], kinds: &[&str]) -> Vec<&'a Facility> {
    facilities.iter().filter(|f| f.active && kinds.contains(&f.kind)).collect()
}

/// `count` facilities (at least the 16 就业促进中心 plus the minimum of every other type).
pub(crate) fn generate_facilities(rng: &mut StdRng, count: usize, first_year: i32, employers: &[Employer]) -> Vec<Facility> {
    let weights = district_weights();
    let others = count.saturating_sub(DISTRICTS.len());
    let mut used_names: HashSet<String> = HashSet::new();
    let mut serials: BTreeMap<(&'static str, &'static str), u32> = BTreeMap::new();
    let mut facilities = Vec::with_capacity(count.max(DISTRICTS.len() + 13));
    for district in &DISTRICTS {
        let name = format!("{}就业促进中心", full_name(district.code));
        used_names.insert(name.clone());
        facilities.push(facility(
            rng,
            &mut serials,
            "JC",
            EMPLOYMENT_CENTRE,
            district.code,
            name,
            true,
            first_year,
        ));
    }
    for (kind, prefix, share, minimum) in TYPE_MIX {
        let of_kind = ((others as f64 * share).round() as usize).max(minimum);
        for index in 0..of_kind {
            // 上海市公共实训基地 sits in 浦东; the first of every type is open, so each exists.
            let district = if kind == "8" && index == 0 {
                "310115"
            } else {
                pick_district(rng, &weights)
            };
            let name = unique_name(rng, &mut used_names, kind, district, index, employers);
            let active = index == 0 || !chance(rng, CLOSED_SHARE);
            facilities.push(facility(rng, &mut serials, prefix, kind, district, name, active, first_year));
        }
    }
    facilities
}

#[allow(clippy::too_many_arguments)]
fn facility(
    rng: &mut StdRng,
    serials: &mut BTreeMap<(&'static str, &'static str), u32>,
    prefix: &'static str,
    kind: &'static str,
    district: &'static str,
    name: String,
    active: bool,
    first_year: i32,
) -> Facility {
    let serial = serials.entry((prefix, district)).or_insert(0);
    *serial += 1;
    let streets = STREETS
        .iter()
        .find(|(code, _)| *code == district)
        .map(|(_, s)| &s[..])
        .unwrap_or(&[]);
    let address = format!(
        "上海市{}{}{}号",
        full_name(district),
        pick_str(rng, streets),
        rng.random_range(1..=1999u32)
    );
    let (longitude, latitude) = point_in_district(rng, district);
    Facility {
        code: format!("{prefix}{district}{:03}", *serial),
        name,
        kind,
        district,
        address,
        longitude,
        latitude,
        active,
        updated_at: registry_time(rng, first_year),
    }
}

/// A name of the type that no other facility has (a trade name drawn again on a clash).
fn unique_name(
    rng: &mut StdRng,
    used: &mut HashSet<String>,
    kind: &str,
    district: &'static str,
    index: usize,
    employers: &[Employer],
) -> String {
    for attempt in 0..24 {
        let name = match kind {
            CITY_INCUBATOR => format!("上海{}创业孵化基地", trade_name(rng)),
            "3" => format!("上海{}高技能人才培养基地", trade_name(rng)),
            "4" => format!("上海{}职业技能评价中心", trade_name(rng)),
            // An internship base is an employer that takes interns: mostly one of the registry.
            INTERNSHIP_BASE => {
                let local: Vec<&Employer> = employers.iter().filter(|e| e.district == district).collect();
                match pick(rng, &local) {
                    Some(employer) if attempt < 12 => employer.name.clone(),
                    _ => format!(
                        "上海{}{}有限公司",
                        trade_name(rng),
                        pick_str(rng, &["科技", "实业", "商贸", "信息技术"])
                    ),
                }
            }
            TRAINING_SCHOOL => format!("上海{}职业技能培训学校", trade_name(rng)),
            STARTUP_PARK => format!("{}{}创业园区", short_name(district), trade_name(rng)),
            _ if index == 0 => "上海市公共实训基地".to_string(),
            _ => format!("{}{}公共实训基地", full_name(district), trade_name(rng)),
        };
        if used.insert(name.clone()) {
            return name;
        }
    }
    let name = format!("上海{}服务中心{}", trade_name(rng), used.len() + 1);
    used.insert(name.clone());
    name
}

/// 更新时间 of a registry row: an office moment in the two years before the export.
fn registry_time(rng: &mut StdRng, first_year: i32) -> NaiveDateTime {
    let export_day = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or_default();
    let day = export_day
        .checked_sub_days(Days::new(rng.random_range(1..=730)))
        .unwrap_or(export_day);
    office_time_on(rng, day)
}

/// Writes `facility_registry_<first_year>0101.csv` (UTF-8).
pub(crate) fn write_facilities(out_dir: &Path, first_year: i32, facilities: &[Facility]) -> Result<DemoFile, SeedError> {
    let records: Vec<Vec<String>> = facilities
        .iter()
        .map(|f| {
            let (plans, instructors) = f.plans_and_instructors();
            vec![
                f.code.clone(),
                f.name.clone(),
                f.kind.to_string(),
                f.district.to_string(),
                f.address.clone(),
                format!("{:.6}", f.longitude),
                format!("{:.6}", f.latitude),
                if f.active { "1" } else { "0" }.to_string(),
                iso_timestamp(f.updated_at),
                plans.map(|n| n.to_string()).unwrap_or_default(),
                instructors.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let path = out_dir.join(format!("facility_registry_{first_year}0101.csv"));
    write_csv(&path, &FACILITY_HEADERS, &records, FileEncoding::Utf8)?;
    Ok(DemoFile { path, rows: records.len() })
}
