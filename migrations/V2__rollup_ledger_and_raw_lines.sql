-- Each rollup table's definition as last built: a changed or new definition is rebuilt
-- from DWD at start-up instead of answering from stale or empty rows.
CREATE TABLE meta_rollup (
  table_name TEXT PRIMARY KEY,
  definition TEXT NOT NULL
);

-- The row every load transaction locks first, so two loaders never interleave their
-- read-compare-write of the same business keys.
INSERT INTO meta_setting (name, value) VALUES ('etl_lock', 'free');

-- A row whose cell count does not match its header cannot be mapped to columns; it is
-- kept whole, encrypted, because it may hold personal data anywhere.
ALTER TABLE ods_employment_registration ADD COLUMN raw_line_enc TEXT;
ALTER TABLE ods_employer_registry ADD COLUMN raw_line_enc TEXT;
