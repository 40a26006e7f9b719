//! 职业培训报名与结业 → dwd_training_enrollment. The completion re-send replaces the
//! enrolment row (newer 更新时间); the row then counts under both its 报名日期 and its
//! 结业日期 (sources training_enrollment and training_certification of the model).

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct TrainingEnrollment;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("completed_date_key", Int),
    ("institution_code", Text),
    ("institution_name", Text),
    ("project_code", Text),
    ("course_name", Text),
    ("class_code", Text),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("gender", Text),
    ("age", Int),
    ("age_band", Text),
    ("hukou_type", Text),
    ("education", Text),
    ("district_reported", Text),
    ("district", Text),
    ("training_type", Text),
    ("completion_status", Text),
    ("certified", Text),
    ("certificate_level", Text),
    ("high_skill", Text),
    ("attendance_required", Int),
    ("attendance_actual", Int),
    ("subsidy_amount", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for TrainingEnrollment {
    fn name(&self) -> &'static str {
        "training_enrollment"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_training_enrollment"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let enrolled_on = f.get("handled_on").date().expect("required date");
        let p = person::derive_working_age(ctx.keys, f.str("id_number"), "", enrolled_on)?;
        let district = f.str("district");
        let certified = f.str("certified") == "1";
        let level = f.str("certificate_level");
        // 高技能人才: a certificate of 三级/高级工 or above (levels 1–3).
        let high_skill = certified && matches!(level, "1" | "2" | "3");
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.date_key("handled_on"),
                f.date_key("completed_on"),
                f.text("institution_code"),
                f.text("institution_name"),
                f.text("project_code"),
                f.text("course_name"),
                f.text("class_code"),
                p.person_key.into(),
                p.id_masked.into(),
                f.text("gender"),
                SqlValue::Int(p.age),
                p.age_band.into(),
                f.text("hukou_type"),
                f.text("education"),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.text("training_type"),
                f.text("completion_status"),
                f.text("certified"),
                f.text("certificate_level"),
                (if high_skill { "1" } else { "0" }).into(),
                f.number("attendance_required"),
                f.number("attendance_actual"),
                f.number("subsidy_amount"),
            ],
        ))
    }
}
