//! The rows of the `employment_registration` feed, as text cells ready to be written.

use chrono::{NaiveDate, NaiveDateTime};

use super::employers::Employer;

/// 业务类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EventKind {
    /// 招工: a job starts.
    Hire,
    /// 退工: a job ends.
    Separation,
}

impl EventKind {
    /// The value of the 业务类型 column.
    pub(crate) fn label(self) -> &'static str {
        match self {
            EventKind::Hire => "招工",
            EventKind::Separation => "退工",
        }
    }

    /// The prefix of the 业务流水号.
    pub(crate) fn serial_prefix(self) -> &'static str {
        match self {
            EventKind::Hire => "ZG",
            EventKind::Separation => "TG",
        }
    }
}

/// A column of the employment_registration export (the contract's order), plus 备注.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistrationColumn {
    Serial,
    Kind,
    BusinessDate,
    IdNumber,
    Name,
    Gender,
    BirthDate,
    Hukou,
    Education,
    EmployerUscc,
    EmployerName,
    EmployerType,
    Industry,
    District,
    EmploymentForm,
    SeparationReason,
    MonthlyWage,
    UpdatedAt,
    /// 备注: an extra column some exports carry; the platform ignores it.
    Remark,
}

/// The contract's columns in the contract's order (without 备注).
pub(crate) const CONTRACT_COLUMNS: [RegistrationColumn; 18] = [
    RegistrationColumn::Serial,
    RegistrationColumn::Kind,
    RegistrationColumn::BusinessDate,
    RegistrationColumn::IdNumber,
    RegistrationColumn::Name,
    RegistrationColumn::Gender,
    RegistrationColumn::BirthDate,
    RegistrationColumn::Hukou,
    RegistrationColumn::Education,
    RegistrationColumn::EmployerUscc,
    RegistrationColumn::EmployerName,
    RegistrationColumn::EmployerType,
    RegistrationColumn::Industry,
    RegistrationColumn::District,
    RegistrationColumn::EmploymentForm,
    RegistrationColumn::SeparationReason,
    RegistrationColumn::MonthlyWage,
    RegistrationColumn::UpdatedAt,
];

impl RegistrationColumn {
    /// The Chinese header of the column.
    pub(crate) fn header(self) -> &'static str {
        match self {
            RegistrationColumn::Serial => "业务流水号",
            RegistrationColumn::Kind => "业务类型",
            RegistrationColumn::BusinessDate => "办理日期",
            RegistrationColumn::IdNumber => "公民身份号码",
            RegistrationColumn::Name => "姓名",
            RegistrationColumn::Gender => "性别",
            RegistrationColumn::BirthDate => "出生日期",
            RegistrationColumn::Hukou => "户籍类型",
            RegistrationColumn::Education => "文化程度",
            RegistrationColumn::EmployerUscc => "单位统一社会信用代码",
            RegistrationColumn::EmployerName => "单位名称",
            RegistrationColumn::EmployerType => "单位性质",
            RegistrationColumn::Industry => "行业代码",
            RegistrationColumn::District => "区县代码",
            RegistrationColumn::EmploymentForm => "用工形式",
            RegistrationColumn::SeparationReason => "退工原因",
            RegistrationColumn::MonthlyWage => "月工资",
            RegistrationColumn::UpdatedAt => "更新时间",
            RegistrationColumn::Remark => "备注",
        }
    }
}

/// One 招工 or 退工 row, every cell already in its exported text form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RegistrationRow {
    pub serial: String,
    pub kind: EventKind,
    pub business_date: String,
    pub id_number: String,
    pub name: String,
    pub gender: &'static str,
    /// Empty when the export leaves 出生日期 out.
    pub birth_date: String,
    pub hukou: &'static str,
    pub education: &'static str,
    pub employer_uscc: String,
    pub employer_name: String,
    pub employer_type: &'static str,
    pub industry: &'static str,
    pub district: String,
    pub employment_form: &'static str,
    /// Empty on 招工.
    pub separation_reason: &'static str,
    /// Empty when not reported.
    pub monthly_wage: String,
    /// The moment behind `updated_at_text` (for corrections).
    pub updated_at: NaiveDateTime,
    pub updated_at_text: String,
    /// The real business date behind `business_date` (for corrections).
    pub business_day: NaiveDate,
}

impl RegistrationRow {
    /// The text of one cell (`备注` is not part of the row and reads as empty).
    pub(crate) fn cell(&self, column: RegistrationColumn) -> &str {
        match column {
            RegistrationColumn::Serial => &self.serial,
            RegistrationColumn::Kind => self.kind.label(),
            RegistrationColumn::BusinessDate => &self.business_date,
            RegistrationColumn::IdNumber => &self.id_number,
            RegistrationColumn::Name => &self.name,
            RegistrationColumn::Gender => self.gender,
            RegistrationColumn::BirthDate => &self.birth_date,
            RegistrationColumn::Hukou => self.hukou,
            RegistrationColumn::Education => self.education,
            RegistrationColumn::EmployerUscc => &self.employer_uscc,
            RegistrationColumn::EmployerName => &self.employer_name,
            RegistrationColumn::EmployerType => self.employer_type,
            RegistrationColumn::Industry => self.industry,
            RegistrationColumn::District => &self.district,
            RegistrationColumn::EmploymentForm => self.employment_form,
            RegistrationColumn::SeparationReason => self.separation_reason,
            RegistrationColumn::MonthlyWage => &self.monthly_wage,
            RegistrationColumn::UpdatedAt => &self.updated_at_text,
            RegistrationColumn::Remark => "",
        }
    }

    /// Puts another employer on the row (USCC, name, 单位性质, 行业代码).
    pub(crate) fn set_employer(&mut self, employer: &Employer) {
        self.employer_uscc = employer.uscc.clone();
        self.employer_name = employer.name.clone();
        self.employer_type = employer.employer_type;
        self.industry = employer.industry;
    }
}

/// The headers of the employer_registry export, in the contract's order.
pub(crate) const EMPLOYER_REGISTRY_HEADERS: [&str; 10] = [
    "统一社会信用代码",
    "单位名称",
    "单位性质",
    "行业代码",
    "区县代码",
    "成立日期",
    "参保人数",
    "经度",
    "纬度",
    "更新时间",
];
