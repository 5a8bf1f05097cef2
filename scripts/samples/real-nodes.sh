# real-nodes: `walviz demo` with its real physical standby (standby1) and
# real logical subscriber (sub1), each through a 300 ms relay, beside the
# three simulated followers; the demo's workload at 2 transactions a
# second. At 8.5 s standby1's relay is cut (4, Shift+P) and healed at 13 s;
# at 18 s sub1's server is stopped (5, S) and started at 22 s. Recorded by
# the demo itself: the real nodes' positions, the rows read from them,
# their relays and what the keys did.
DEMO_OPTIONS="--real-latency 300ms --tps 2 --duration 28s --keys 8s:4,8.5s:shift+p,13s:shift+p,17.5s:5,18s:s,22s:s"
