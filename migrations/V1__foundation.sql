-- jiuye foundation schema. One file for both databases: the warehouse replaces
-- {{id}} (auto-increment primary key), {{double}} and {{money}} with each dialect's type.
-- Layer prefixes: meta_ (ledger, security), dim_ (reference), ods_ (as received),
-- dwd_ (one row per business key). dws_ tables are created from the semantic model.

CREATE TABLE meta_setting (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE meta_etl_run (
  run_id      {{id}},
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL,
  input       TEXT NOT NULL,
  message     TEXT
);

-- One row per file loaded; rows_read = rows_loaded + rows_unchanged + rows_quarantined,
-- written in the transaction that loads the rows it counts.
CREATE TABLE meta_load_file (
  file_id          {{id}},
  run_id           BIGINT NOT NULL,
  feed             TEXT NOT NULL,
  file_name        TEXT NOT NULL,
  content_hash     TEXT NOT NULL,
  size_bytes       BIGINT NOT NULL,
  encoding         TEXT NOT NULL,
  status           TEXT NOT NULL,
  rows_read        BIGINT NOT NULL,
  rows_loaded      BIGINT NOT NULL,
  rows_unchanged   BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  loaded_at        TEXT NOT NULL,
  message          TEXT
);
CREATE INDEX meta_load_file_run ON meta_load_file (run_id);

-- A rejected row: which rule, which column, the offending value (masked when personal).
CREATE TABLE meta_quarantine (
  quarantine_id {{id}},
  file_id       BIGINT NOT NULL,
  feed          TEXT NOT NULL,
  line_no       BIGINT NOT NULL,
  business_key  TEXT,
  rule          TEXT NOT NULL,
  column_name   TEXT NOT NULL,
  value         TEXT,
  message       TEXT NOT NULL
);
CREATE INDEX meta_quarantine_file ON meta_quarantine (file_id);

-- Dates whose DWS periods must be rebuilt; filled and emptied inside load transactions.
CREATE TABLE meta_dirty_date (
  source   TEXT NOT NULL,
  date_key BIGINT NOT NULL,
  PRIMARY KEY (source, date_key)
);

-- Bearer tokens, stored as SM3 hashes only.
CREATE TABLE meta_token (
  token_hash TEXT PRIMARY KEY,
  role       TEXT NOT NULL,
  district   TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE dim_date (
  date_key          BIGINT PRIMARY KEY,
  full_date         TEXT NOT NULL,
  year_key          BIGINT NOT NULL,
  quarter_key       BIGINT NOT NULL,
  month_key         BIGINT NOT NULL,
  week_key          BIGINT NOT NULL,
  week_start_key    BIGINT NOT NULL,
  month_start_key   BIGINT NOT NULL,
  quarter_start_key BIGINT NOT NULL,
  year_start_key    BIGINT NOT NULL,
  day_of_week       BIGINT NOT NULL,
  is_weekend        BIGINT NOT NULL
);

-- Every code table of seeds/code_tables, one row per member.
CREATE TABLE dim_code (
  code_table TEXT NOT NULL,
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  parent     TEXT,
  successor  TEXT,
  retired_on TEXT,
  PRIMARY KEY (code_table, code)
);

CREATE TABLE ods_employment_registration (
  file_id            BIGINT NOT NULL,
  line_no            BIGINT NOT NULL,
  business_key       TEXT,
  business_type      TEXT,
  handled_on         TEXT,
  id_number_enc      TEXT,
  name_enc           TEXT,
  gender             TEXT,
  birth_date         TEXT,
  hukou_type         TEXT,
  education          TEXT,
  employer_uscc      TEXT,
  employer_name      TEXT,
  employer_type      TEXT,
  industry           TEXT,
  district           TEXT,
  employment_form    TEXT,
  separation_reason  TEXT,
  monthly_wage       TEXT,
  updated_at         TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE ods_employer_registry (
  file_id       BIGINT NOT NULL,
  line_no       BIGINT NOT NULL,
  employer_uscc TEXT,
  employer_name TEXT,
  employer_type TEXT,
  industry      TEXT,
  district      TEXT,
  founded_on    TEXT,
  insured       TEXT,
  longitude     TEXT,
  latitude      TEXT,
  updated_at    TEXT,
  PRIMARY KEY (file_id, line_no)
);

-- 单位用工登记: newest version of each 业务流水号.
CREATE TABLE dwd_employment_registration (
  business_key       TEXT PRIMARY KEY,
  business_type      TEXT NOT NULL,   -- 1 招工, 2 退工
  date_key           BIGINT NOT NULL,
  person_key         TEXT NOT NULL,   -- HMAC-SM3 pseudonym of 公民身份号码
  id_number_masked   TEXT NOT NULL,
  name_masked        TEXT NOT NULL,
  gender             TEXT NOT NULL,
  birth_date         TEXT NOT NULL,
  age                BIGINT NOT NULL,
  age_band           TEXT,
  hukou_type         TEXT NOT NULL,
  education          TEXT NOT NULL,
  employer_uscc      TEXT NOT NULL,
  employer_name      TEXT NOT NULL,
  employer_type      TEXT NOT NULL,
  industry           TEXT NOT NULL,
  industry_section   TEXT NOT NULL,
  district_reported  TEXT NOT NULL,   -- as exported (may be a retired code)
  district           TEXT NOT NULL,   -- today's district
  employment_form    TEXT NOT NULL,
  separation_reason  TEXT,
  monthly_wage       {{money}},
  updated_at         TEXT NOT NULL,   -- YYYY-MM-DD HH:MM:SS, Asia/Shanghai
  file_id            BIGINT NOT NULL,
  line_no            BIGINT NOT NULL
);
CREATE INDEX dwd_employment_registration_date ON dwd_employment_registration (date_key);
CREATE INDEX dwd_employment_registration_person ON dwd_employment_registration (person_key);

CREATE TABLE dwd_employer (
  employer_uscc    TEXT PRIMARY KEY,
  employer_name    TEXT NOT NULL,
  employer_type    TEXT NOT NULL,
  industry         TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  district         TEXT NOT NULL,
  founded_on       TEXT,
  insured          BIGINT,
  longitude        {{double}},
  latitude         {{double}},
  updated_at       TEXT NOT NULL,
  file_id          BIGINT NOT NULL,
  line_no          BIGINT NOT NULL
);
