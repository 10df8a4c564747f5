-- Lookout store schema, version 1.
-- Times are TIMESTAMPTZ (UTC, microseconds). Missing AIS values are NULL:
-- sog/cog "not available", heading 511, class unknown.

CREATE SEQUENCE ingest_run_id START 1;

CREATE TABLE ingest_runs (
    id                 BIGINT PRIMARY KEY,
    started            TIMESTAMPTZ NOT NULL,
    finished           TIMESTAMPTZ,
    sources            VARCHAR[] NOT NULL,
    lines              BIGINT NOT NULL DEFAULT 0,
    decoded            BIGINT NOT NULL DEFAULT 0,
    rejected           BIGINT NOT NULL DEFAULT 0,
    rejected_by_reason JSON,
    positions_added    BIGINT NOT NULL DEFAULT 0,
    duplicates_skipped BIGINT NOT NULL DEFAULT 0,
    status             VARCHAR NOT NULL
);

-- One row per MMSI: the latest identity, counts and first/last seen.
CREATE TABLE vessels (
    mmsi        UINTEGER PRIMARY KEY,
    imo         UINTEGER,
    name        VARCHAR,
    callsign    VARCHAR,
    shiptype    UTINYINT,
    length      USMALLINT,
    beam        USMALLINT,
    flag        VARCHAR,
    class       VARCHAR,
    identities  INTEGER NOT NULL DEFAULT 0,
    positions   BIGINT NOT NULL DEFAULT 0,
    first_seen  TIMESTAMPTZ,     -- positions and identity reports
    last_seen   TIMESTAMPTZ,
    first_position TIMESTAMPTZ,  -- positions only
    last_position  TIMESTAMPTZ
);

-- Identity history: one row per (mmsi, identity key).
CREATE TABLE identities (
    mmsi        UINTEGER NOT NULL,
    key         VARCHAR NOT NULL,
    imo         UINTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    callsign    VARCHAR NOT NULL,
    shiptype    UTINYINT NOT NULL,
    length      USMALLINT NOT NULL,
    beam        USMALLINT NOT NULL,
    flag        VARCHAR NOT NULL,
    class       VARCHAR,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    reports     BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    destination VARCHAR NOT NULL,
    PRIMARY KEY (mmsi, key)
);

-- Positions. Natural key (mmsi, time, lat, lon), enforced by the loader
-- rather than an index: an index over 10^8 rows would cost memory and
-- load speed. Rows are appended in batches sorted by (mmsi, time);
-- Compact rewrites the table ordered by (mmsi, time), so that a vessel's
-- track is a few contiguous row groups that zone maps find.
CREATE TABLE positions (
    mmsi       UINTEGER NOT NULL,
    time       TIMESTAMPTZ NOT NULL,
    lat        DOUBLE NOT NULL,
    lon        DOUBLE NOT NULL,
    sog        FLOAT,
    cog        FLOAT,
    heading    USMALLINT,
    status     UTINYINT NOT NULL,
    class      VARCHAR,
    msg_type   UTINYINT NOT NULL,
    source     VARCHAR NOT NULL,
    segment    UINTEGER NOT NULL,
    ingest_run BIGINT
);

-- Presence: which MMSI had positions on which UTC day in which 1° cell
-- (cell = (floor(lat) + 90) * 360 + floor(lon) + 180). A coarse
-- space-time index over positions, kept in the same transaction as the
-- positions: proximity queries find their candidate vessels here.
-- Compact orders it by (day, cell).
CREATE TABLE presence (
    mmsi UINTEGER NOT NULL,
    day  DATE NOT NULL,
    cell INTEGER NOT NULL
);

-- Detector events (filled by the detectors of a later issue).
CREATE SEQUENCE event_id START 1;

CREATE TABLE events (
    id          BIGINT PRIMARY KEY DEFAULT nextval('event_id'),
    kind        VARCHAR NOT NULL,
    mmsi        UINTEGER,
    start_time  TIMESTAMPTZ NOT NULL,
    end_time    TIMESTAMPTZ,
    lat         DOUBLE,
    lon         DOUBLE,
    detector    VARCHAR NOT NULL,
    version     VARCHAR NOT NULL,
    params      JSON,
    explanation JSON
);
