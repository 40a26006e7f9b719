-- Incremental extraction from a source database: per feed and source table, the newest
-- 更新时间 seen in the source's own values (never the loader's clock). The next extraction
-- re-reads from this mark minus an overlap window, so rows committed late with an older
-- 更新时间 are not missed; re-read rows change nothing (an equal 更新时间 is no news).
CREATE TABLE meta_watermark (
  feed        TEXT NOT NULL,
  source      TEXT NOT NULL,
  watermark   TEXT NOT NULL,
  run_id      BIGINT NOT NULL,
  PRIMARY KEY (feed, source)
);
