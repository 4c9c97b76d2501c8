#!/usr/bin/env bash
# SIP signalling load ramp: the broker against the Kamailio masking peer,
# back to back on this machine, with the peer harness's own load generator
# (SIPp), steps and pass criterion, as docs/benchmarks.md and the
# benchmarking guide describe. `make bench-sip` runs it.
#
#   PEERS_DIR=/path/to/peers scripts/bench-sip.sh
#
# PEERS_DIR (required) is the peer harness: bench/ramp.sh, kamailio/run.sh
# and their friends. They are run from there, never copied; they write into
# it (bench/hrclock.so, kamailio/run/), so it must be writable.
#
# What it does, in order:
#   1. installs what is missing: sipp and MariaDB (scripts/testenv.sh), and
#      Kamailio (Debian's kamailio package carries every module the peer's
#      kamailio.cfg loads; the script checks each one);
#   2. builds the broker and starts it on a fresh MariaDB database
#      (maskline_bench), SIP on BROKER_SIP (127.0.0.2:5060: ramp.sh's caller
#      binds 127.0.0.1:5060 and its callee 127.0.0.1:5080, the trunk);
#   3. makes a tenant and an admin key with the CLI, imports one virtual
#      number and creates one AXN binding through the API, so that every
#      call to X reaches the callee;
#   4. ramps the broker, then the Kamailio peer, with the same RATES, TRIES
#      times, alternating;
#   5. when the broker passes a lower rate than the peer (or PROFILE=1),
#      loads it once more at the first rate it failed while taking a 15 s
#      CPU profile from its /debug/pprof endpoint;
#   6. writes the table to bench-out/sip/<run>/report.md and into the "SIP
#      signalling" section of docs/benchmarks.md.
#
# Knobs (environment):
#   RATES="500 1000 1500 2000 2500 3000"   target call rates (calls/s)
#   TRIES=1            ramps per side; the table shows medians over tries
#   PROFILE=auto       auto | 1 | 0, see step 5
#   BROKER_SIP=127.0.0.2:5060   BROKER_HTTP=127.0.0.2:8080
#   and ramp.sh's own: MULT=20 (calls per step = MULT x rate), HOLD_MS=1000
#   (call hold), STEP_MAX_S=60 (SIPp timeout per step), QUIET_WAIT_S=180
#   (wait for other load to go away before a step), GAP_S=10, RETRIES=2,
#   OTHER_MAX_S=3, HRCLOCK=1.
#   The broker inherits the environment, so Go's own knobs reach it too:
#   GOGC=400 make bench-sip measures it with a less eager garbage collector.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

RATES=${RATES:-"500 1000 1500 2000 2500 3000"}
TRIES=${TRIES:-1}
PROFILE=${PROFILE:-auto}
BROKER_SIP=${BROKER_SIP:-127.0.0.2:5060}
BROKER_HTTP=${BROKER_HTTP:-127.0.0.2:8080}
CALLEE=127.0.0.1:5080
DB=maskline_bench
MYSQL_DSN="mysql://root@tcp(127.0.0.1:3306)/$DB"
AREA=010
VIRTUAL=17001000000
PARTY_A=13800000001
DOC=docs/benchmarks.md

export RATES

