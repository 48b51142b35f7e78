-- Every change to a version bumps its revision, so that nodes can cache a version and
-- know from one row whether their copy is current.
ALTER TABLE concept_versions ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
