#!/usr/bin/env python3
"""Benchmark of the exploring searches (Python 3 standard library only).

    python3 benches/explore.py                    # 100,000 articles
    python3 benches/explore.py --articles 10000

On a corpus from ../shared/bench/make_corpus.py (--seed 42; in WORK, outside the repository),
ingested once with the dist build, every figure a new `korpus` process (warm page cache), as a
user or a script runs it:

  * plain search: 20 queries of ../shared/bench/make_queries.py, top 10 with snippets;
  * the same queries with a typo in their longest word (a letter dropped; corrected by
    default), and with that word cut to a prefix (`Regier*`);
  * `search --facets source,author,lang,year,month,tag` and `timeline --by month` for a word
    found in about 10 % of the articles.

Each query runs --runs times; the median per query, then p50/p90 over the queries. The ratios
of the typo and prefix p50 to the plain p50 are printed beside them.
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"


def timed(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 1):
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return (time.perf_counter() - start) * 1000


def percentiles(samples):
    s = sorted(samples)
    return s[len(s) // 2], s[min(len(s) - 1, int(len(s) * 0.9))]


def measure(korpus, index, argv_list, runs):
    per_query = [statistics.median(timed([korpus, "--index", index, *argv]) for _ in range(runs))
                 for argv in argv_list]
    return percentiles(per_query)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/korpus-bench-explore")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs {SHARED} (the corpus and query generators)")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"articles-{args.articles}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "make_corpus.py"), "--articles", str(args.articles),
                        "--seed", "42", "--out", str(corpus), "--quiet"], check=True)
    queries_file = work / "queries.txt"
    if not queries_file.exists():
        subprocess.run([sys.executable, str(SHARED / "make_queries.py"), "--count", "1000", "--seed", "42",
                        "--out", str(queries_file)], check=True)
    print("building (dist profile)…", file=sys.stderr)
    subprocess.run(["cargo", "build", "--profile", "dist", "--quiet", "--bin", "korpus"], cwd=ROOT, check=True)
    korpus = str(ROOT / "target/dist/korpus")
    index = str(work / f"index-{args.articles}")
    if not (Path(index) / "korpus.json").exists():
        print("ingesting…", file=sys.stderr)
        subprocess.run([korpus, "--index", index, "ingest", "--rebuild", "-q", str(corpus)], check=True)

    rng = random.Random(42)
    lines = [l.strip() for l in open(queries_file, encoding="utf-8") if l.strip()]
    plain, typo, prefix = [], [], []
    for q in lines:
        words = q.split()
        longest = max(words, key=len)
        if len(longest) < 7 or not longest.isalpha():
            continue
        cut = rng.randrange(2, len(longest) - 2)
        typo_q = q.replace(longest, longest[:cut] + longest[cut + 1:], 1)
        prefix_q = q.replace(longest, longest[:max(4, len(longest) // 2)] + "*", 1)
        plain.append(["search", q])
        typo.append(["search", typo_q])
        prefix.append(["search", prefix_q])
        if len(plain) == 20:
            break

    # A word in about 10 % of the articles.
    target, best = args.articles // 10, None
    for word in ["Parlament", "Studie", "Internet", "Verfahren", "Schule", "Polizei", "Regierung",
                 "Unternehmen", "Menschen"]:
        out = subprocess.run([korpus, "--index", index, "search", word, "--exact", "--group-by", "article",
                              "-n", "1", "--format", "json"], capture_output=True, text=True).stdout
        total = json.loads(out)["total"] if out else 0
        if best is None or abs(total - target) < abs(best[1] - target):
            best = (word, total)
    word, articles = best

    res = {
        "plain": measure(korpus, index, plain, args.runs),
        "typo": measure(korpus, index, typo, args.runs),
        "prefix": measure(korpus, index, prefix, args.runs),
    }
    facet_argv = ["search", word, "--facets", "source,author,lang,year,month,tag"]
    timeline_argv = ["timeline", word, "--by", "month"]
    res["facets"] = measure(korpus, index, [facet_argv] * 20, 1)
    res["timeline"] = measure(korpus, index, [timeline_argv] * 20, 1)

    p50 = res["plain"][0]
    print(f"| search ({args.articles:,} articles, new process each) | p50 | p90 | p50 ÷ plain |")
    print("|---|---:|---:|---:|")
    for name, label in [("plain", "plain (20 queries)"), ("typo", "one word misspelt, corrected"),
                        ("prefix", "one word a prefix (`Regier*`)"),
                        ("facets", f"`--facets` (all six), `{word}`: {articles:,} articles"),
                        ("timeline", f"`timeline --by month`, `{word}`")]:
        a, b = res[name]
        print(f"| {label} | {a:.1f} ms | {b:.1f} ms | {a / p50:.2f}× |")
    print("\nexample queries:", plain[0][1], "|", typo[0][1], "|", prefix[0][1], file=sys.stderr)


if __name__ == "__main__":
    main()
