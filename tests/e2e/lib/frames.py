"""Checks what a live or demo run showed, from the summary.jsonl that
`--frames DIR` writes (one JSON object per picture, see src/core/summary.c).

Usage: frames.py SUMMARY --fps N [--burst-at S] [--cut-at S --heal-at S]
                 [--pause-at S]
The key times are session seconds (the live edge) at which the run pressed
R, Shift+P (twice, on the farthest follower) and W. Exits 1 with the reason
when the pictures did not show what a class should have seen."""
import argparse
import json
import re
import sys


def fail(msg):
    print("FAIL (frames): " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("summary")
    ap.add_argument("--fps", type=float, required=True)
    ap.add_argument("--burst-at", type=float)
    ap.add_argument("--cut-at", type=float)
    ap.add_argument("--heal-at", type=float)
    ap.add_argument("--pause-at", type=float)
    a = ap.parse_args()
    frames = [json.loads(line) for line in open(a.summary)]
    if len(frames) < 10:
        fail("only %d frames" % len(frames))
    far = len(frames[0]["followers"]) - 1
    t = lambda fr: fr["t_us"] / 1e6

    # Taken in real time: picture i about i/fps seconds after the first,
    # and the playhead moving with the wall clock (the live edge is now).
    # (never ahead of the wall clock; on a busy machine a picture may come
    # late, and then shows its own later moment)
    for fr in frames:
        due = (fr["frame"] - 1) * 1000 / a.fps
        if fr["wall_ms"] < due - 5:
            fail("frame %d taken %.0f ms before its time: not real time" % (fr["frame"], due - fr["wall_ms"]))
    for fr in frames:
        if fr["behind_live_us"] != 0 or fr["t_us"] != fr["end_us"] or not fr["live"]:
            fail("frame %d does not follow the live edge: %s" % (fr["frame"], fr))
        drift = (fr["t_us"] - frames[0]["t_us"]) / 1000 - fr["wall_ms"]
        if abs(drift) > 50:
            fail("frame %d: the playhead moved %.0f ms more than the wall clock" % (fr["frame"], drift))

    # The far lane is busy: changes in flight to the farthest follower in
    # most pictures, and it is never caught up right after a commit.
    busy = sum(1 for fr in frames if fr["followers"][far]["in_flight"] > 0)
    if busy * 2 <= len(frames):
        fail("changes in flight to %s in only %d of %d frames"
             % (frames[0]["followers"][far]["name"], busy, len(frames)))
    commits = 0
    for prev, fr in zip(frames, frames[1:]):
        if fr["departed"] > prev["departed"]:
            commits += 1
            if fr["followers"][far]["caught_up"]:
                fail("frame %d: a commit just left the leader, yet %s reads caught up"
                     % (fr["frame"], fr["followers"][far]["name"]))
    if commits < 5:
        fail("only %d commits seen leaving the leader in %.0f s" % (commits, len(frames) / a.fps))
    msg = "%d frames in real time; the far lane busy in %d; %d commits seen leaving" % (
        len(frames), busy, commits)

    if a.burst_at is not None:
        said = [fr for fr in frames if fr["notice"] and fr["notice"].startswith("burst:")]
        if not said or t(said[0]) > a.burst_at + 0.3:
            fail("R did not say on screen what it sent")
        rows = int(re.search(r"([\d,]+) rows", said[0]["notice"]).group(1).replace(",", ""))
        after = [fr for fr in frames if t(fr) >= a.burst_at]
        for f in range(far + 1):
            # on the lane: queued at its leader end (the link is busy) or on the wire
            seen = [fr for fr in after
                    if fr["followers"][f]["queued"] + fr["followers"][f]["in_flight"] >= rows // 4]
            if len(seen) < 2:
                fail("the burst of %d rows was seen travelling to follower %d in %d frames"
                     % (rows, f + 1, len(seen)))
        msg += "; a burst of %d rows seen travelling on every lane" % rows

    if a.cut_at is not None:
        cut = [fr for fr in frames if a.cut_at + 0.2 <= t(fr) < a.heal_at]
        if not cut or any(fr["followers"][far]["state"] != "partitioned" for fr in cut):
            fail("the far follower is not shown partitioned between %g and %g s" % (a.cut_at, a.heal_at))
        at_heal = [fr for fr in frames if t(fr) >= a.heal_at + 0.15][0]
        backlog = at_heal["departed"] - cut[0]["followers"][far]["applied"]
        streaming = [fr for fr in frames if t(fr) >= a.heal_at + 0.15
                     and fr["followers"][far]["state"] == "streaming"
                     and fr["followers"][far]["in_flight"] > 0]
        if not streaming:
            fail("after the heal no backlog is seen streaming in")
        done = [fr for fr in frames if t(fr) > a.heal_at
                and fr["followers"][far]["applied"] >= at_heal["departed"]]
        if not done:
            fail("the backlog of %d messages was never applied after the heal" % backlog)
        msg += "; after the heal a backlog of %d messages streamed in (%d frames) and was applied " \
               "%.1f s later" % (backlog, len(streaming), t(done[0]) - a.heal_at)

    if a.pause_at is not None:
        said = [fr for fr in frames if fr["notice"] and fr["notice"].startswith("workload paused")]
        if not said:
            fail("W did not say the workload is paused")
        quiet = [fr for fr in frames if t(fr) >= a.pause_at + 0.5]
        if quiet and quiet[-1]["departed"] != quiet[0]["departed"]:
            fail("commits kept coming after W paused the workload")
        msg += "; W paused the workload"
    print("frames: " + msg)


main()
