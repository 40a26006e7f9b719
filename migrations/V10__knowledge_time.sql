-- Knowledge time, for answers "as the warehouse knew it then" (asOf). Every row of a DWD
-- table or a person-state table carries known_at, the UTC instant of the transaction that
-- wrote it, as fixed-width text (2025-10-31T10:00:00.000000Z) that orders like time under
-- any collation. A version replaced or removed moves first to <table>_superseded with
-- superseded_at, the instant it stopped being current. Versions at T: the rows known by
-- T, plus the superseded ones known by T and superseded after it.
-- Rows loaded before this migration count as known from the beginning.
-- A superseded table is created from its table's columns: a later migration adding a
-- column to one adds it to the other.

ALTER TABLE dwd_employment_registration ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_employment_registration_superseded AS SELECT * FROM dwd_employment_registration WHERE 1 = 0;
ALTER TABLE dwd_employment_registration_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_employer ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_employer_superseded AS SELECT * FROM dwd_employer WHERE 1 = 0;
ALTER TABLE dwd_employer_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_flexible_employment ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_flexible_employment_superseded AS SELECT * FROM dwd_flexible_employment WHERE 1 = 0;
ALTER TABLE dwd_flexible_employment_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_unemployment_registration ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_unemployment_registration_superseded AS SELECT * FROM dwd_unemployment_registration WHERE 1 = 0;
ALTER TABLE dwd_unemployment_registration_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_job_posting ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_job_posting_superseded AS SELECT * FROM dwd_job_posting WHERE 1 = 0;
ALTER TABLE dwd_job_posting_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_job_application ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_job_application_superseded AS SELECT * FROM dwd_job_application WHERE 1 = 0;
ALTER TABLE dwd_job_application_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_training_enrollment ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_training_enrollment_superseded AS SELECT * FROM dwd_training_enrollment WHERE 1 = 0;
ALTER TABLE dwd_training_enrollment_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_startup_support ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_startup_support_superseded AS SELECT * FROM dwd_startup_support WHERE 1 = 0;
ALTER TABLE dwd_startup_support_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_ui_benefit_payment ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_ui_benefit_payment_superseded AS SELECT * FROM dwd_ui_benefit_payment WHERE 1 = 0;
ALTER TABLE dwd_ui_benefit_payment_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_ui_fund_monthly ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_ui_fund_monthly_superseded AS SELECT * FROM dwd_ui_fund_monthly WHERE 1 = 0;
ALTER TABLE dwd_ui_fund_monthly_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_policy_subsidy ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_policy_subsidy_superseded AS SELECT * FROM dwd_policy_subsidy WHERE 1 = 0;
ALTER TABLE dwd_policy_subsidy_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_internship ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_internship_superseded AS SELECT * FROM dwd_internship WHERE 1 = 0;
ALTER TABLE dwd_internship_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_facility ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_facility_superseded AS SELECT * FROM dwd_facility WHERE 1 = 0;
ALTER TABLE dwd_facility_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_indicator_target ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_indicator_target_superseded AS SELECT * FROM dwd_indicator_target WHERE 1 = 0;
ALTER TABLE dwd_indicator_target_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dws_status_unemployed ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dws_status_unemployed_superseded AS SELECT * FROM dws_status_unemployed WHERE 1 = 0;
ALTER TABLE dws_status_unemployed_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dws_status_employed ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dws_status_employed_superseded AS SELECT * FROM dws_status_employed WHERE 1 = 0;
ALTER TABLE dws_status_employed_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dws_employment_transition ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dws_employment_transition_superseded AS SELECT * FROM dws_employment_transition WHERE 1 = 0;
ALTER TABLE dws_employment_transition_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_employer_history ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_employer_history_superseded AS SELECT * FROM dwd_employer_history WHERE 1 = 0;
ALTER TABLE dwd_employer_history_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';

ALTER TABLE dwd_facility_history ADD COLUMN known_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00.000000Z';
CREATE TABLE dwd_facility_history_superseded AS SELECT * FROM dwd_facility_history WHERE 1 = 0;
ALTER TABLE dwd_facility_history_superseded ADD COLUMN superseded_at TEXT NOT NULL DEFAULT '';