say() { printf 'bench-sip: %s\n' "$*"; }
fail() {
	printf 'bench-sip: %s\n' "$1" >&2
	shift
	for line in "$@"; do printf '  %s\n' "$line" >&2; done
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# check_peers makes sure PEERS_DIR is set, holds the harness, and can be
# written to.
check_peers() {
	[ -n "${PEERS_DIR:-}" ] || fail "PEERS_DIR is not set" \
		"set PEERS_DIR to the peer harness directory (the one holding bench/ramp.sh" \
		"and kamailio/run.sh), e.g. PEERS_DIR=/path/to/peers make bench-sip"
	PEERS_DIR=$(cd "$PEERS_DIR" && pwd) || fail "PEERS_DIR=$PEERS_DIR is not a directory"
	local f
	for f in bench/ramp.sh bench/analyze.py kamailio/run.sh kamailio/stop.sh \
		kamailio/kamailio.cfg; do
		[ -f "$PEERS_DIR/$f" ] || fail "PEERS_DIR has no $f: is it the peer harness?"
	done
	if [ ! -w "$PEERS_DIR/bench" ] || [ ! -w "$PEERS_DIR/kamailio" ]; then
		fail "PEERS_DIR ($PEERS_DIR) must be writable" \
			"ramp.sh builds bench/hrclock.so there and run.sh writes kamailio/run/;" \
			"make a writable copy of the harness yourself and point PEERS_DIR at it"
	fi
}

apt_install() {
	have apt-get || fail "$* missing and no apt-get to install it: install $* yourself"
	say "installing $* (apt-get install)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
		>/dev/null || fail "apt-get install $* failed" "install $* yourself, then run again"
}

# check_tools installs sipp, MariaDB (through testenv.sh) and Kamailio,
# then checks every module the peer's configuration loads.
check_tools() {
	bash scripts/testenv.sh
	have kamailio || apt_install kamailio
	have python3 || fail "python3 is missing: the peer harness needs it"
	if [ "${HRCLOCK:-1}" = 1 ] && ! have gcc; then
		apt_install gcc libc6-dev
	fi

	local cfg=$PEERS_DIR/kamailio/kamailio.cfg mpath mod missing=()
	mpath=$(sed -n 's/^mpath="\(.*\)".*/\1/p' "$cfg")
	for mod in $(sed -n 's/^loadmodule "\(.*\)".*/\1/p' "$cfg"); do
		[ -f "$mpath/$mod" ] || missing+=("$mod")
	done
	[ "${#missing[@]}" -eq 0 ] || fail "Kamailio modules missing in $mpath: ${missing[*]}" \
		"find their Debian package with: apt-cache search kamailio modules"
}

# busy_port prints the first address the run needs that something already
# listens on: ramp.sh's caller and callee, the peer, the broker.
busy_port() {
	local addr bound
	bound=$(ss -Hlun | awk '{print $4}')
	for addr in 127.0.0.1:5060 "$CALLEE" 127.0.0.1:5070 "$BROKER_SIP"; do
		if grep -qxF -e "$addr" -e "0.0.0.0:${addr##*:}" -e "*:${addr##*:}" <<<"$bound"; then
			echo "$addr"
			return
		fi
	done
}

# check_ports waits (PORT_WAIT_S, default 300 s) for those addresses to be
# free: on a shared machine another load test may hold them for a while.
check_ports() {
	local busy waited=0 limit=${PORT_WAIT_S:-300}
	while busy=$(busy_port) && [ -n "$busy" ]; do
		if [ "$waited" -ge "$limit" ]; then
			fail "something still listens on udp $busy after ${limit}s" \
				"stop it (a Kamailio service? another load test?) and run again"
		fi
		[ "$waited" -gt 0 ] || say "udp $busy is in use: waiting up to ${limit}s for it"
		sleep 5
		waited=$((waited + 5))
	done
}

mysql_cli() {
	local c
	for c in mariadb mysql; do
		if have "$c"; then
			"$c" -uroot -h127.0.0.1 -P3306 --connect-timeout=5 "$@"
			return
		fi
	done
	fail "no mysql or mariadb client"
}

# broker_env sets BROKER_ENV: the broker's bench configuration.
broker_env() {
	BROKER_ENV=(BROKER_STORE_DSN="$MYSQL_DSN" BROKER_DATA_DIR="$RUN/data"
		BROKER_SIP_LISTEN="$BROKER_SIP" BROKER_HTTP_LISTEN="$BROKER_HTTP"
		BROKER_SIP_TRUNK="$CALLEE" BROKER_SIP_TRUSTED=127.0.0.0/8
		BROKER_LOG_LEVEL=warn BROKER_NODE=bench BROKER_HTTP_PPROF=true
		BROKER_CALLS_ATTEMPTS_PER_HOUR=100000000 BROKER_CALLS_CONCURRENT_PER_BINDING=100000)
}

# broker runs one broker command with the bench configuration.
broker() { env "${BROKER_ENV[@]}" "$RUN/broker" "$@"; }

# last_line prints the last line of a command's output: the CLI prints a
# new key alone there.
last_line() { "$@" | tail -n 1; }

BROKER_PID=""
KAMAILIO_UP=no
SAMPLER_PID=""

start_broker() {
	# a simple command, so that $! is the broker itself (env execs it) and
	# ramp.sh accounts the broker's CPU and signals reach it
	env "${BROKER_ENV[@]}" "$RUN/broker" serve >>"$RUN/broker.log" 2>&1 &
	BROKER_PID=$!
	local i
	for i in $(seq 1 100); do
		if curl -fsS "http://$BROKER_HTTP/readyz" >/dev/null 2>&1; then
			say "broker running, PID $BROKER_PID, SIP $BROKER_SIP, HTTP $BROKER_HTTP"
			return
		fi
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.2
	done
	tail -n 20 "$RUN/broker.log" >&2
	fail "the broker did not become ready (log: $RUN/broker.log)"
}

stop_broker() {
	[ -n "$BROKER_PID" ] || return 0
	kill -TERM "$BROKER_PID" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$BROKER_PID" 2>/dev/null; then
		say "the broker ignored SIGTERM for 20 s: ending its calls (second SIGTERM)"
		kill -TERM "$BROKER_PID" 2>/dev/null || true
		sleep 5
		kill -KILL "$BROKER_PID" 2>/dev/null || true
	fi
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=""
}

stop_kamailio() {
	[ "$KAMAILIO_UP" = yes ] || return 0
	"$PEERS_DIR/kamailio/stop.sh" || true
	KAMAILIO_UP=no
}

cleanup() {
	stop_sampler
	stop_broker
	stop_kamailio
}

# api sends one request to the broker's API and prints the answer body.
api() {
	local method=$1 path=$2 key=$3 type=$4 body=$5
	curl -fsS -X "$method" -H "Authorization: Bearer $key" -H "Content-Type: $type" \
		--data-binary "$body" "http://$BROKER_HTTP$path"
}

# json_field prints one field of a JSON object read from stdin.
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# setup_broker builds the broker, makes the database, the keys, the number
# and the binding. It sets SVC to the virtual number to dial.
setup_broker() {
	broker_env
	say "building the broker"
	go build -o "$RUN/broker" ./cmd/broker

	say "fresh database $DB on MariaDB"
	mysql_cli -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
	broker migrate >/dev/null
	TENANT_KEY=$(last_line broker tenant add bench-express)
	ADMIN_KEY=$(last_line broker admin add bench-admin)

	start_broker
	api POST /v1/admin/numbers "$ADMIN_KEY" text/csv \
		"$(printf 'number,area_code\n%s,%s\n' "$VIRTUAL" "$AREA")" >/dev/null
	local created
	created=$(api POST /v1/bindings "$TENANT_KEY" application/json \
		"{\"mode\":\"AXN\",\"a\":\"$PARTY_A\",\"ttl_seconds\":604800,\"area_code\":\"$AREA\"}")
	SVC=$(json_field x <<<"$created")
	say "AXN binding $(json_field id <<<"$created"): X $SVC reaches the callee at $CALLEE"
	smoke_call
}

# smoke_call places one call with the operator scenarios of loadtest/, so
# a broken set-up stops the run before minutes of ramping.
smoke_call() {
	local dir=$RUN/smoke
	mkdir -p "$dir"
	(cd "$dir" && timeout 20 sipp -sf "$ROOT/loadtest/callee.xml" -i 127.0.0.1 \
		-p "${CALLEE##*:}" -m 1 -nostdin -timeout 15s >callee.out 2>&1) &
	local callee=$!
	sleep 0.5
	if ! (cd "$dir" && timeout 20 sipp -sf "$ROOT/loadtest/caller.xml" -s "$SVC" \
		"$BROKER_SIP" -i 127.0.0.1 -p 5060 -key caller 13700000003 -m 1 -d 100 \
		-nostdin -timeout 15s -timeout_error >caller.out 2>&1); then
		wait "$callee" || true
		fail "a single call through the broker failed; see $dir/caller.out"
	fi
	wait "$callee" || fail "the callee of the smoke call failed; see $dir/callee.out"
	say "smoke call through the broker: ok"
}

# ramp runs the peer's ramp.sh into OUT with the given target environment.
ramp() {
	local out=$1
	shift
	env "$@" RAW_DIR="$RUN/raw" "$PEERS_DIR/bench/ramp.sh" kamailio "$out"
}

# start_sampler records, once a second during a ramp, the database
# server's CPU ticks and the datagrams the kernel dropped at the target's
# SIP socket (ADDR) because its receive buffer was full. The store's work is
# part of each broker call's cost while ramp.sh counts only the broker's
# process; the server is shared with anything else using it, so that
# figure is an upper bound.
start_sampler() {
	local out=$1 addr=$2 pid
	pid=$(pgrep -x mariadbd || pgrep -x mysqld || true)
	pid=${pid%%$'\n'*}
	(
		while :; do
			printf '%s %s %s\n' "$(date +%s.%N)" \
				"$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)" \
				"$(socket_drops "$addr")"
			sleep 1
		done
	) >"$out" &
	SAMPLER_PID=$!
}

# socket_drops prints the drop counter of the UDP socket bound to ADDR, or
# 0 while nothing is bound there.
socket_drops() {
	ss -uamnH | awk -v a="$1" '$4 == a { getline
		if (match($0, /,d[0-9]+/)) { print substr($0, RSTART + 2, RLENGTH - 2); found = 1 }
		exit }
		END { if (!found) print 0 }'
}

