-- People who log in (身份鉴别): argon2id password hashes, lockout state, an SM4-GCM
-- encrypted TOTP secret; their sessions (only SM3 hashes of session tokens); the
-- hashes of their recent passwords, which may not be reused. Times are UTC text.
CREATE TABLE meta_user (
  username             TEXT PRIMARY KEY,
  display_name         TEXT,
  role                 TEXT NOT NULL,      -- admin, analyst, district, auditor
  district             TEXT,
  password_hash        TEXT NOT NULL,      -- argon2id, PHC string
  password_changed_at  TEXT NOT NULL,
  failed_logins        BIGINT NOT NULL,
  locked_until         TEXT,
  totp_secret_enc      TEXT,               -- SM4-GCM; null until enrolled
  totp_last_step       BIGINT,             -- the last 30-second step whose code was used (no replay)
  disabled             BIGINT NOT NULL,
  created_at           TEXT NOT NULL
);

CREATE TABLE meta_password_history (
  username       TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  changed_at     TEXT NOT NULL
);
CREATE INDEX meta_password_history_user ON meta_password_history (username);

CREATE TABLE meta_session (
  session_hash  TEXT PRIMARY KEY,  -- SM3 of the session token
  username      TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,     -- the absolute limit
  revoked_at    TEXT,
  source        TEXT
);
CREATE INDEX meta_session_user ON meta_session (username);
