//! 服务机构与基地 → dwd_facility (map layers: type, district, coordinates, status).

use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct FacilityRegistry;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("facility_name", Text),
    ("facility_type", Text),
    ("district_reported", Text),
    ("district", Text),
    ("address", Text),
    ("longitude", Float),
    ("latitude", Float),
    ("status", Text),
    ("planned_places", Int),
    ("instructors", Int),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for FacilityRegistry {
    fn name(&self) -> &'static str {
        "facility_registry"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_facility"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let district = f.str("district");
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.text("facility_name"),
                f.text("facility_type"),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.text("address"),
                f.number("longitude"),
                f.number("latitude"),
                f.text("status"),
                f.number("planned_places"),
                f.number("instructors"),
            ],
        ))
    }
}