stop_sampler() {
	[ -n "$SAMPLER_PID" ] || return 0
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
}

ramp_broker() {
	local try=$1
	check_ports
	start_broker
	say "ramp $try/$TRIES: broker at $BROKER_SIP, rates $RATES"
	start_sampler "$RUN/broker-try$try.samples" "$BROKER_SIP"
	ramp "$RUN/broker-try$try" TARGET="$BROKER_SIP" PROXY_PID="$BROKER_PID" SVC="$SVC"
	stop_sampler
	stop_broker
}

ramp_kamailio() {
	local try=$1
	check_ports
	"$PEERS_DIR/kamailio/run.sh"
	KAMAILIO_UP=yes
	say "ramp $try/$TRIES: Kamailio peer at 127.0.0.1:5070, rates $RATES"
	start_sampler "$RUN/kamailio-try$try.samples" 127.0.0.1:5070
	ramp "$RUN/kamailio-try$try"
	stop_sampler
	stop_kamailio
}

# best_rate prints the highest rate passed in most tries of one side.
best_rate() {
	python3 - "$RUN" "$1" <<'PY'
import glob, json, os, sys
run, side = sys.argv[1], sys.argv[2]
passes = {}
for fn in glob.glob(os.path.join(run, side + "-try*", "summary.jsonl")):
    last = {}
    for line in open(fn):
        r = json.loads(line)
        last[r["rate"]] = bool(r["pass"])
    for rate, ok in last.items():
        passes.setdefault(rate, []).append(ok)
ok = [rate for rate, p in passes.items() if sum(p) * 2 > len(p)]
print(max(ok) if ok else 0)
PY
}

