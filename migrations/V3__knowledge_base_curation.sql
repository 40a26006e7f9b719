-- Curated glossary revisions: who changed which term, when, the text before and after.
-- The newest revision of a term overrides the term shipped in knowledge-base/glossary/.
CREATE TABLE meta_kb_term_revision (
  revision_id {{id}},
  term_code   TEXT NOT NULL,
  changed_by  TEXT NOT NULL,
  changed_at  TEXT NOT NULL,
  previous    TEXT,            -- JSON of the term before, null for a new term
  current     TEXT NOT NULL,   -- JSON of the term after
  note        TEXT
);
CREATE INDEX meta_kb_term_revision_code ON meta_kb_term_revision (term_code);

-- Who a token belongs to, for the curation history.
ALTER TABLE meta_token ADD COLUMN label TEXT;
