#!/bin/bash
# Archive size and first-ingest time, Quire against git, on the two real-text workloads of issue 15.
# Make the corpora first (once):
#   python3 ../shared/tools/make-rescrape-corpus.py ../shared/corpora/news-html/html $B/rescrape 10
#   python3 ../shared/tools/make-scaled-corpus.py ../shared/corpora/bbc $B/bbc20 20
# Then: B=/path/to/bench Q=.build/release/quire docs/bench/sizes.sh   (W: scratch folder, default $B/run)
set -e
Q=$(realpath ${Q:-.build/release/quire}); B=${B:?set B to the folder with rescrape/ and bbc20/}; W=${W:-$B/run}
rm -rf $W; mkdir -p $W; cd $B
start=$(date +%s.%N)
for d in rescrape/day-*; do $Q -A $W/r.quire ingest -q --key path $d; done   # one batch per day
qt=$(echo "$(date +%s.%N) - $start" | bc)
mkdir $W/rg && (cd $W/rg && git init -q && git config user.email a@b && git config user.name a)
start=$(date +%s.%N)
for d in rescrape/day-*; do rm -rf $W/rg/*; cp $d/* $W/rg/; (cd $W/rg && git add -A && git -c gc.auto=0 commit -qm $d); done
gt=$(echo "$(date +%s.%N) - $start" | bc)
(cd $W/rg && git -c gc.autoDetach=false gc -q --aggressive)
echo "rescrape: quire $(du -b $W/r.quire | cut -f1) B in ${qt}s; git $(du -sb $W/rg/.git | cut -f1) B in ${gt}s (cp included)"
start=$(date +%s.%N)
$Q -A $W/b.quire ingest -q bbc20/batch*
qt=$(echo "$(date +%s.%N) - $start" | bc)
mkdir $W/bg && (cd $W/bg && git init -q && git config user.email a@b && git config user.name a)
for d in bbc20/batch*; do cp -r $d $W/bg/; done
start=$(date +%s.%N)
(cd $W/bg && git add -A && git -c gc.auto=0 commit -qm all)
gt=$(echo "$(date +%s.%N) - $start" | bc)
(cd $W/bg && git -c gc.autoDetach=false gc -q)
echo "bbc20: quire $(du -b $W/b.quire | cut -f1) B in ${qt}s; git $(du -sb $W/bg/.git | cut -f1) B in ${gt}s (add + commit)"
for f in r b; do echo "where the bytes of $f.quire go (dbstat, top 12):"; sqlite3 $W/$f.quire "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12"; done
