# Shared by the demo tests (sourced after `set -eu`): a TMPDIR of the test's
# own, so that a demo running elsewhere on this machine is not ours to count
# or clean up; the server's user must be able to pass through it.
# $out: the directory; $parent: where the demos put their clusters;
# servers: how many of our demo servers run.
: "${WALVIZ:?run through tests/run, or export WALVIZ}"
out=$(mktemp -d "${TMPDIR:-/tmp}/walviz-demo-test.XXXXXX")
chmod 711 "$out"
export TMPDIR="$out"
parent="$out/walviz-demo.$(id -u)"
bg=""

servers() { pgrep -f "postgres -D $parent/" | wc -l; }