# profile_broker loads the broker at RATE with the loadtest scenarios for
# 20 s and takes a 15 s CPU profile from its pprof endpoint meanwhile.
profile_broker() {
	local rate=$1 dir=$RUN/profile
	mkdir -p "$dir"
	check_ports
	start_broker
	say "profiling the broker at $rate calls/s"
	echo "$rate" >"$dir/rate.txt"
	(cd "$dir" && sipp -sf "$ROOT/loadtest/callee.xml" -i 127.0.0.1 -p "${CALLEE##*:}" \
		-m $((rate * 20)) -nostdin -timeout 70s -buff_size 8388608 >callee.out 2>&1) &
	local callee=$!
	sleep 0.5
	(cd "$dir" && sipp -sf "$ROOT/loadtest/caller.xml" -s "$SVC" "$BROKER_SIP" \
		-i 127.0.0.1 -p 5060 -key caller 13700000003 -r "$rate" -m $((rate * 20)) \
		-d "${HOLD_MS:-1000}" -nostdin -timeout 60s -buff_size 8388608 \
		-trace_stat -stf caller_stat.csv >caller.out 2>&1) &
	local caller=$!
	sleep 3
	curl -fsS -o "$dir/cpu.pprof" "http://$BROKER_HTTP/debug/pprof/profile?seconds=15" ||
		say "could not take the profile"
	wait "$caller" || say "the profiling load had failed calls (see $dir/caller.out)"
	wait "$callee" || true
	stop_broker
	if [ -s "$dir/cpu.pprof" ]; then
		go tool pprof -top -nodecount=40 "$RUN/broker" "$dir/cpu.pprof" >"$dir/top.txt" 2>&1
		go tool pprof -top -cum -nodecount=60 "$RUN/broker" "$dir/cpu.pprof" \
			>"$dir/top-cum.txt" 2>&1
		say "profile: $dir/cpu.pprof (summaries top.txt, top-cum.txt)"
	fi
}

