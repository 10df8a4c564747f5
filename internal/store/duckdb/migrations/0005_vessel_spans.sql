-- Lookout store schema, version 5: vessel summaries without updates.
--
-- Up to version 4 every position batch updated each of its vessels' row
-- in vessels (count, first and last position and sighting), and every
-- identity batch their latest identity: DuckDB updates cost some
-- microseconds a row, tens of milliseconds per batch of a few thousand
-- vessels, and more with every vessel. Now a batch appends one row per
-- vessel to position_spans, vessels only lists the MMSIs, and the
-- summaries are computed when read (vessels_view) from position_spans
-- and identities; Compact folds position_spans to one row per vessel.

CREATE TABLE position_spans (
    mmsi           UINTEGER NOT NULL,
    positions      BIGINT NOT NULL,
    first_position TIMESTAMPTZ NOT NULL,
    last_position  TIMESTAMPTZ NOT NULL
);

INSERT INTO position_spans
SELECT mmsi, positions, first_position, last_position FROM vessels WHERE positions > 0
ORDER BY mmsi;

CREATE TABLE vessels_v5 (
    mmsi UINTEGER PRIMARY KEY
);

INSERT INTO vessels_v5 SELECT mmsi FROM vessels ORDER BY mmsi;

DROP TABLE vessels;
ALTER TABLE vessels_v5 RENAME TO vessels;

-- One row per MMSI: identity records and positions stored, first and last
-- seen over both.
CREATE VIEW vessels_view AS
SELECT v.mmsi,
       coalesce(i.n, 0)::INTEGER AS identities,
       coalesce(p.n, 0)::BIGINT AS positions,
       least(i.first_seen, p.first_position) AS first_seen,
       greatest(i.last_seen, p.last_position) AS last_seen,
       p.first_position, p.last_position
FROM vessels v
LEFT JOIN (SELECT mmsi, count(*) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen
           FROM identities GROUP BY mmsi) i ON i.mmsi = v.mmsi
LEFT JOIN (SELECT mmsi, sum(positions) AS n, min(first_position) AS first_position, max(last_position) AS last_position
           FROM position_spans GROUP BY mmsi) p ON p.mmsi = v.mmsi;
