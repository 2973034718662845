/// The archive schema's migrations, in order, as embedded in the binary at build time.
///
/// Each `vNNN-name.sql` file in this folder is one migration; SwiftPM embeds it (the
/// `.embedInCode` resource rule in Package.swift) as `PackageResources.vNNN_name_sql`. To change
/// the schema, add a file, list it in Package.swift and here; never edit a shipped one.
public enum SchemaMigrations {
    /// (version, file name, SQL text) for every migration, oldest first.
    public static let all: [(version: Int, file: String, sql: String)] = [
        (1, "v001-initial.sql", String(decoding: PackageResources.v001_initial_sql, as: UTF8.self)),
        (2, "v002-sync.sql", String(decoding: PackageResources.v002_sync_sql, as: UTF8.self)),
        (3, "v003-audit.sql", String(decoding: PackageResources.v003_audit_sql, as: UTF8.self)),
        (4, "v004-articles.sql", String(decoding: PackageResources.v004_articles_sql, as: UTF8.self)),
        (5, "v005-search.sql", String(decoding: PackageResources.v005_search_sql, as: UTF8.self)),
        (6, "v006-compact-events.sql", String(decoding: PackageResources.v006_compact_events_sql, as: UTF8.self)),
        (7, "v007-near-duplicates.sql", String(decoding: PackageResources.v007_near_duplicates_sql, as: UTF8.self)),
        (8, "v008-sighting-paths.sql", String(decoding: PackageResources.v008_sighting_paths_sql, as: UTF8.self)),
        (9, "v009-no-fingerprint-index.sql", String(decoding: PackageResources.v009_no_fingerprint_index_sql, as: UTF8.self)),
        (10, "v010-delta-blobs.sql", String(decoding: PackageResources.v010_delta_blobs_sql, as: UTF8.self)),
        (11, "v011-search-distinct-texts.sql", String(decoding: PackageResources.v011_search_distinct_texts_sql, as: UTF8.self)),
        (12, "v012-payloads-and-partial-captures.sql", String(decoding: PackageResources.v012_payloads_and_partial_captures_sql, as: UTF8.self)),
        (13, "v013-sighting-roots.sql", String(decoding: PackageResources.v013_sighting_roots_sql, as: UTF8.self)),
        (14, "v014-search-column-detail.sql", String(decoding: PackageResources.v014_search_column_detail_sql, as: UTF8.self)),
        (15, "v015-search-row-ids-only.sql", String(decoding: PackageResources.v015_search_row_ids_only_sql, as: UTF8.self)),
    ]
}