# maybe_profile takes the profile when asked, or when the broker passed a
# lower rate than the peer.
maybe_profile() {
	local b k rate=""
	b=$(best_rate broker)
	k=$(best_rate kamailio)
	case "$PROFILE" in
	0) return ;;
	1) ;;
	*) [ "$b" -lt "$k" ] || return 0 ;;
	esac
	for r in $RATES; do
		if [ "$r" -gt "$b" ]; then
			rate=$r
			break
		fi
	done
	profile_broker "${rate:-${RATES##* }}"
}

# machine describes where and with what the run was made.
machine() {
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "cores=$(nproc)"
	echo "kernel=$(uname -r)"
	echo "sipp=$(sipp -v 2>&1 | sed -n 's/.*SIPp \(v[^ ]*\)\..*/\1/p' | head -n 1)"
	echo "kamailio=$(kamailio -v 2>&1 | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p')"
	echo "go=$(go env GOVERSION)${GOGC:+ (GOGC=$GOGC)}"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "tries=$TRIES"
	echo "rates=$RATES"
	echo "mult=${MULT:-20}"
	echo "hold_ms=${HOLD_MS:-1000}"
}

main() {
	check_peers
	check_tools

	RUN=$ROOT/bench-out/sip/$(date -u +%Y%m%dT%H%M%SZ)
	mkdir -p "$RUN"
	say "results go to $RUN"
	check_ports
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	machine >"$RUN/machine.txt"

	setup_broker
	stop_broker
	local try
	for try in $(seq 1 "$TRIES"); do
		ramp_broker "$try"
		ramp_kamailio "$try"
	done
	maybe_profile

	write_report
	say "table: $RUN/report.md, and the SIP signalling section of $DOC"
}

