#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/fuzz-*/main.swift) with `swift build --sanitize=fuzzer`
# and runs each for SECONDS (default 60) on a seed corpus made from the project's and the shared
# test data. A crash leaves its input in .build/fuzz-artifacts/ and makes this script fail; turn
# such an input into a regression test (see docs/fuzzing.md).
#   Fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(fuzz-metadata fuzz-warc fuzz-bundle)
shared="../shared"

export QUIRE_FUZZ=1
for t in "${targets[@]}"; do
    swift build --sanitize=fuzzer --scratch-path .build/fuzz --product "$t" 2>&1 | grep -E "error|warning: unre|Build" || true
done
swift build --scratch-path .build/fuzz --product quire 2>&1 | grep -E "error|Build" || true
quire=.build/fuzz/debug/quire

seeds=.build/fuzz-seeds; artifacts=.build/fuzz-artifacts
rm -rf "$seeds"; mkdir -p "$seeds"/{fuzz-metadata,fuzz-warc,fuzz-bundle} "$artifacts"
# Metadata: the samples, the seed batch and some real pages.
find Archives/samples -type f -exec cp {} "$seeds/fuzz-metadata/" \; 2>/dev/null || true
[ -d "$shared/samples/seed-batch" ] && cp "$shared"/samples/seed-batch/* "$seeds/fuzz-metadata/"
if [ -d "$shared/corpora/news-html/html" ]; then
    for f in $(ls "$shared"/corpora/news-html/html/*.html.gz | head -20); do gzip -dc "$f" > "$seeds/fuzz-metadata/$(basename "$f" .gz)"; done
fi
# WARC: every file of the shared WARC corpus, good and broken.
[ -d "$shared/corpora/warc" ] && cp "$shared"/corpora/warc/*.warc* "$shared"/corpora/warc/*.arc* "$seeds/fuzz-warc/" 2>/dev/null || true
# ...and the one-quirk files of the real-crawl corpus.
[ -d "$shared/corpora/warc-real/repro" ] && cp "$shared"/corpora/warc-real/repro/*.warc "$seeds/fuzz-warc/" 2>/dev/null || true
# Bundles: a full and an incremental bundle of the samples.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$quire" -A "$tmp/a.quire" ingest -q Archives/samples/day-1 >/dev/null
"$quire" -A "$tmp/a.quire" state -o "$tmp/a.state"
"$quire" -A "$tmp/a.quire" bundle create "$seeds/fuzz-bundle/full.bundle" >/dev/null
"$quire" -A "$tmp/a.quire" ingest -q Archives/samples/day-2 >/dev/null
"$quire" -A "$tmp/a.quire" bundle create "$seeds/fuzz-bundle/incremental.bundle" --since "$tmp/a.state" >/dev/null

status=0
for t in "${targets[@]}"; do
    echo "== $t for ${seconds}s"
    mkdir -p "$artifacts/$t" ".build/fuzz-corpus/$t"
    # Inputs up to 1 MiB, each given at most 2 seconds: a parser that is quadratic in its input
    # fails here (an 800 KiB run of '<' in a <title> took 13.7 s before it was made linear).
    # fuzz-metadata builds a whole page model per input, so it runs on inputs up to 256 KiB and
    # stops itself past a budget linear in the input's size (its main.swift).
    timeout=2; max_len=1048576
    [ "$t" = fuzz-metadata ] && { timeout=20; max_len=262144; }
    if ! ".build/fuzz/debug/$t" ".build/fuzz-corpus/$t" "$seeds/$t" -max_total_time="$seconds" -max_len="$max_len" \
            -timeout="$timeout" -rss_limit_mb=2048 -artifact_prefix="$artifacts/$t/" -print_final_stats=1 2>"$artifacts/$t.log"; then
        echo "$t: FAILED; see $artifacts/$t.log and the inputs in $artifacts/$t/"
        tail -30 "$artifacts/$t.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|cov:" "$artifacts/$t.log" | tail -2
    fi
done
exit $status
