#!/bin/bash
# Full and incremental bundles after docs/bench/sizes.sh (same B, W, Q).
set -e; Q=$(realpath ${Q:-.build/release/quire}); B=${B:?}; W=${W:-$B/run}; SHARED=$(realpath ${SHARED:-../shared})
rm -f $W/*.bundle $W/*.state; rm -rf $W/inc $W/imp.quire $W/clone
$Q -A $W/b.quire bundle create $W/full.bundle --all -q 2>/dev/null || $Q -A $W/b.quire bundle create $W/full.bundle --all
(cd $W/bg && git bundle create -q $W/git-full.bundle --all)
echo "full bundle: quire $(stat -c %s $W/full.bundle) B, git $(stat -c %s $W/git-full.bundle) B"
# 100 new articles: copy 20 of the corpus, first 100 files
mkdir -p $W/inc; python3 $SHARED/tools/make-scaled-corpus.py $SHARED/corpora/bbc $W/inc-all 21 >/dev/null
mkdir -p $W/inc/batch020; find $W/inc-all/batch020 -name '*.txt' | sort | head -100 | while read f; do r=${f#$W/inc-all/batch020/}; mkdir -p $W/inc/batch020/$(dirname $r); cp $f $W/inc/batch020/$r; done
rm -rf $W/inc-all
$Q -A $W/b.quire state -o $W/before.state
$Q -A $W/b.quire ingest -q $W/inc/batch020
$Q -A $W/b.quire bundle create $W/inc.bundle --since $W/before.state
(cd $W/bg && cp -r $W/inc/batch020 . && git add -A && git commit -qm inc && git bundle create -q $W/git-inc.bundle HEAD~1..HEAD)
echo "incremental bundle (100 new articles): quire $(stat -c %s $W/inc.bundle) B, git $(stat -c %s $W/git-inc.bundle) B"
