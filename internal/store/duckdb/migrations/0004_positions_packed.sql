-- Lookout store schema, version 4: a position's small fields in one
-- column. Heading, navigational status, class, message type and source
-- cost DuckDB as much per row to load as the other columns together
-- (statistics, compression analysis, validity per column) and a track
-- query as much to read; packed into one 64-bit value they cost one column.
--
-- flags = heading                 bits 0-15 (511: not available)
--       | status          << 16   bits 16-23
--       | class           << 24   bits 24-31 (the class letter's byte, 0: unknown)
--       | msg_type        << 32   bits 32-39
--       | source          << 40   bits 40-63 (sources.id)
--
-- The view positions_view shows them unpacked, with the source's name.

CREATE TABLE positions_v4 (
    mmsi       UINTEGER NOT NULL,
    time       TIMESTAMPTZ NOT NULL,
    lat        DOUBLE NOT NULL,
    lon        DOUBLE NOT NULL,
    sog        FLOAT,             -- NULL: not available
    cog        FLOAT,
    flags      UBIGINT NOT NULL,
    segment    UINTEGER NOT NULL,
    ingest_run BIGINT
);

INSERT INTO positions_v4
SELECT mmsi, time, lat, lon, sog, cog,
       coalesce(heading, 511)::UBIGINT
       | (status::UBIGINT << 16)
       | (coalesce(class, 0)::UBIGINT << 24)
       | (msg_type::UBIGINT << 32)
       | (source::UBIGINT << 40),
       segment, ingest_run
FROM positions
ORDER BY mmsi, time;

DROP TABLE positions;
ALTER TABLE positions_v4 RENAME TO positions;

CREATE VIEW positions_view AS
SELECT p.mmsi, p.time, p.lat, p.lon, p.sog, p.cog,
       nullif(p.flags & 65535, 511)::USMALLINT AS heading,
       ((p.flags >> 16) & 255)::UTINYINT AS status,
       CASE WHEN (p.flags >> 24) & 255 = 0 THEN NULL ELSE chr(((p.flags >> 24) & 255)::INTEGER) END AS class,
       ((p.flags >> 32) & 255)::UTINYINT AS msg_type,
       s.name AS source,
       p.segment, p.ingest_run
FROM positions p JOIN sources s ON s.id = (p.flags >> 40)::UINTEGER;
