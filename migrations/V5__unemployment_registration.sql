-- 失业登记/注销 (feed unemployment_registration).
CREATE TABLE ods_unemployment_registration (
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL,
  business_key      TEXT,
  business_type     TEXT,
  handled_on        TEXT,
  id_number_enc     TEXT,
  name_enc          TEXT,
  gender            TEXT,
  birth_date        TEXT,
  hukou_type        TEXT,
  education         TEXT,
  district          TEXT,
  previous_industry TEXT,
  reason            TEXT,
  updated_at        TEXT,
  raw_line_enc      TEXT,
  PRIMARY KEY (file_id, line_no)
);

CREATE TABLE dwd_unemployment_registration (
  business_key      TEXT PRIMARY KEY,
  business_type     TEXT NOT NULL,   -- 1 登记, 2 注销
  date_key          BIGINT NOT NULL,
  person_key        TEXT NOT NULL,
  id_number_masked  TEXT NOT NULL,
  name_masked       TEXT NOT NULL,
  gender            TEXT NOT NULL,
  birth_date        TEXT NOT NULL,
  age               BIGINT NOT NULL,
  age_band          TEXT,
  hukou_type        TEXT NOT NULL,
  education         TEXT NOT NULL,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  industry          TEXT,
  industry_section  TEXT,
  reason            TEXT NOT NULL,   -- R1..R9 (登记) or C1..C9 (注销): code table unemployment_reason
  updated_at        TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL
);
CREATE INDEX dwd_unemployment_registration_date ON dwd_unemployment_registration (date_key);
CREATE INDEX dwd_unemployment_registration_person ON dwd_unemployment_registration (person_key);
