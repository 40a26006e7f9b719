-- When each knowledge stamp became visible. A transaction stamps its writes when it
-- starts (after taking the load lock) and records here, just before it commits, the
-- instant it did. Loads are serialised by the lock, so stamps follow commit order, and
-- "as the warehouse knew it at T" reads the versions of the stamps committed by T.
CREATE TABLE meta_knowledge (
  stamp        TEXT PRIMARY KEY,
  committed_at TEXT NOT NULL
);
CREATE INDEX meta_knowledge_committed ON meta_knowledge (committed_at);
