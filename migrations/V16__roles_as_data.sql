-- Roles and permissions as data (三员分立). The built-in roles live in identity/roles.yaml;
-- business roles the security administrator adds or edits are stored here and take
-- precedence. Lists are space-separated codes; indicators/boards null for all.
CREATE TABLE meta_role (
  name         TEXT PRIMARY KEY,
  title        TEXT NOT NULL,
  duty         TEXT NOT NULL,    -- business (administrators' roles are fixed in roles.yaml)
  scope        TEXT,             -- city or district
  detail_view  TEXT,             -- deidentified, masked_identity
  permissions  TEXT NOT NULL,
  indicators   TEXT,
  boards       TEXT,
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL
);

-- The old fixed roles become the built-in ones: admin (a business superuser: detail rows
-- with masked identity, SQL, glossary edits) is the data engineer; analyst the city
-- analyst; district the district analyst; auditor the audit administrator.
UPDATE meta_user SET role = 'data_engineer' WHERE role = 'admin';
UPDATE meta_user SET role = 'city_analyst' WHERE role = 'analyst';
UPDATE meta_user SET role = 'district_analyst' WHERE role = 'district';
UPDATE meta_user SET role = 'audit_admin' WHERE role = 'auditor';
UPDATE meta_token SET role = 'data_engineer' WHERE role = 'admin';
UPDATE meta_token SET role = 'city_analyst' WHERE role = 'analyst';
UPDATE meta_token SET role = 'district_analyst' WHERE role = 'district';
UPDATE meta_token SET role = 'audit_admin' WHERE role = 'auditor';

-- A second factor being enrolled from 个人中心 (SM4-GCM), until a code confirms it.
ALTER TABLE meta_user ADD COLUMN totp_pending_enc TEXT;
-- The user a machine token was made for (个人中心 lists and revokes one's own).
ALTER TABLE meta_token ADD COLUMN owner TEXT;
