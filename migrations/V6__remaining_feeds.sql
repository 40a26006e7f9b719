-- The ten feeds after the foundation's four (source-feeds.md): ODS as received (personal
-- fields encrypted), DWD one row per business key. Plus pending rows (applications whose
-- posting has not arrived) and the per-file count of them.

-- 公共招聘岗位 (feed job_posting).
CREATE TABLE ods_job_posting (
  file_id            BIGINT NOT NULL,
  line_no            BIGINT NOT NULL,
  business_key       TEXT,
  published_on       TEXT,
  deadline           TEXT,
  employer_uscc      TEXT,
  employer_name      TEXT,
  industry           TEXT,
  district           TEXT,
  occupation         TEXT,
  title              TEXT,
  headcount          TEXT,
  salary_min         TEXT,
  salary_max         TEXT,
  education_required TEXT,
  description        TEXT,
  longitude          TEXT,
  latitude           TEXT,
  updated_at         TEXT,
  raw_line_enc       TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_job_posting (
  business_key       TEXT PRIMARY KEY,
  date_key           BIGINT NOT NULL,
  deadline_key       BIGINT,
  employer_uscc      TEXT NOT NULL,
  employer_name      TEXT NOT NULL,
  industry           TEXT NOT NULL,
  industry_section   TEXT NOT NULL,
  district_reported  TEXT NOT NULL,
  district           TEXT NOT NULL,
  occupation         TEXT NOT NULL,
  title              TEXT NOT NULL,
  headcount          BIGINT NOT NULL,
  salary_min         {{money}},
  salary_max         {{money}},
  education_required TEXT,
  description        TEXT,
  longitude          {{double}},
  latitude           {{double}},
  updated_at         TEXT NOT NULL,
  file_id            BIGINT NOT NULL,
  line_no            BIGINT NOT NULL
);
CREATE INDEX dwd_job_posting_date_key ON dwd_job_posting (date_key);

-- 求职应聘 (feed job_application).
CREATE TABLE ods_job_application (
  file_id       BIGINT NOT NULL,
  line_no       BIGINT NOT NULL,
  business_key  TEXT,
  posting_id    TEXT,
  id_number_enc TEXT,
  handled_on    TEXT,
  status        TEXT,
  updated_at    TEXT,
  raw_line_enc  TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_job_application (
  business_key     TEXT PRIMARY KEY,
  posting_id       TEXT NOT NULL,
  date_key         BIGINT NOT NULL,
  person_key       TEXT NOT NULL,
  id_number_masked TEXT NOT NULL,
  gender           TEXT NOT NULL,
  age              BIGINT NOT NULL,
  age_band         TEXT,
  status           TEXT NOT NULL,
  employer_uscc    TEXT NOT NULL,
  district         TEXT NOT NULL,
  industry         TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  occupation       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  file_id          BIGINT NOT NULL,
  line_no          BIGINT NOT NULL
);
CREATE INDEX dwd_job_application_date_key ON dwd_job_application (date_key);
CREATE INDEX dwd_job_application_person ON dwd_job_application (person_key);
-- A corrected posting re-stamps its applications' district, industry and occupation.
CREATE INDEX dwd_job_application_posting ON dwd_job_application (posting_id);

-- 职业培训报名与结业 (feed training_enrollment).
CREATE TABLE ods_training_enrollment (
  file_id             BIGINT NOT NULL,
  line_no             BIGINT NOT NULL,
  business_key        TEXT,
  institution_code    TEXT,
  institution_name    TEXT,
  project_code        TEXT,
  course_name         TEXT,
  class_code          TEXT,
  id_number_enc       TEXT,
  gender              TEXT,
  birth_date          TEXT,
  hukou_type          TEXT,
  education           TEXT,
  district            TEXT,
  training_type       TEXT,
  handled_on          TEXT,
  completed_on        TEXT,
  completion_status   TEXT,
  certified           TEXT,
  certificate_level   TEXT,
  attendance_required TEXT,
  attendance_actual   TEXT,
  subsidy_amount      TEXT,
  updated_at          TEXT,
  raw_line_enc        TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_training_enrollment (
  business_key        TEXT PRIMARY KEY,
  date_key            BIGINT NOT NULL,
  completed_date_key  BIGINT,
  institution_code    TEXT NOT NULL,
  institution_name    TEXT NOT NULL,
  project_code        TEXT NOT NULL,
  course_name         TEXT NOT NULL,
  class_code          TEXT NOT NULL,
  person_key          TEXT NOT NULL,
  id_number_masked    TEXT NOT NULL,
  gender              TEXT NOT NULL,
  birth_date          TEXT NOT NULL,
  age                 BIGINT NOT NULL,
  age_band            TEXT,
  hukou_type          TEXT NOT NULL,
  education           TEXT NOT NULL,
  district_reported   TEXT NOT NULL,
  district            TEXT NOT NULL,
  training_type       TEXT NOT NULL,
  completion_status   TEXT,
  certified           TEXT,
  certificate_level   TEXT,
  high_skill          TEXT,
  attendance_required BIGINT,
  attendance_actual   BIGINT,
  subsidy_amount      {{money}},
  updated_at          TEXT NOT NULL,
  file_id             BIGINT NOT NULL,
  line_no             BIGINT NOT NULL
);
CREATE INDEX dwd_training_enrollment_date_key ON dwd_training_enrollment (date_key);
CREATE INDEX dwd_training_enrollment_completed_date_key ON dwd_training_enrollment (completed_date_key);
CREATE INDEX dwd_training_enrollment_person ON dwd_training_enrollment (person_key);

-- 创业帮扶 (feed startup_support).
CREATE TABLE ods_startup_support (
  file_id       BIGINT NOT NULL,
  line_no       BIGINT NOT NULL,
  business_key  TEXT,
  support_type  TEXT,
  handled_on    TEXT,
  subject_type  TEXT,
  id_number_enc TEXT,
  employer_uscc TEXT,
  park_code     TEXT,
  district      TEXT,
  loan_amount   TEXT,
  jobs_driven   TEXT,
  updated_at    TEXT,
  raw_line_enc  TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_startup_support (
  business_key      TEXT PRIMARY KEY,
  date_key          BIGINT NOT NULL,
  support_type      TEXT NOT NULL,
  subject_type      TEXT NOT NULL,
  person_key        TEXT,
  id_number_masked  TEXT,
  employer_uscc     TEXT,
  park_code         TEXT,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  loan_amount       {{money}},
  jobs_driven       BIGINT,
  updated_at        TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL
);
CREATE INDEX dwd_startup_support_date_key ON dwd_startup_support (date_key);
CREATE INDEX dwd_startup_support_person ON dwd_startup_support (person_key);

-- 失业保险金发放 (feed ui_benefit_payment).
CREATE TABLE ods_ui_benefit_payment (
  file_id         BIGINT NOT NULL,
  line_no         BIGINT NOT NULL,
  business_key    TEXT,
  id_number_enc   TEXT,
  gender          TEXT,
  birth_date      TEXT,
  district        TEXT,
  handled_on      TEXT,
  amount          TEXT,
  approved_months TEXT,
  updated_at      TEXT,
  raw_line_enc    TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_ui_benefit_payment (
  business_key      TEXT PRIMARY KEY,
  date_key          BIGINT NOT NULL,
  person_key        TEXT NOT NULL,
  id_number_masked  TEXT NOT NULL,
  gender            TEXT NOT NULL,
  birth_date        TEXT NOT NULL,
  age               BIGINT NOT NULL,
  age_band          TEXT,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  person_month      TEXT NOT NULL,
  amount            {{money}} NOT NULL,
  approved_months   BIGINT NOT NULL,
  updated_at        TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL
);
CREATE INDEX dwd_ui_benefit_payment_date_key ON dwd_ui_benefit_payment (date_key);
CREATE INDEX dwd_ui_benefit_payment_person ON dwd_ui_benefit_payment (person_key);

-- 失业保险基金月度收支 (feed ui_fund_monthly).
CREATE TABLE ods_ui_fund_monthly (
  file_id      BIGINT NOT NULL,
  line_no      BIGINT NOT NULL,
  month        TEXT,
  insured      TEXT,
  contributors TEXT,
  income       TEXT,
  expense      TEXT,
  balance      TEXT,
  updated_at   TEXT,
  raw_line_enc TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_ui_fund_monthly (
  month        TEXT PRIMARY KEY,
  date_key     BIGINT NOT NULL,
  insured      BIGINT NOT NULL,
  contributors BIGINT NOT NULL,
  income       {{money}} NOT NULL,
  expense      {{money}} NOT NULL,
  balance      {{money}} NOT NULL,
  updated_at   TEXT NOT NULL,
  file_id      BIGINT NOT NULL,
  line_no      BIGINT NOT NULL
);
CREATE INDEX dwd_ui_fund_monthly_date_key ON dwd_ui_fund_monthly (date_key);

-- 政策补贴发放 (feed policy_subsidy).
CREATE TABLE ods_policy_subsidy (
  file_id       BIGINT NOT NULL,
  line_no       BIGINT NOT NULL,
  business_key  TEXT,
  policy_code   TEXT,
  policy_name   TEXT,
  subject_type  TEXT,
  id_number_enc TEXT,
  employer_uscc TEXT,
  district      TEXT,
  handled_on    TEXT,
  amount        TEXT,
  updated_at    TEXT,
  raw_line_enc  TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_policy_subsidy (
  business_key      TEXT PRIMARY KEY,
  date_key          BIGINT NOT NULL,
  policy_code       TEXT NOT NULL,
  policy_name       TEXT NOT NULL,
  subject_type      TEXT NOT NULL,
  person_key        TEXT,
  id_number_masked  TEXT,
  employer_uscc     TEXT,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  amount            {{money}} NOT NULL,
  updated_at        TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL
);
CREATE INDEX dwd_policy_subsidy_date_key ON dwd_policy_subsidy (date_key);
CREATE INDEX dwd_policy_subsidy_person ON dwd_policy_subsidy (person_key);

-- 就业见习 (feed internship).
CREATE TABLE ods_internship (
  file_id                    BIGINT NOT NULL,
  line_no                    BIGINT NOT NULL,
  business_key               TEXT,
  base_code                  TEXT,
  id_number_enc              TEXT,
  gender                     TEXT,
  birth_date                 TEXT,
  education                  TEXT,
  district                   TEXT,
  handled_on                 TEXT,
  ended_on                   TEXT,
  retained                   TEXT,
  long_term_unemployed_youth TEXT,
  updated_at                 TEXT,
  raw_line_enc               TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_internship (
  business_key               TEXT PRIMARY KEY,
  date_key                   BIGINT NOT NULL,
  end_date_key               BIGINT,
  base_code                  TEXT NOT NULL,
  person_key                 TEXT NOT NULL,
  id_number_masked           TEXT NOT NULL,
  gender                     TEXT NOT NULL,
  birth_date                 TEXT NOT NULL,
  age                        BIGINT NOT NULL,
  age_band                   TEXT,
  education                  TEXT NOT NULL,
  district_reported          TEXT NOT NULL,
  district                   TEXT NOT NULL,
  retained                   TEXT,
  long_term_unemployed_youth TEXT,
  updated_at                 TEXT NOT NULL,
  file_id                    BIGINT NOT NULL,
  line_no                    BIGINT NOT NULL
);
CREATE INDEX dwd_internship_date_key ON dwd_internship (date_key);
CREATE INDEX dwd_internship_end_date_key ON dwd_internship (end_date_key);
CREATE INDEX dwd_internship_person ON dwd_internship (person_key);

-- 服务机构与基地 (feed facility_registry).
CREATE TABLE ods_facility_registry (
  file_id       BIGINT NOT NULL,
  line_no       BIGINT NOT NULL,
  business_key  TEXT,
  facility_name TEXT,
  facility_type TEXT,
  district      TEXT,
  address       TEXT,
  longitude     TEXT,
  latitude      TEXT,
  status        TEXT,
  updated_at    TEXT,
  raw_line_enc  TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_facility (
  business_key      TEXT PRIMARY KEY,
  facility_name     TEXT NOT NULL,
  facility_type     TEXT NOT NULL,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  address           TEXT,
  longitude         {{double}},
  latitude          {{double}},
  status            TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL
);

-- 年度目标与预警值 (feed indicator_target).
CREATE TABLE ods_indicator_target (
  file_id        BIGINT NOT NULL,
  line_no        BIGINT NOT NULL,
  year           TEXT,
  indicator_code TEXT,
  district       TEXT,
  target         TEXT,
  warning        TEXT,
  raw_line_enc   TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_indicator_target (
  target_key     TEXT PRIMARY KEY,
  year           BIGINT NOT NULL,
  indicator_code TEXT NOT NULL,
  district       TEXT NOT NULL,
  target         {{double}},
  warning        {{double}},
  updated_at     TEXT NOT NULL,
  file_id        BIGINT NOT NULL,
  line_no        BIGINT NOT NULL
);

-- A conformed row that must wait for a row of another feed (an application for a posting
-- not loaded yet): its DWD values, kept until the reference arrives. Newest 更新时间 wins
-- here too. Its file's accounting counts it under rows_pending until it loads.
CREATE TABLE meta_pending_row (
  feed         TEXT NOT NULL,
  business_key TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  ref_key      TEXT NOT NULL,
  file_id      BIGINT NOT NULL,
  line_no      BIGINT NOT NULL,
  row_values   TEXT NOT NULL,
  PRIMARY KEY (feed, business_key)
);
CREATE INDEX meta_pending_row_ref ON meta_pending_row (ref_key);

ALTER TABLE meta_load_file ADD COLUMN rows_pending BIGINT NOT NULL DEFAULT 0;
