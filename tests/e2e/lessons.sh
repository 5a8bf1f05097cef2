# Every lesson in sample-data/lessons plays headless from its first step to
# its last: each step's scene has the step's caption on screen (role
# lesson.caption, "Step N/M · ..."), and what the step is about: each
# "# on screen: TEXT" comment of the step is in some other text of its
# scene ("# on screen (f2): TEXT": in one of f2's). A
# broken lesson is refused with its line and exit status 1.
set -eu
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-lessons-test.XXXXXX")
trap 'rm -rf "$out"' EXIT

n=0
for f in sample-data/lessons/*.lesson; do
    name=$(basename "$f" .lesson)
    steps=$(grep -c '^---$' "$f")
    [ "$steps" -ge 3 ] || { echo "FAIL: $f has $steps steps"; exit 1; }
    i=1
    while [ "$i" -le "$steps" ]; do
        "$WALVIZ" lesson "$f" --step "$i" --size 1024x768 --dump-scene "$out/$name-$i.json" \
            2>"$out/err" || { cat "$out/err"; echo "FAIL: $f step $i: walviz lesson failed"; exit 1; }
        python3 - "$out/$name-$i.json" "$f" "$i" "$steps" <<'PY' || { echo "FAIL: $f step $i: its caption or what it shows is not on screen"; exit 1; }
import json, re, sys
d = json.load(open(sys.argv[1]))
step, steps = int(sys.argv[3]), int(sys.argv[4])
# the step's caption, as the lesson file writes it
blocks = open(sys.argv[2]).read().split("\n---\n")[1:]
want = " ".join(l.strip()[1:].strip() for l in blocks[step - 1].splitlines() if l.strip().startswith(">"))
caps = [t for t in d["texts"] if t["role"] == "lesson.caption"]
assert len(caps) == 1, caps
text = caps[0]["text"]
head = "Step %d/%d \u00b7 " % (step, steps)
assert text.startswith(head), (text, head)
# the whole caption, or at least its first 40 characters when cut to fit
body = text[len(head):]
assert body == want or (body.endswith("\u2026") and want.startswith(body[:-1]) and len(body) > 40), (body, want)
assert not [t for t in d["texts"] if t["role"] == "caption"], "the narration gives way to the lesson"
# "# on screen: TEXT", or "# on screen (f2): TEXT" for f2's texts alone;
# the caption does not count, it may say the very words
for line in blocks[step - 1].splitlines():
    m = re.match(r"#\s*on screen(?:\s*\((\w+)\))?:\s*(.+)$", line.strip())
    if m:
        who, want = m.group(1), m.group(2).strip()
        texts = [t for t in d["texts"] if t["role"] != "lesson.caption"
                 and (who is None or t.get("follower_name") == who)]
        assert any(want in t["text"] for t in texts), ("not on screen", who, want)
PY
        i=$((i + 1))
    done
    n=$((n + 1))
done
[ "$n" -ge 3 ] || { echo "FAIL: $n lessons, expected at least 3"; exit 1; }

# a broken lesson: its line and what was expected, exit status 1
printf 'recording = ../intro.wvr\n---\n> a caption\npartition f9 from 1s to 2s\n' >"$out/broken.lesson"
rc=0
"$WALVIZ" lesson "$out/broken.lesson" --step 1 --dump-scene "$out/b.json" 2>"$out/err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$out/err"; echo "FAIL: a broken lesson exits $rc, not 1"; exit 1; }
grep -q "broken.lesson:4: 'f9' is not a follower" "$out/err" ||
    { cat "$out/err"; echo "FAIL: the error does not name the line"; exit 1; }
# an xid the recording lacks is found once the recording is read
mkdir "$out/lessons"
printf 'recording = %s/sample-data/intro.wvr\n---\n> a\n---\n> b\nselect xid 99\n' "$(pwd)" >"$out/lessons/x.lesson"
rc=0
"$WALVIZ" lesson "$out/lessons/x.lesson" --dump-scene "$out/x.json" 2>"$out/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "x.lesson:6: no transaction 99 commits" "$out/err" ||
    { cat "$out/err"; echo "FAIL: a missing xid: exit $rc"; exit 1; }
echo "ok: $n lessons, every step captioned; broken lessons refused with their line"
