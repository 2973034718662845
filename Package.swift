// swift-tools-version:6.0
// Quire: archive news article files into one SQLite file, keep copies in step, audit provenance.
// No package dependencies: only the toolchain and the system libraries libsqlite3 and zlib.
import PackageDescription

let package = Package(
    name: "Quire",
    products: [
        .executable(name: "quire", targets: ["quire"]),
        .library(name: "QuireKit", targets: ["QuireKit"]),
    ],
    targets: [
        // System libraries (apt: libsqlite3-dev, zlib1g-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The SHA-256 block function using the x86 SHA extensions, chosen at run time when the CPU has them.
        .target(name: "CSHA256"),

        // bm25 for a contentless FTS5 index with detail=column (FTS5's own bm25 needs the text there).
        .target(name: "CSearchRank"),

        // Foundation layers, each with its own tests.
        .target(name: "Hashing", dependencies: ["CSHA256"]),
        .target(name: "Deflate", dependencies: ["CZlib"]),
        .target(name: "SQLite", dependencies: ["CSQLite", "CSearchRank"]),

        // The archive schema: `Schema/*.sql` embedded in the binary at build time.
        .target(
            name: "QuireSchema",
            path: "Schema",
            exclude: ["README.md"],
            resources: [.embedInCode("v001-initial.sql"), .embedInCode("v002-sync.sql"),
                .embedInCode("v003-audit.sql"), .embedInCode("v004-articles.sql"),
                .embedInCode("v005-search.sql"),
                .embedInCode("v006-compact-events.sql"),
                .embedInCode("v007-near-duplicates.sql"),
                .embedInCode("v008-sighting-paths.sql"),
                .embedInCode("v009-no-fingerprint-index.sql"),
                .embedInCode("v010-delta-blobs.sql"),
                .embedInCode("v011-search-distinct-texts.sql"),
                .embedInCode("v012-payloads-and-partial-captures.sql"),
                .embedInCode("v013-sighting-roots.sql"),
                .embedInCode("v014-search-column-detail.sql"),
                .embedInCode("v015-search-row-ids-only.sql")]
        ),

        // The domain: archive, ingest, sync, audit, interop.
        .target(name: "QuireKit", dependencies: ["Hashing", "Deflate", "SQLite", "QuireSchema"]),

        // Generates news-like corpora for tests and benchmarks.
        .target(name: "CorpusGenerator", dependencies: ["Hashing"]),

        // The command-line tool.
        // A release build links the Swift runtime and Foundation inside (-static-stdlib): a short
        // command such as `cat` then spends no time in the dynamic loader binding their symbols
        // (docs/benchmarks.md). Release only: the test bundle, which links this target, has no
        // static Testing/XCTest. Unsafe flags are allowed here: no package depends on an executable.
        .executableTarget(name: "quire", dependencies: ["QuireKit"], linkerSettings: [
            .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
            // What the static Foundation needs after it, in this order (autolinking names only Foundation).
            .linkedLibrary("CoreFoundation", .when(configuration: .release)),
            .linkedLibrary("_FoundationCollections", .when(configuration: .release)),
            .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
            .linkedLibrary("_FoundationICU", .when(configuration: .release)),
            .linkedLibrary("stdc++", .when(configuration: .release)),
        ]),
        // The benchmark driver (release build; see docs/benchmarks.md).
        .executableTarget(name: "quire-bench", dependencies: ["QuireKit", "CorpusGenerator", "Hashing"]),

        // Helpers shared by the test targets: running real tools, temporary folders, ../shared.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HashingTests", dependencies: ["Hashing", "TestSupport"]),
        .testTarget(name: "DeflateTests", dependencies: ["Deflate", "TestSupport"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"]),
        .testTarget(name: "QuireKitTests", dependencies: ["QuireKit", "CorpusGenerator", "Hashing", "SQLite", "QuireSchema", "TestSupport"]),
        .testTarget(name: "QuireCLITests", dependencies: ["quire", "QuireKit", "CorpusGenerator", "Hashing", "SQLite", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (docs/fuzzing.md): only when QUIRE_FUZZ is set, because they have no `main`
// of their own (libFuzzer provides it) and build only with `swift build --sanitize=fuzzer`.
import Foundation
if ProcessInfo.processInfo.environment["QUIRE_FUZZ"] != nil {
    for name in ["fuzz-bundle", "fuzz-warc", "fuzz-metadata"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["QuireKit"], path: "Fuzz/\(name)",
                                                 swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
