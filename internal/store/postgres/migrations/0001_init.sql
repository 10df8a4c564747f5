-- Lookout store schema for PostgreSQL + PostGIS, version 1.
-- It holds the same data as the DuckDB schema (store/duckdb/migrations)
-- at its version 2. Every table lives in the store's schema (Config.Schema,
-- first on the search_path); PostGIS may live in another one.
-- Times are timestamptz (UTC, microseconds). Missing AIS values are NULL:
-- sog/cog "not available", heading 511, class unknown. Unsigned Go
-- integers are stored in the next wider signed type.

CREATE SEQUENCE ingest_run_id;

CREATE TABLE ingest_runs (
    id                 bigint PRIMARY KEY,
    started            timestamptz NOT NULL,
    finished           timestamptz,
    sources            text[] NOT NULL,
    lines              bigint NOT NULL DEFAULT 0,
    decoded            bigint NOT NULL DEFAULT 0,
    rejected           bigint NOT NULL DEFAULT 0,
    rejected_by_reason jsonb,
    positions_added    bigint NOT NULL DEFAULT 0,
    duplicates_skipped bigint NOT NULL DEFAULT 0,
    status             text NOT NULL
);
CREATE INDEX ingest_runs_running ON ingest_runs (id) WHERE status = 'running';

-- One row per MMSI: the latest identity, counts and first/last seen.
-- Maintained by every position and identity write in its transaction, so
-- that listings and Stats never count the positions table.
CREATE TABLE vessels (
    mmsi           bigint PRIMARY KEY,
    imo            bigint,
    name           text,
    callsign       text,
    shiptype       smallint,
    length         integer,
    beam           integer,
    flag           text,
    class          text,
    identities     integer NOT NULL DEFAULT 0,
    positions      bigint NOT NULL DEFAULT 0,
    first_seen     timestamptz,  -- positions and identity reports
    last_seen      timestamptz,
    first_position timestamptz,  -- positions only
    last_position  timestamptz
);

-- Identity history: one row per (mmsi, identity key). Keys compare
-- bytewise (COLLATE "C") as in DuckDB, so tie-breaks agree.
CREATE TABLE identities (
    mmsi        bigint NOT NULL,
    key         text COLLATE "C" NOT NULL,
    imo         bigint NOT NULL,
    name        text NOT NULL,
    callsign    text NOT NULL,
    shiptype    smallint NOT NULL,
    length      integer NOT NULL,
    beam        integer NOT NULL,
    flag        text NOT NULL,
    class       text,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    reports     bigint NOT NULL,
    source      text NOT NULL,
    destination text NOT NULL,
    PRIMARY KEY (mmsi, key)
);
CREATE INDEX identities_imo ON identities (imo);

-- Source names (receivers, feeds, files), stored once: positions keep the
-- 4-byte id instead of repeating the name in every row.
CREATE TABLE sources (
    id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

-- Positions, range-partitioned by time into monthly partitions
-- (positions_pYYYYMM) that the loader creates on demand. The primary key
-- is the natural key: the loader's INSERT ... ON CONFLICT DO NOTHING
-- makes loads idempotent, and the same b-tree serves track queries
-- (mmsi = ? AND time range). BRIN on time prunes blocks within a month
-- for time-window scans (rows arrive roughly in time order); GiST on the
-- generated point serves proximity. The point is generated from lat/lon,
-- which stay as exact doubles for the key and for reading back.
CREATE TABLE positions (
    mmsi       bigint NOT NULL,
    time       timestamptz NOT NULL,
    lat        double precision NOT NULL,
    lon        double precision NOT NULL,
    sog        real,
    cog        real,
    heading    integer,
    status     smallint NOT NULL,
    class      text,
    msg_type   smallint NOT NULL,
    source_id  integer NOT NULL,
    segment    bigint NOT NULL,
    ingest_run bigint,
    geom       geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    PRIMARY KEY (mmsi, time, lat, lon)
) PARTITION BY RANGE (time);
CREATE INDEX positions_time_brin ON positions USING brin (time);
CREATE INDEX positions_geom_gist ON positions USING gist (geom);

-- Detector events, one row per key. The whole event is kept as JSON
-- (body, without its ID; json, not jsonb, keeps it byte for byte); the
-- columns beside it are what queries filter on.
CREATE SEQUENCE event_id;

CREATE TABLE events (
    id         bigint PRIMARY KEY DEFAULT nextval('event_id'),
    key        text NOT NULL UNIQUE,
    kind       text NOT NULL,
    mmsi       bigint,
    other_mmsi bigint,
    start_time timestamptz NOT NULL,
    end_time   timestamptz NOT NULL,
    lat        double precision NOT NULL,
    lon        double precision NOT NULL,
    detector   text NOT NULL,
    withdrawn  boolean NOT NULL,
    body       json NOT NULL
);
CREATE INDEX events_start ON events (start_time);
CREATE INDEX events_mmsi ON events (mmsi);
CREATE INDEX events_other_mmsi ON events (other_mmsi) WHERE other_mmsi IS NOT NULL;
CREATE INDEX events_detector ON events (detector);

-- Every load of a sanctions list, with its content.
CREATE SEQUENCE list_version_id;

CREATE TABLE list_versions (
    id            bigint PRIMARY KEY DEFAULT nextval('list_version_id'),
    source        text NOT NULL,
    format        text NOT NULL,
    published     timestamptz,
    sha256        text NOT NULL,
    files         text[] NOT NULL,
    loaded        timestamptz NOT NULL,
    entities      integer NOT NULL,
    vessels       integer NOT NULL,
    url           text,
    etag          text,
    last_modified text,
    data          bytea NOT NULL,
    UNIQUE (source, sha256)
);
