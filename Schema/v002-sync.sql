-- Quire archive schema, migration 2: exchanging bundles between copies.
-- A shipped migration is never edited. See docs/schema.md and docs/bundle-format.md.

-- Other copies this one has exchanged bundles with. Local knowledge, not events: what a peer is
-- known to hold lets `bundle create --for PEER` send only what it lacks.
CREATE TABLE peers (
    id      INTEGER PRIMARY KEY,
    archive TEXT NOT NULL UNIQUE,          -- the peer's archive id
    name    TEXT UNIQUE,                   -- a local name, given with `bundle import --as NAME`
    known   TEXT NOT NULL DEFAULT '{}'     -- JSON state the peer holds at least: {"origin": {"seq": n, "hash": h}}
);

-- Every bundle this copy wrote or imported (local log; `quire peers` shows it).
CREATE TABLE exchanges (
    id        INTEGER PRIMARY KEY,
    peer      INTEGER REFERENCES peers(id),
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    bundle    TEXT NOT NULL,               -- the bundle id
    at        TEXT NOT NULL,
    agent     TEXT NOT NULL,
    events    INTEGER NOT NULL,            -- events in the bundle (sent) or added by it (received)
    blobs     INTEGER NOT NULL,
    bytes     INTEGER,                     -- the bundle's size
    file      TEXT                         -- where it was written or read ('-' for a pipe)
);

-- Derived from `import` events (of any copy): which bundle carried which events into which copy,
-- so provenance can show the route an article took.
CREATE TABLE imports (
    id      INTEGER PRIMARY KEY,
    event   INTEGER NOT NULL UNIQUE REFERENCES events(id),
    archive TEXT NOT NULL,                 -- the copy that imported (the event's origin)
    bundle  TEXT NOT NULL,
    source  TEXT NOT NULL,                 -- the copy that made the bundle
    at      TEXT NOT NULL,
    agent   TEXT NOT NULL,
    host    TEXT NOT NULL
);

-- The events an import added: for each origin, seqs first..last.
CREATE TABLE import_ranges (
    import INTEGER NOT NULL REFERENCES imports(id),
    origin TEXT NOT NULL,
    first  INTEGER NOT NULL,
    last   INTEGER NOT NULL
);
CREATE INDEX import_ranges_origin ON import_ranges(origin, first);

-- Bundles select the blobs an event's sightings refer to.
CREATE INDEX sightings_event ON sightings(event);

-- Documents with more than one head: the same document changed in two copies before they synced.
CREATE VIEW forked_documents AS
SELECT d.key, count(*) AS heads
FROM documents d JOIN versions v ON v.document = d.id
WHERE NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
GROUP BY d.id HAVING count(*) > 1;
