-- Registries keep history (SCD2): every version of an employer or facility as received,
-- valid over [valid_from, valid_to) date keys. A version is valid from the day of its
-- 更新时间 until the next version's; the oldest known version from the beginning (0), so an
-- event before the registry's first record still finds the attributes known earliest.
CREATE TABLE dwd_employer_history (
  employer_uscc    TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  valid_from       BIGINT NOT NULL,
  valid_to         BIGINT NOT NULL,
  employer_name    TEXT NOT NULL,
  employer_type    TEXT NOT NULL,
  industry         TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  district         TEXT NOT NULL,
  founded_on       TEXT,
  insured          BIGINT,
  longitude        {{double}},
  latitude         {{double}},
  file_id          BIGINT NOT NULL,
  line_no          BIGINT NOT NULL,
  PRIMARY KEY (employer_uscc, updated_at)
);
CREATE INDEX dwd_employer_history_span ON dwd_employer_history (employer_uscc, valid_from);

CREATE TABLE dwd_facility_history (
  business_key      TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  valid_from        BIGINT NOT NULL,
  valid_to          BIGINT NOT NULL,
  facility_name     TEXT NOT NULL,
  facility_type     TEXT NOT NULL,
  district_reported TEXT NOT NULL,
  district          TEXT NOT NULL,
  address           TEXT,
  longitude         {{double}},
  latitude          {{double}},
  status            TEXT NOT NULL,
  file_id           BIGINT NOT NULL,
  line_no           BIGINT NOT NULL,
  PRIMARY KEY (business_key, updated_at)
);
CREATE INDEX dwd_facility_history_span ON dwd_facility_history (business_key, valid_from);

-- A warehouse loaded before this migration starts its history from the versions it holds.
INSERT INTO dwd_employer_history (employer_uscc, updated_at, valid_from, valid_to, employer_name, employer_type,
  industry, industry_section, district, founded_on, insured, longitude, latitude, file_id, line_no)
  SELECT employer_uscc, updated_at, 0, 99991231, employer_name, employer_type, industry, industry_section, district,
    founded_on, insured, longitude, latitude, file_id, line_no FROM dwd_employer;
INSERT INTO dwd_facility_history (business_key, updated_at, valid_from, valid_to, facility_name, facility_type,
  district_reported, district, address, longitude, latitude, status, file_id, line_no)
  SELECT business_key, updated_at, 0, 99991231, facility_name, facility_type, district_reported, district, address,
    longitude, latitude, status, file_id, line_no FROM dwd_facility;
