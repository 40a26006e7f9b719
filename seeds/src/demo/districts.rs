//! Shanghai's districts as the generator sees them: code, name, share of employers and
//! rough geography (centre and spread in degrees, WGS-84).

use rand::rngs::StdRng;

use super::random::{CumulativeWeights, pick_str, triangular};

/// One current district (GB/T 2260) with the numbers the generator needs.
pub(crate) struct DistrictProfile {
    pub code: &'static str,
    /// Short name used inside employer names, e.g. `浦东`.
    pub short_name: &'static str,
    /// Relative share of employers (and so of registrations).
    pub employer_weight: f64,
    pub center_longitude: f64,
    pub center_latitude: f64,
    pub spread_longitude: f64,
    pub spread_latitude: f64,
}

const fn district(
    code: &'static str,
    short_name: &'static str,
    employer_weight: f64,
    center: (f64, f64),
    spread: (f64, f64),
) -> DistrictProfile {
    DistrictProfile {
        code,
        short_name,
        employer_weight,
        center_longitude: center.0,
        center_latitude: center.1,
        spread_longitude: spread.0,
        spread_latitude: spread.1,
    }
}

/// The 16 current districts, weighted by size of their economy (浦东 largest … 崇明 smallest).
pub(crate) static DISTRICTS: [DistrictProfile; 16] = [
    district("310115", "浦东", 24.0, (121.640, 31.140), (0.15, 0.18)),
    district("310112", "闵行", 11.0, (121.400, 31.090), (0.08, 0.06)),
    district("310114", "嘉定", 8.5, (121.250, 31.360), (0.09, 0.08)),
    district("310117", "松江", 8.0, (121.230, 31.030), (0.10, 0.07)),
    district("310113", "宝山", 7.5, (121.430, 31.370), (0.08, 0.07)),
    district("310104", "徐汇", 6.5, (121.437, 31.170), (0.03, 0.04)),
    district("310106", "静安", 6.0, (121.455, 31.250), (0.02, 0.04)),
    district("310110", "杨浦", 5.0, (121.525, 31.275), (0.03, 0.03)),
    district("310107", "普陀", 4.5, (121.400, 31.255), (0.04, 0.03)),
    district("310118", "青浦", 4.2, (121.100, 31.130), (0.13, 0.09)),
    district("310105", "长宁", 4.0, (121.400, 31.215), (0.04, 0.015)),
    district("310120", "奉贤", 3.8, (121.500, 30.900), (0.12, 0.06)),
    district("310101", "黄浦", 3.5, (121.490, 31.225), (0.02, 0.02)),
    district("310109", "虹口", 3.0, (121.490, 31.270), (0.015, 0.03)),
    district("310116", "金山", 2.0, (121.300, 30.800), (0.12, 0.07)),
    district("310151", "崇明", 1.2, (121.560, 31.620), (0.25, 0.07)),
];

/// Retired codes (GB/T 2260) and the district that absorbed them, with the year it happened.
pub(crate) static RETIRED_DISTRICTS: [(&str, &str, i32); 4] = [
    ("310119", "310115", 2009), // 南汇区 → 浦东新区
    ("310103", "310101", 2011), // 卢湾区 → 黄浦区
    ("310108", "310106", 2015), // 闸北区 → 静安区
    ("310230", "310151", 2016), // 崇明县 → 崇明区
];

/// Codes that look like Shanghai districts but exist in no table (defect `unknown_district`).
pub(crate) static UNKNOWN_DISTRICT_CODES: [&str; 3] = ["310199", "310121", "310188"];

/// Municipal-level registration authority code (used inside some USCCs).
pub(crate) const CITY_CODE: &str = "310000";

/// Bounding box of Shanghai used to clamp generated coordinates
/// (崇明 lies north of 31.5° N, so the box reaches 31.87° N).
const LONGITUDE_RANGE: (f64, f64) = (120.86, 121.98);
const LATITUDE_RANGE: (f64, f64) = (30.68, 31.87);

/// Index of the district with this code in [`DISTRICTS`].
pub(crate) fn district_index(code: &str) -> Option<usize> {
    DISTRICTS.iter().position(|district| district.code == code)
}

/// Weights for picking a district in proportion to its employer share.
pub(crate) fn district_weights() -> CumulativeWeights {
    CumulativeWeights::new(DISTRICTS.iter().map(|district| district.employer_weight))
}

/// A district code picked by employer share (浦东 most often).
pub(crate) fn pick_district(rng: &mut StdRng, weights: &CumulativeWeights) -> &'static str {
    weights
        .pick(rng)
        .and_then(|index| DISTRICTS.get(index))
        .map(|district| district.code)
        .unwrap_or("310115")
}

/// A current district other than `avoid`, picked by employer share.
pub(crate) fn pick_other_district(rng: &mut StdRng, weights: &CumulativeWeights, avoid: &str) -> &'static str {
    for _ in 0..32 {
        let code = pick_district(rng, weights);
        if code != avoid {
            return code;
        }
    }
    if avoid == "310115" { "310112" } else { "310115" }
}

/// The retired code that a current district absorbed, if any (`310115` → `310119`).
pub(crate) fn retired_code_of(current: &str) -> Option<(&'static str, i32)> {
    RETIRED_DISTRICTS
        .iter()
        .find(|(_, successor, _)| *successor == current)
        .map(|(retired, _, year)| (*retired, *year))
}

/// A point inside the district (triangular scatter around its centre, clamped to Shanghai).
pub(crate) fn point_in_district(rng: &mut StdRng, code: &str) -> (f64, f64) {
    let profile = district_index(code).and_then(|index| DISTRICTS.get(index)).unwrap_or(&DISTRICTS[0]);
    let longitude = profile.center_longitude + triangular(rng) * profile.spread_longitude;
    let latitude = profile.center_latitude + triangular(rng) * profile.spread_latitude;
    (
        longitude.clamp(LONGITUDE_RANGE.0, LONGITUDE_RANGE.1),
        latitude.clamp(LATITUDE_RANGE.0, LATITUDE_RANGE.1),
    )
}

/// The short name of a current district (`浦东`), or `上海` for anything else.
pub(crate) fn short_name(code: &str) -> &'static str {
    district_index(code)
        .and_then(|index| DISTRICTS.get(index))
        .map(|district| district.short_name)
        .unwrap_or("上海")
}

/// An unknown district code for the `unknown_district` defect.
pub(crate) fn unknown_district_code(rng: &mut StdRng) -> &'static str {
    pick_str(rng, &UNKNOWN_DISTRICT_CODES)
}

/// The full name of a current district (`浦东新区`, `闵行区`), or `上海市` for anything else.
pub(crate) fn full_name(code: &str) -> String {
    match short_name(code) {
        "浦东" => "浦东新区".to_string(),
        "上海" => "上海市".to_string(),
        short => format!("{short}区"),
    }
}
