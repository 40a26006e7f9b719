-- 消息中心: messages to a user or to every holder of a role, and who has read which.
-- Times are UTC text. Written by the ETL commands (runs, quarantine rates) and the
-- server (TARGET statuses, password expiry).
CREATE TABLE meta_message (
  message_id     {{id}},
  created_at     TEXT NOT NULL,
  kind           TEXT NOT NULL,     -- etl.finished, etl.failed, quarantine.rate, target.status, password.expiry
  severity       TEXT NOT NULL,     -- info, warning, critical
  title          TEXT NOT NULL,
  body           TEXT NOT NULL,
  audience_kind  TEXT NOT NULL,     -- user or role
  audience       TEXT NOT NULL,     -- a username or a role name
  dedup_key      TEXT               -- a message with the same key is not posted twice
);
CREATE INDEX meta_message_audience ON meta_message (audience_kind, audience);
CREATE INDEX meta_message_dedup ON meta_message (dedup_key);

CREATE TABLE meta_message_read (
  message_id  BIGINT NOT NULL,
  username    TEXT NOT NULL,
  read_at     TEXT NOT NULL,
  PRIMARY KEY (message_id, username)
);

-- The last TARGET status the server saw per indicator, so a change is told once.
CREATE TABLE meta_target_status (
  indicator   TEXT PRIMARY KEY,
  period      TEXT NOT NULL,
  status      TEXT NOT NULL,
  changed_at  TEXT NOT NULL
);
