#!/usr/bin/env bash
# One whole call through the broker, shown from both ends (`make demo`).
#
# It builds the broker and starts it in demo mode on a throw-away SQLite
# store, with SIP on DEMO_IP (127.0.0.3) and its trunk pointing at a SIPp
# playing the recipient's phone. It makes an AXB binding through the API
# (A = the recipient, B = the courier), lets SIPp play the courier calling
# X, and prints what each side saw: the courier's final responses, the
# INVITE the recipient's phone received (caller ID X; the courier's number
# nowhere), and the call record from GET /v1/calls (numbers masked).
#
# Exits 0 when the call went through and the phone never saw the
# courier's number; non-zero otherwise. Everything it starts is stopped on
# exit; KEEP=1 keeps the working directory (logs, SIPp message logs).
# Needs go, sipp (Debian's sip-tester) and curl.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

IP=${DEMO_IP:-127.0.0.3}
SIP_ADDR=$IP:5060
HTTP_ADDR=$IP:8080
PHONE_PORT=5080
COURIER_PORT=5070
RECIPIENT=13912345678 # A: the parcel's recipient
COURIER=13800138001   # B: the courier who calls X
SCENARIOS=$ROOT/e2e/testdata

say() { printf '\n== %s\n' "$*"; }
fail() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

for tool in go sipp curl; do
	have "$tool" || fail "$tool is missing (sipp: apt-get install sip-tester)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/maskline-demo.XXXXXX")
BROKER_PID=""
PHONE_PID=""

cleanup() {
	local pid
	for pid in "$PHONE_PID" "$BROKER_PID"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "demo: logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_broker() {
	go build -o "$WORK/broker" ./cmd/broker
	BROKER_DEMO=true BROKER_DATA_DIR="$WORK/data" BROKER_STORE_DSN="sqlite:$WORK/data/demo.db" \
		BROKER_SIP_LISTEN="$SIP_ADDR" BROKER_HTTP_LISTEN="$HTTP_ADDR" \
		BROKER_SIP_TRUNK="$IP:$PHONE_PORT" BROKER_SIP_TRUSTED=127.0.0.0/8 \
		BROKER_LOG_LEVEL=warn BROKER_NODE=demo \
		"$WORK/broker" serve >"$WORK/broker.log" 2>&1 &
	BROKER_PID=$!

	local i
	for i in $(seq 1 100); do
		curl -fsS "http://$HTTP_ADDR/readyz" >/dev/null 2>&1 && return
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/broker.log" >&2
	fail "the broker did not start (is $SIP_ADDR or $HTTP_ADDR taken?)"
}

# api calls the broker's API with the demo tenant's key.
api() {
	curl -fsS -H "Authorization: Bearer $KEY" "$@"
}

# field prints a string field of the JSON on stdin (flat objects only).
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

start_phone() {
	(cd "$WORK" && exec sipp -sf "$SCENARIOS/callee_answer.xml" -i "$IP" -p "$PHONE_PORT" \
		-m 1 -d 500 -nostdin -timeout 20s -trace_msg -message_file phone.log \
		>phone.out 2>&1) &
	PHONE_PID=$!
	local i
	for i in $(seq 1 50); do
		ss -Hlun | awk '{print $4}' | grep -qxF "$IP:$PHONE_PORT" && return
		sleep 0.1
	done
	fail "the phone (SIPp) did not start; see $WORK/phone.out"
}

call() {
	(cd "$WORK" && sipp -sf "$SCENARIOS/caller_hangup.xml" -s "$X" "$SIP_ADDR" -i "$IP" \
		-p "$COURIER_PORT" -m 1 -d 1000 -nostdin -timeout 20s -timeout_error \
		-key caller "$COURIER" -key caller_e164 "+86$COURIER" \
		-cid_str "%u-$COURIER-%p@%s" -trace_msg -message_file courier.log \
		>courier.out 2>&1) || {
		tail -n 30 "$WORK/courier.out" >&2
		fail "the courier's call failed"
	}
	wait "$PHONE_PID" || fail "the phone's side of the call failed; see $WORK/phone.out"
	PHONE_PID=""
}

# messages prints the messages of a SIPp message log (file, "received" or
# "sent", pattern) whose first line matches the pattern.
messages() {
	tr -d '\r' <"$1" | awk -v dir="$2" -v pat="$3" '
		/^-{47} / { keep = 0; head = 1; next }
		head == 1 { mine = ($0 ~ (" " dir)); head = 2; next }
		head == 2 { head = 3; next }
		head == 3 { keep = mine && $0 ~ pat; head = 0 }
		keep { print }'
}

show() {
	say "The courier ($COURIER) dialled X = $X. Answers it got:"
	messages "$WORK/courier.log" received '^SIP/2.0 ' |
		awk '/^SIP\/2.0 / { status = $0 } /^CSeq:/ { printf "  %-22s (to %s)\n", status, $3 }'

	say "The INVITE the recipient's phone received:"
	messages "$WORK/phone.log" received '^INVITE ' | awk 'NF == 0 && ++blank == 2 { exit }
		{ print "  " $0 }'
	echo
	echo "  The courier's INVITE carried $COURIER in $(messages "$WORK/courier.log" sent \
		'^INVITE ' | grep -c "$COURIER") lines (From, P-Asserted-Identity, Contact, SDP, ...)."

	if messages "$WORK/phone.log" received '.' | grep -q "$COURIER"; then
		say "PRIVACY FAILURE: the phone received the courier's number:"
		messages "$WORK/phone.log" received '.' | grep -n "$COURIER" | sed 's/^/  /'
		return 1
	fi
	echo "  The phone received the courier's number in none of its messages: caller ID is X."
}

show_record() {
	local out i
	for i in $(seq 1 50); do
		out=$(api "http://$HTTP_ADDR/v1/calls?binding_id=$BINDING")
		case "$out" in *'"id"'*) break ;; esac
		sleep 0.1
	done
	say "The call record (GET /v1/calls?binding_id=$BINDING), numbers masked:"
	if have python3; then
		python3 -m json.tool <<<"$out" | sed 's/^/  /'
	else
		echo "  $out"
	fi
	case "$out" in *"$COURIER"* | *"$RECIPIENT"*)
		fail "the call record shows a real number in full" ;;
	esac
}

main() {
	say "Building and starting the broker (demo mode, SIP $SIP_ADDR, API $HTTP_ADDR)"
	start_broker
	KEY=$(cat "$WORK/data/demo-tenant.key")

	local created
	local body
	body=$(printf '{"mode":"AXB","a":"%s","b":"%s","ttl_seconds":3600,"area_code":"010"}' \
		"$RECIPIENT" "$COURIER")
	created=$(api -X POST -H 'Content-Type: application/json' -d "$body" \
		"http://$HTTP_ADDR/v1/bindings")
	X=$(field x <<<"$created")
	BINDING=$(field id <<<"$created")
	say "AXB binding $BINDING: recipient $RECIPIENT and courier $COURIER talk through X = $X"
	echo "  POST /v1/bindings answered: $created"

	start_phone
	call
	show
	show_record
	say "Done: the call went through and the recipient saw only X."
}

main "$@"
