-- +goose Up
-- Core entities. Dates are PartialDate canonical text with *_sort/*_end
-- keys (earliest/latest day, YYYY-MM-DD) for ordering and filtering.
-- Timestamps are fixed-width UTC text. uid is a random row key bound into
-- the ciphertext of confidential columns.
CREATE TABLE terms (
    scheme      TEXT NOT NULL,
    code        TEXT NOT NULL,
    label_en    TEXT NOT NULL DEFAULT '',
    label_ko    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scheme, code)
);

CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    key          TEXT NOT NULL UNIQUE CHECK (key <> ''),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    author       TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    date         TEXT,
    date_sort    TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    citation     TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    reliability  TEXT NOT NULL DEFAULT '' CHECK (reliability IN ('', 'A', 'B', 'C', 'D', 'E', 'F')),
    credibility  INTEGER NOT NULL DEFAULT 0 CHECK (credibility BETWEEN 0 AND 6),
    sensitivity  TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential')),
    informant    BLOB,
    notes        TEXT NOT NULL DEFAULT '',
    fictional    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sources_kind ON sources (kind);

CREATE TABLE facilities (
    id                 INTEGER PRIMARY KEY,
    uid                TEXT NOT NULL UNIQUE,
    version            INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    key                TEXT NOT NULL UNIQUE CHECK (key <> ''),
    number             TEXT NOT NULL DEFAULT '',
    name_en            TEXT NOT NULL,
    name_ko            TEXT NOT NULL DEFAULT '',
    aliases            TEXT NOT NULL DEFAULT '[]',
    type               TEXT NOT NULL,
    agency             TEXT NOT NULL DEFAULT '',
    province           TEXT NOT NULL DEFAULT '',
    county             TEXT NOT NULL DEFAULT '',
    lat                REAL CHECK (lat BETWEEN -90 AND 90),
    lon                REAL CHECK (lon BETWEEN -180 AND 180),
    location_precision TEXT NOT NULL DEFAULT '',
    opened             TEXT,
    closed             TEXT,
    status             TEXT NOT NULL DEFAULT '',
    population_est     INTEGER,
    population_year    TEXT NOT NULL DEFAULT '',
    source             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX facilities_type ON facilities (type);

CREATE TABLE persons (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_alt        TEXT NOT NULL DEFAULT '',
    name_keys       TEXT NOT NULL DEFAULT '',
    sex             TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'f', 'm')),
    birth_date      TEXT,
    birth_sort      TEXT NOT NULL DEFAULT '',
    province        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT '',
    sensitivity     TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential')),
    consent_publish INTEGER NOT NULL DEFAULT 0,
    fictional       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE records (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL, -- random 128 bits: no index, so bulk inserts stay sequential
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    source_id      INTEGER NOT NULL REFERENCES sources (id),
    key            TEXT NOT NULL CHECK (key <> ''),
    name           TEXT NOT NULL,
    name_alt       TEXT NOT NULL DEFAULT '',
    name_keys      TEXT NOT NULL DEFAULT '',
    sex            TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'f', 'm')),
    birth_date     TEXT,
    birth_place    TEXT NOT NULL DEFAULT '',
    province       TEXT NOT NULL DEFAULT '',
    charge         TEXT NOT NULL DEFAULT '',
    charge_cat     TEXT NOT NULL DEFAULT '',
    facility_text  TEXT NOT NULL DEFAULT '',
    facility_id    INTEGER REFERENCES facilities (id),
    arrest_date    TEXT,
    sentence_years REAL CHECK (sentence_years >= 0),
    detained_from  TEXT,
    detained_sort  TEXT NOT NULL DEFAULT '',
    released_on    TEXT,
    fate           TEXT NOT NULL DEFAULT '',
    testimony      BLOB,
    sensitivity    TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential')),
    person_id      INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    fictional      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_id, key)
);
CREATE INDEX records_person ON records (person_id);
CREATE INDEX records_facility ON records (facility_id);

CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    key            TEXT UNIQUE,
    type           TEXT NOT NULL,
    date           TEXT,
    date_sort      TEXT NOT NULL DEFAULT '',
    end_date       TEXT,
    facility_id    INTEGER REFERENCES facilities (id),
    place          TEXT NOT NULL DEFAULT '',
    charge_cat     TEXT NOT NULL DEFAULT '',
    sentence_years REAL CHECK (sentence_years >= 0),
    perpetrator    TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    sensitivity    TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential')),
    fictional      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_facility ON events (facility_id);

CREATE TABLE event_victims (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    pos       INTEGER NOT NULL,
    person_id INTEGER REFERENCES persons (id),
    record_id INTEGER REFERENCES records (id),
    role      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, pos)
);
CREATE INDEX event_victims_person ON event_victims (person_id);
CREATE INDEX event_victims_record ON event_victims (record_id);

CREATE TABLE event_sources (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    PRIMARY KEY (event_id, source_id)
);
CREATE INDEX event_sources_source ON event_sources (source_id);

CREATE TABLE published_estimates (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    subject    TEXT NOT NULL,
    period     TEXT NOT NULL DEFAULT '',
    low        REAL,
    high       REAL,
    point      REAL,
    unit       TEXT NOT NULL DEFAULT '',
    method     TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    CHECK (low IS NULL OR high IS NULL OR low <= high)
);

CREATE TABLE amnesty_decrees (
    id                  INTEGER PRIMARY KEY,
    uid                 TEXT NOT NULL UNIQUE,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    key                 TEXT NOT NULL UNIQUE CHECK (key <> ''),
    country             TEXT NOT NULL,
    number              TEXT NOT NULL DEFAULT '',
    title               TEXT NOT NULL,
    decreed             TEXT,
    announced           TEXT,
    effective           TEXT,
    effective_sort      TEXT NOT NULL DEFAULT '',
    issuing_body        TEXT NOT NULL DEFAULT '',
    occasion            TEXT NOT NULL DEFAULT '',
    wording_original    TEXT NOT NULL DEFAULT '',
    wording_translation TEXT NOT NULL DEFAULT '',
    announced_number    TEXT NOT NULL DEFAULT '',
    rule                TEXT NOT NULL DEFAULT '',
    notes               TEXT NOT NULL DEFAULT '',
    sources             TEXT NOT NULL DEFAULT ''
);

CREATE TABLE amnesty_outcomes (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES persons (id),
    decree_id  INTEGER NOT NULL REFERENCES amnesty_decrees (id),
    status     TEXT NOT NULL CHECK (status IN ('release_verified', 'release_reported', 'not_released', 'died_before', 're_arrested', 'unknown')),
    date       TEXT,
    source_id  INTEGER REFERENCES sources (id),
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX amnesty_outcomes_decree_person ON amnesty_outcomes (decree_id, person_id);

CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    date        TEXT,
    date_sort   TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    observation TEXT NOT NULL,
    reported_by TEXT NOT NULL DEFAULT '',
    source_id   INTEGER REFERENCES sources (id),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential'))
);
CREATE INDEX followups_person ON followups (person_id);

-- The audit log is append-only and hash-chained (internal/audit). seq is
-- assigned by the writer as head+1 so a gap is itself evidence.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL DEFAULT '',
    entity_id   INTEGER NOT NULL DEFAULT 0,
    before_hash TEXT NOT NULL DEFAULT '',
    after_hash  TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE followups;
DROP TABLE amnesty_outcomes;
DROP TABLE amnesty_decrees;
DROP TABLE published_estimates;
DROP TABLE event_sources;
DROP TABLE event_victims;
DROP TABLE events;
DROP TABLE records;
DROP TABLE persons;
DROP TABLE facilities;
DROP TABLE sources;
DROP TABLE terms;
