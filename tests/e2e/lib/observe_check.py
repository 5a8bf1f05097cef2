#!/usr/bin/env python3
"""Checks a recording of `walviz live --observe` (tests/e2e/observe.sh).

  observe_check.py REC SIM_JSON STANDBY SUBSCRIBER CUT_US HEAL_US CUT_LSN

REC: the recording; SIM_JSON: `walviz simulate --json REC`, which has a
simulated physical standby named "sim" with the relay's latency. Checks:
  - both nodes have samples of both views;
  - every replay position used (the first sample at or past a COMMIT) is a
    recorded COMMIT's LSN, on the standby and on the subscriber (or, on the
    standby, a standby snapshot record just past one);
  - during the cut the standby's own replay stays before CUT_LSN (a change
    made after the cut), and after the heal it passes it;
  - the real standby and the simulated one agree per stage, median
    difference within TOLERANCE_MS, for commits away from the cut.
Prints the numbers it checked."""
import json
import statistics
import sys

TOLERANCE_MS = 60.0  # 25 samples a second (40 ms apart) and the query's round trip
SNAPSHOT_BYTES = 256  # a RUNNING_XACTS record, at most, past a COMMIT


def lsn(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    rec, sim_json, standby, sub, cut_us, heal_us, cut_lsn = sys.argv[1:8]
    cut_us, heal_us, cut_lsn = int(cut_us), int(heal_us), lsn(cut_lsn)
    commits = []
    samples = {}  # (node, view) -> [(at, {key: value})]
    with open(rec, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#real\t"):
                fields = line.split("\t")
                kv = dict(x.split("=", 1) for x in fields[2:])
                samples.setdefault((fields[1], kv["view"]), []).append((int(kv["at"]), kv))
            elif not line.startswith("#"):
                cols = line.split("\t", 4)
                if cols[4].startswith("COMMIT "):
                    commits.append(lsn(cols[0]))
    if len(commits) < 20:
        fail("only %d COMMITs recorded" % len(commits))
    for node in (standby, sub):
        for view in ("primary", "own"):
            if len(samples.get((node, view), [])) < 5:
                fail("fewer than 5 samples of %s's %s view" % (node, view))
    commit_set = set(commits)

    # the replay positions used: the first sample at or past each COMMIT
    for node in (standby, sub):
        series = [(at, lsn(kv["replay"])) for at, kv in samples[(node, "own")] if kv["replay"] != "-"]
        used, exact = set(), 0
        for c in commits:
            first = next((p for at, p in series if p >= c), None)
            if first is None:
                continue
            used.add(first)
            exact += first == c
        # A standby may also replay a record of its own kind right after a
        # COMMIT (the primary logs a snapshot of running transactions every
        # 15 s): a position a few bytes past it.
        past = [p for p in used if p not in commit_set]
        bad = [p for p in past if p - max([c for c in commits if c <= p], default=0) > SNAPSHOT_BYTES]
        if bad:
            fail("%s: replay positions used that are no recorded COMMIT: %s" % (node, bad[:5]))
        if len(used) < 10:
            fail("%s: only %d replay positions used" % (node, len(used)))
        print("%s: %d replay positions used, %d of them a recorded COMMIT's LSN, %d a few bytes past one "
              "(%d COMMITs first seen exactly at their own LSN, of %d)"
              % (node, len(used), len(used) - len(past), len(past), exact, len(commits)))

    # the cut holds the standby back, the heal lets it catch up
    own = [(at, lsn(kv["replay"])) for at, kv in samples[(standby, "own")] if kv["replay"] != "-"]

    def replay_at(t):
        last = 0
        for at, p in own:
            if at > t:
                break
            last = p
        return last

    held = [replay_at(t) for t in range(cut_us + 300000, heal_us, 50000)]
    if not held or max(held) >= cut_lsn:
        fail("the standby replayed past the cut's change during the cut")
    after = next((at for at, p in own if at >= heal_us and p >= cut_lsn), None)
    if after is None:
        fail("the standby did not catch up after the heal")
    print("cut: the standby's replay held before %X/%X for %.1f s; after the heal it passed it in %.0f ms"
          % (cut_lsn >> 32, cut_lsn & 0xFFFFFFFF, (heal_us - cut_us) / 1e6, (after - heal_us) / 1e3))

    # real and simulated standbys with equal links, per stage
    rows = {}
    with open(sim_json) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") == "message" and o["op"] == "COMMIT" and o["follower"] in ("sim", standby):
                rows.setdefault(o["index"], {})[o["follower"]] = o
    diffs = {"written_ms": [], "flushed_ms": [], "applied_ms": []}
    for i, r in sorted(rows.items()):
        if "sim" not in r or standby not in r:
            continue
        lead = r["sim"]["leader_ms"]
        # commits near the cut: the simulated link has none
        if r[standby]["applied_ms"] is None or r["sim"]["applied_ms"] is None:
            continue
        if r[standby]["applied_ms"] - lead > 400:
            continue
        for k in diffs:
            diffs[k].append(r[standby][k] - r["sim"][k])
    for k, d in diffs.items():
        if len(d) < 10:
            fail("only %d commits to compare for %s" % (len(d), k))
        med = statistics.median(d)
        print("real - simulated standby, %s: median %+.1f ms over %d commits (tolerance %.0f ms)"
              % (k[:-3], med, len(d), TOLERANCE_MS))
        if abs(med) > TOLERANCE_MS:
            fail("the real and simulated standbys differ by %.1f ms (median) in %s" % (med, k))


if __name__ == "__main__":
    main()