# write_report turns the ramps' summary.jsonl files into the markdown
# table, and puts it into docs/benchmarks.md in place of the previous one,
# between <!-- bench-sip:start --> and <!-- bench-sip:end -->.
write_report() {
	python3 - "$RUN" "$DOC" <<'PY'
import glob, json, os, re, statistics, sys, textwrap

run, doc = sys.argv[1], sys.argv[2]
machine = dict(l.strip().split("=", 1) for l in open(os.path.join(run, "machine.txt")))


def step_dir(try_dir, rate):
    """The directory of the step that counts: the last repeat ramp.sh made."""
    best, n = os.path.join(try_dir, "kamailio-r%d" % rate), 1
    while os.path.isdir(os.path.join(try_dir, "kamailio-r%d-retry%d" % (rate, n))):
        best, n = os.path.join(try_dir, "kamailio-r%d-retry%d" % (rate, n)), n + 1
    return best


def value_at(samples, t, col):
    """Column col of the sampler's file, interpolated at time t."""
    samples = [row for row in samples if len(row) > col]
    for a, b in zip(samples, samples[1:]):
        if a[0] <= t <= b[0]:
            if b[0] == a[0]:
                return a[col]
            return a[col] + (b[col] - a[col]) * (t - a[0]) / (b[0] - a[0])
    return None


def sampled(try_dir, r):
    """Database CPU ms per successful call, and UDP receive-buffer drops,
    during the step of row r; None where unknown."""
    try:
        samples = [tuple(map(float, l.split())) for l in open(try_dir + ".samples")]
        d = step_dir(try_dir, r["rate"])
        before = json.load(open(os.path.join(d, "cpu_before.json")))
        after = json.load(open(os.path.join(d, "cpu_after.json")))
    except (OSError, ValueError):
        return None, None
    t0, t1 = before["time"], after["time"]
    db = drops = None
    a, b = value_at(samples, t0, 1), value_at(samples, t1, 1)
    if a is not None and b is not None and b > a and r["uac_ok"]:
        db = 1000.0 * (b - a) / before["hz"] / r["uac_ok"]
    a, b = value_at(samples, t0, 2), value_at(samples, t1, 2)
    if a is not None and b is not None:
        drops = round(b - a)
    return db, drops


def load(side):
    """Rows by rate, one per try: ramp.sh appends a row for each repeat of a
    step that saw foreign load, and the last row of a rate is the one kept."""
    by_rate = {}
    for fn in sorted(glob.glob(os.path.join(run, side + "-try*", "summary.jsonl"))):
        last = {}
        for line in open(fn):
            r = json.loads(line)
            last[r["rate"]] = r
        for rate, r in last.items():
            r["db_cpu_ms_per_call"], r["udp_drops"] = sampled(os.path.dirname(fn), r)
            by_rate.setdefault(rate, []).append(r)
    return by_rate


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, nd=2):
    return "-" if v is None else ("%.*f" % (nd, v))


def best(by_rate):
    ok = [rate for rate, rows in by_rate.items()
          if sum(bool(r["pass"]) for r in rows) * 2 > len(rows)]
    return max(ok) if ok else 0


sides = {"broker": load("broker"), "kamailio": load("kamailio")}
rates = sorted(set(sides["broker"]) | set(sides["kamailio"]))

out = ["## SIP signalling", ""]
out.append("`make bench-sip` (scripts/bench-sip.sh): the peer harness's `ramp.sh` "
           "drives SIPp → target → SIPp on loopback, 1 s calls without RTP, "
           "%s × rate calls per step; a step passes when every call was attempted, "
           "< 0.1 %% failed and the achieved rate is ≥ 95 %% of the target. "
           "Broker: one AXN binding, MariaDB store, log level warn. Peer: Kamailio "
           "%s as a masking proxy (`peers/kamailio`). Each side ramped %s time(s), "
           "alternating, on the same machine; figures are medians over tries."
           % (machine["mult"], machine["kamailio"], machine["tries"]))
out.append("")
out.append("Machine: %s vCPU, kernel %s; SIPp %s, Kamailio %s, %s; commit %s; %s."
           % (machine["cores"], machine["kernel"], machine["sipp"], machine["kamailio"],
              machine["go"], machine["commit"], machine["date"]))
out.append("")
out.append("| target cps | broker pass | broker setup p50 / p99 ms | broker CPU ms/call "
           "| MariaDB CPU ms/call | broker socket drops | Kamailio pass "
           "| Kamailio setup p50 / p99 ms | Kamailio CPU ms/call | Kamailio socket drops |")
