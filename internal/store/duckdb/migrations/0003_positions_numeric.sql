-- Lookout store schema, version 3: positions without strings. The source
-- of a position becomes a number from the new sources table and its class
-- the class letter's byte, so that loading a position costs DuckDB no
-- string work (hashing, statistics, dictionary analysis: more than all the
-- numeric columns together) for values that repeat for millions of rows.

CREATE TABLE sources (
    id   UINTEGER PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE
);

INSERT INTO sources
SELECT row_number() OVER (ORDER BY source)::UINTEGER, source
FROM (SELECT DISTINCT source FROM positions);

CREATE TABLE positions_v3 (
    mmsi       UINTEGER NOT NULL,
    time       TIMESTAMPTZ NOT NULL,
    lat        DOUBLE NOT NULL,
    lon        DOUBLE NOT NULL,
    sog        FLOAT,
    cog        FLOAT,
    heading    USMALLINT,
    status     UTINYINT NOT NULL,
    class      UTINYINT,          -- the class letter's byte ('A' = 65), NULL when unknown
    msg_type   UTINYINT NOT NULL,
    source     UINTEGER NOT NULL, -- sources.id
    segment    UINTEGER NOT NULL,
    ingest_run BIGINT
);

INSERT INTO positions_v3
SELECT p.mmsi, p.time, p.lat, p.lon, p.sog, p.cog, p.heading, p.status,
       CASE WHEN p.class IS NULL OR p.class = '' THEN NULL ELSE ascii(p.class)::UTINYINT END,
       p.msg_type, s.id, p.segment, p.ingest_run
FROM positions p JOIN sources s ON s.name = p.source
ORDER BY p.mmsi, p.time;

DROP TABLE positions;
ALTER TABLE positions_v3 RENAME TO positions;
