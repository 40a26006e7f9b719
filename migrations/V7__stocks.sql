-- Stocks answerable for any day without replaying history (indicators.md): the ETL keeps
-- each person's state as validity intervals [valid_from, valid_to) of date keys (an open
-- state ends 99991231), rebuilt for the persons a load touched. Each interval carries the
-- attributes of the record that holds the state (the latest 登记 / 招工).

-- 失业登记状态: open from a 登记 until the person's next record.
CREATE TABLE dws_status_unemployed (
  person_key       TEXT NOT NULL,
  valid_from       BIGINT NOT NULL,
  valid_to         BIGINT NOT NULL,
  record_key       TEXT NOT NULL,
  district         TEXT NOT NULL,
  hukou_type       TEXT NOT NULL,
  education        TEXT NOT NULL,
  gender           TEXT NOT NULL,
  age_band         TEXT,
  industry         TEXT,
  industry_section TEXT,
  PRIMARY KEY (person_key, valid_from)
);
CREATE INDEX dws_status_unemployed_span ON dws_status_unemployed (valid_to, valid_from);

-- 就业状态: employed while the latest employment_registration record is a 招工, or else
-- the latest flexible_employment record is a 登记.
CREATE TABLE dws_status_employed (
  person_key       TEXT NOT NULL,
  valid_from       BIGINT NOT NULL,
  valid_to         BIGINT NOT NULL,
  record_feed      TEXT NOT NULL,
  record_key       TEXT NOT NULL,
  district         TEXT NOT NULL,
  hukou_type       TEXT NOT NULL,
  education        TEXT NOT NULL,
  gender           TEXT NOT NULL,
  age_band         TEXT,
  industry         TEXT,
  industry_section TEXT,
  PRIMARY KEY (person_key, valid_from)
);
CREATE INDEX dws_status_employed_span ON dws_status_employed (valid_to, valid_from);

-- Entries into employment (a 招工 or flexible 登记 on a day the person was not employed at
-- the end of the day before) and 自然减员 (退工原因 5 退休): the two sides of new_jobs.
CREATE TABLE dws_employment_transition (
  person_key       TEXT NOT NULL,
  date_key         BIGINT NOT NULL,
  kind             TEXT NOT NULL,   -- entry | retirement
  record_feed      TEXT NOT NULL,
  record_key       TEXT NOT NULL,
  district         TEXT NOT NULL,
  hukou_type       TEXT NOT NULL,
  education        TEXT NOT NULL,
  gender           TEXT NOT NULL,
  age_band         TEXT,
  industry         TEXT,
  industry_section TEXT,
  PRIMARY KEY (person_key, date_key, kind, record_feed, record_key)
);
CREATE INDEX dws_employment_transition_date ON dws_employment_transition (date_key);

-- Persons whose records a load changed and whose states await a rebuild.
CREATE TABLE meta_dirty_person (
  status     TEXT NOT NULL,
  person_key TEXT NOT NULL,
  PRIMARY KEY (status, person_key)
);

-- The unemployment-insurance fund's month rows hold over [month start, next month start).
ALTER TABLE dwd_ui_fund_monthly ADD COLUMN next_month_key BIGINT;

-- A warehouse loaded before this migration builds its states at the next run.
INSERT INTO meta_dirty_person (status, person_key)
  SELECT DISTINCT 'employment', person_key FROM dwd_employment_registration;
INSERT INTO meta_dirty_person (status, person_key)
  SELECT DISTINCT 'employment', person_key FROM dwd_flexible_employment
  WHERE person_key NOT IN (SELECT person_key FROM meta_dirty_person WHERE status = 'employment');
INSERT INTO meta_dirty_person (status, person_key)
  SELECT DISTINCT 'unemployment', person_key FROM dwd_unemployment_registration;
