-- Lookout store schema, version 2: detector events and sanctions list
-- versions. Version 1's events table was a placeholder no release wrote to.

DROP TABLE events;

-- One row per event key. The whole event is kept as JSON (body); the
-- columns beside it are what queries filter on.
CREATE TABLE events (
    id         BIGINT PRIMARY KEY,
    key        VARCHAR NOT NULL UNIQUE,
    kind       VARCHAR NOT NULL,
    mmsi       UINTEGER,
    other_mmsi UINTEGER,
    start_time TIMESTAMPTZ NOT NULL,
    end_time   TIMESTAMPTZ NOT NULL,
    lat        DOUBLE NOT NULL,
    lon        DOUBLE NOT NULL,
    detector   VARCHAR NOT NULL,
    withdrawn  BOOLEAN NOT NULL,
    body       JSON NOT NULL
);

-- Every load of a sanctions list, with its content (zstd-compressed JSON
-- of the normalised entities) so screening and diffs can use any version.
CREATE SEQUENCE list_version_id START 1;

CREATE TABLE list_versions (
    id        BIGINT PRIMARY KEY,
    source    VARCHAR NOT NULL,
    format    VARCHAR NOT NULL,
    published TIMESTAMPTZ,
    sha256    VARCHAR NOT NULL,
    files     VARCHAR[] NOT NULL,
    loaded    TIMESTAMPTZ NOT NULL,
    entities  INTEGER NOT NULL,
    vessels   INTEGER NOT NULL,
    url       VARCHAR,          -- where `sanctions update` fetched it
    etag      VARCHAR,          -- the response's validators, for conditional requests
    last_modified VARCHAR,
    data      BLOB NOT NULL,
    UNIQUE (source, sha256)
);
