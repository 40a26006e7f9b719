-- Personal data that could rebuild a 公民身份号码 leaves every table outside ODS
-- (docs/security.md). The old mask kept the region code and the last four characters,
-- and DWD kept the birth date in clear: together, the whole number. From now on:
--   * a masked ID keeps only its last two characters (****************3X);
--   * DWD keeps the age at the event (and its band), not the birth date;
--   * quarantine keeps a rejected birth date as its year (1990******).
-- Re-masking an old mask gives exactly the new mask of the original number: every
-- character but the last two becomes a star.

-- Birth dates: only ODS keeps them.
ALTER TABLE dwd_employment_registration DROP COLUMN birth_date;
ALTER TABLE dwd_employment_registration_superseded DROP COLUMN birth_date;
ALTER TABLE dwd_flexible_employment DROP COLUMN birth_date;
ALTER TABLE dwd_flexible_employment_superseded DROP COLUMN birth_date;
ALTER TABLE dwd_unemployment_registration DROP COLUMN birth_date;
ALTER TABLE dwd_unemployment_registration_superseded DROP COLUMN birth_date;
ALTER TABLE dwd_training_enrollment DROP COLUMN birth_date;
ALTER TABLE dwd_training_enrollment_superseded DROP COLUMN birth_date;
ALTER TABLE dwd_ui_benefit_payment DROP COLUMN birth_date;
ALTER TABLE dwd_ui_benefit_payment_superseded DROP COLUMN birth_date;
ALTER TABLE dwd_internship DROP COLUMN birth_date;
ALTER TABLE dwd_internship_superseded DROP COLUMN birth_date;

-- Masked IDs: all but the last two characters → stars.
UPDATE dwd_employment_registration SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_employment_registration_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_flexible_employment SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_flexible_employment_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_unemployment_registration SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_unemployment_registration_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_job_application SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_job_application_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_training_enrollment SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_training_enrollment_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_startup_support SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_startup_support_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_ui_benefit_payment SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_ui_benefit_payment_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_policy_subsidy SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_policy_subsidy_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_internship SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;
UPDATE dwd_internship_superseded SET id_number_masked = substr('****************************************', 1, length(id_number_masked) - 2) || substr(id_number_masked, length(id_number_masked) - 1) WHERE length(id_number_masked) >= 10;

-- Quarantine keeps rejected values; personal ones by the same rules.
UPDATE meta_quarantine SET value = substr('****************************************', 1, length(value) - 2) || substr(value, length(value) - 1)
  WHERE column_name = '公民身份号码' AND length(value) >= 10;
UPDATE meta_quarantine SET value = substr(value, 1, 4) || substr('****************************************', 1, length(value) - 4)
  WHERE column_name = '出生日期' AND length(value) > 4;

-- Waiting rows hold their DWD values as a JSON array; the masked ID is the one value
-- of 18 characters whose 7th to 14th are stars ("310101********1234").
UPDATE meta_pending_row
  SET row_values = substr(row_values, 1, {{strpos}}(row_values, '********') - 7) || '****************'
    || substr(row_values, {{strpos}}(row_values, '********') + 10)
  WHERE {{strpos}}(row_values, '********') > 7
    AND substr(row_values, {{strpos}}(row_values, '********') - 7, 1) = '"'
    AND substr(row_values, {{strpos}}(row_values, '********') + 12, 1) = '"';
