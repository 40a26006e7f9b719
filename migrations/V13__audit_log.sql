-- The audit log (安全审计): one row per event, appended and never updated. Each row's
-- `mac` is HMAC-SM3, under a key derived from the warehouse secret, of the previous
-- row's `mac` and this row's fields (`audit/src/chain.rs`), so `jiuye audit verify`
-- finds a changed, inserted or deleted row, and no one without the secret can forge the
-- chain again after editing it. Times are UTC.
CREATE TABLE meta_audit (
  seq        BIGINT PRIMARY KEY,  -- 1, 2, 3, … with no gaps; assigned by the writer
  at         TEXT NOT NULL,       -- 2026-12-03T06:13:32.123456Z
  actor      TEXT NOT NULL,       -- a token's holder, `anonymous`, or `cli:<user>`
  role       TEXT,
  district   TEXT,
  source     TEXT,                -- the client's address, or `cli`
  action     TEXT NOT NULL,       -- login.failed, query.metrics, token.created, audit.purged, …
  outcome    TEXT NOT NULL,       -- ok, denied, or an error code
  detail     TEXT NOT NULL,       -- JSON: arguments, indicators, dimensions, filters
  row_count  BIGINT,              -- rows returned, where the event returned rows
  prev_mac   TEXT NOT NULL,
  mac        TEXT NOT NULL
);
CREATE INDEX meta_audit_at ON meta_audit (at);
CREATE INDEX meta_audit_actor ON meta_audit (actor, at);

-- The chain's last link, one row. Every append takes its write lock first (so
-- appenders queue), and moves it with a MAC of its own (`head_mac`): a log whose last
-- records were removed no longer ends where its head says.
CREATE TABLE meta_audit_head (
  id        BIGINT PRIMARY KEY,
  seq       BIGINT NOT NULL,
  mac       TEXT NOT NULL,
  head_mac  TEXT NOT NULL   -- empty until the first record
);
INSERT INTO meta_audit_head (id, seq, mac, head_mac) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '');