out.append("|---:|---|---|---:|---:|---:|---|---|---:|---:|")
for rate in rates:
    cells = [str(rate)]
    for side in ("broker", "kamailio"):
        rows = sides[side].get(rate, [])
        if not rows:
            cells += ["-"] * (5 if side == "broker" else 4)
            continue
        n_ok = sum(bool(r["pass"]) for r in rows)
        cells.append("%s (%d/%d)" % ("yes" if n_ok * 2 > len(rows) else "**no**",
                                     n_ok, len(rows)))
        cells.append("%s / %s" % (fmt(med(rows, "setup_p50_ms")), fmt(med(rows, "setup_p99_ms"))))
        cells.append(fmt(med(rows, "proxy_cpu_ms_per_call"), 3))
        if side == "broker":
            cells.append(fmt(med(rows, "db_cpu_ms_per_call"), 3))
        drops = med(rows, "udp_drops")
        cells.append("-" if drops is None else "%d" % drops)
    out.append("| " + " | ".join(cells) + " |")
out.append("")

out.append("CPU per call is the target's own process tree over the successful calls "
           "of the step. \"MariaDB CPU\" is the database server's CPU in the same window "
           "per call: the broker keeps bindings and call records in its store, the peer "
           "its table in memory. The server is shared with anything else using it, so "
           "that column is an upper bound; and ramp.sh counts it as foreign load, so "
           "broker steps are often repeated (the last repeat is shown). Socket drops: "
           "datagrams the kernel dropped during the step at the target's SIP socket "
           "because its receive buffer was full (`ss -uam`, d counter).")
out.append("")

b, k = best(sides["broker"]), best(sides["kamailio"])
ratio = "%.2f" % (b / k) if k else "-"
out.append("Highest rate passed in more than half of the tries: broker %s, Kamailio %s; "
           "ratio broker / Kamailio **%s**%s."
           % ("%d cps" % b if b else "none", "%d cps" % k if k else "none", ratio,
              " (Kamailio passed the top of the ramp, so its ceiling is higher)"
              if k and k == max(rates) else ""))
out.append("")

top = os.path.join(run, "profile", "top.txt")
if os.path.exists(top):
    lines = [l.rstrip() for l in open(top)]
    start = next((i for i, l in enumerate(lines) if l.lstrip().startswith("flat")), None)
    if start is not None:
        rate = open(os.path.join(run, "profile", "rate.txt")).read().strip()
        out.append("Where the broker's CPU went (`go tool pprof -top` of a 15 s profile "
                   "taken at %s cps):" % rate)
        out.append("")
        out.append("```")
        out.extend(lines[start - 1:start + 16])
        out.append("```")
        out.append("")

out.append("Full per-step rows (retransmissions, BYE times, foreign CPU): "
           "bench-out/sip/%s/*/summary.md." % os.path.basename(run))
# Prose lines are wrapped for reading in an editor; tables and the
# profile block stay as they are.
def wrap(line):
    if line.startswith(("|", " ", "```")) or len(line) <= 76:
        return line
    return textwrap.fill(line, 76, break_on_hyphens=False)


section = "\n".join(wrap(l) for l in out) + "\n"

with open(os.path.join(run, "report.md"), "w") as f:
    f.write(section)

# The section sits between markers, so that other benchmarks can keep
# their own sections in the same file.
start, end = "<!-- bench-sip:start -->", "<!-- bench-sip:end -->"
block = start + "\n" + section + end + "\n"
text = open(doc).read() if os.path.exists(doc) else (
    "# Benchmarks\n\nFigures from this repository's benchmarks, newest run of each.\n\n")
marked = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
heading = re.compile(r"^## SIP signalling\n.*?(?=^## |\Z)", re.S | re.M)
if marked.search(text):
    text = marked.sub(lambda m: block, text, count=1)
elif heading.search(text):
    text = heading.sub(lambda m: block + "\n", text, count=1)
else:
    text = text.rstrip("\n") + "\n\n" + block
with open(doc, "w") as f:
    f.write(text.rstrip("\n") + "\n")
PY
}

main "$@"
