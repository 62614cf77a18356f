-- Grain state for Orleans' ADO.NET grain storage provider (Microsoft.Orleans.Persistence.AdoNet) on SQLite.
-- The NuGet package ships no SQL: at silo start the provider reads WriteToStorageKey, ReadFromStorageKey and
-- ClearStorageKey from OrleansQuery and runs them with the parameters @GrainIdHash, @GrainIdN0, @GrainIdN1,
-- @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion (the ETag, an
-- integer or NULL) and, for writes, @PayloadBinary. It reads columns by name: PayloadBinary and Version from a
-- read, NewGrainStateVersion from a write or clear. Applied idempotently at every start.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- A grain is (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString); the two hashes come
-- from the provider and only narrow the lookup. A string-keyed grain has N0 = N1 = 0 and its key in
-- GrainIdExtensionString. A cleared grain loses its row (see ClearStorageKey).
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL
);

-- Serves every query (hash prefix) and makes a second row for one grain impossible. NULL never equals NULL in a
-- UNIQUE index, hence the COALESCE.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, COALESCE(GrainIdExtensionString, ''));

-- Optimistic concurrency. Each write below is one statement, so SQLite runs it under the write lock: the
-- NOT EXISTS check and the version check cannot race another writer. changes() is per connection and is read
-- straight after the statement it reports on.
--   @GrainStateVersion NULL (first write) or 0 (the first write after this activation cleared its state, see
--     ClearStorageKey): insert version 1 unless a row exists. Returns 1, or no row at all, which the provider reads
--     as a conflict (its ETag NULL equals the NULL it got back), or 0 itself (equal to its ETag 0: a conflict).
--   @GrainStateVersion v: bump the row whose version is v. Returns v + 1, or v itself, which the provider
--     reads as a conflict (returned version equals its ETag) and throws InconsistentStateException.
-- The result is at most one row in total: the provider takes SingleOrDefault over all result sets.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
     PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId,
       @PayloadBinary, CURRENT_TIMESTAMP, 1
WHERE (@GrainStateVersion IS NULL OR @GrainStateVersion = 0)
  AND NOT EXISTS (
    SELECT 1 FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS @GrainIdExtensionString);

SELECT CASE WHEN changes() > 0 THEN 1 ELSE @GrainStateVersion END AS NewGrainStateVersion
WHERE @GrainStateVersion = 0 OR (@GrainStateVersion IS NULL AND changes() > 0);

UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion
WHERE @GrainStateVersion <> 0;
');

-- No row means the grain was never written or was cleared; a NULL payload is a row cleared by an earlier
-- version of ClearStorageKey (the provider then creates a fresh state but keeps the version as its ETag).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString;
');

-- Deletes the row; the provider calls it only for a grain whose row exists. Deleted rather than emptied because
-- the row names the grain (a user's id is its key), and erasing a user must leave nothing that names them.
-- The version check comes first. A stale version returns itself, which the provider reads as a conflict, and
-- the DELETE (guarded by the same version) removes nothing. Success returns 0, which becomes the activation's
-- ETag: its next write inserts a fresh row (version 1, see WriteToStorageKey), while an activation still holding
-- a version from before the delete fails its write as a conflict. (The provider reads "no row" from a clear as a
-- conflict, so success must return a version; no row has version 0.)
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
SELECT CASE WHEN EXISTS (
    SELECT 1 FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS @GrainIdExtensionString
      AND Version = @GrainStateVersion) THEN 0 ELSE @GrainStateVersion END AS NewGrainStateVersion;

DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND Version = @GrainStateVersion;
');
