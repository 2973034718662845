#!/usr/bin/env python3
"""search-latency.py QUIRE ARCHIVE CORPUS: 100 searches (50 common, 50 rare words of the corpus) and
100 `quire cat` of random documents, each a separate process; p50/p95/p99 of wall and CPU time."""
import subprocess, sys, time, random, collections, glob, re, sqlite3
q, archive, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(1)
counts = collections.Counter()
for f in sorted(glob.glob(corpus + '/**/*.txt', recursive=True))[:3000]:
    counts.update(set(re.findall(r'[a-z]{4,}', open(f, errors='replace').read().lower())))
ranked = [w for w, _ in counts.most_common()]
common = ranked[:200]
# Rare: words seen in one file of the sample; a generated corpus with a small vocabulary has too
# few, so the least common 200 words stand in.
rare = [w for w in ranked if counts[w] == 1]
if len(rare) < 50: rare = ranked[-200:]
queries = rnd.sample(common, 50) + rnd.sample(rare, 50)
import resource
cpu = []
def run(args):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t = time.perf_counter()
    subprocess.run([q, '-A', archive] + args, stdout=subprocess.DEVNULL, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
    return (time.perf_counter() - t) * 1000
def pct(xs, p): xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p / 100))]
run(['search', 'warmup'])
cpu.clear(); s = [run(['search', w]) for w in queries]; scpu = list(cpu)
db = sqlite3.connect(archive)
keys = [r[0] for r in db.execute('select key from documents')]
cpu.clear(); c = [run(['cat', k]) for k in rnd.sample(keys, 100)]; ccpu = list(cpu)
for name, xs in [('search wall', s), ('search CPU', scpu), ('cat wall', c), ('cat CPU', ccpu)]:
    print(f'{name}: p50 {pct(xs,50):.1f} ms, p95 {pct(xs,95):.1f} ms, p99 {pct(xs,99):.1f} ms, max {max(xs):.1f} ms')
