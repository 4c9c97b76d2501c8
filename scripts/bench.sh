#!/usr/bin/env bash
# Runs every Go benchmark in the module five times and writes the output to
# bench-out/go-bench.txt, in the format benchstat reads. A few header lines
# say when and where it ran, because figures from a shared, noisy machine
# mean little without them. Benchmarks are never part of `make test`.
#
# BENCHTIME (default 1s) and COUNT (default 5) change the run length;
# PKGS (default ./...) picks the packages.
set -euo pipefail

cd "$(dirname "$0")/.."
out=bench-out/go-bench.txt
mkdir -p bench-out

count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
pkgs=${PKGS:-./...}

echo "bench: go test -run '^\$' -bench . -benchtime $benchtime -count $count $pkgs"
echo "bench: writing $out"
{
	# benchstat keeps "key: value" lines as labels of the results below.
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "go: $(go env GOVERSION)"
	echo "cores: $(nproc)"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$out"

go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -count "$count" \
	-timeout 60m $pkgs | tee -a "$out"

echo "bench: done; compare two runs with benchstat old.txt $out"

# The table of medians goes into docs/benchmarks.md between its markers.
doc=docs/benchmarks.md
start='<!-- go-bench:start -->'
end='<!-- go-bench:end -->'
if [ -f "$doc" ] && grep -qF "$start" "$doc" && grep -qF "$end" "$doc"; then
	table=$(mktemp)
	{
		echo "$start"
		echo
		grep -E '^(date|commit|go|cores|load|cpu):' "$out" | sort -u | sed 's/^/    /'
		echo
		awk -f scripts/benchtable.awk "$out"
		echo
		echo "$end"
	} >"$table"
	awk -v t="$table" -v s="$start" -v e="$end" '
		$0 == s { while ((getline l < t) > 0) print l; skip = 1; next }
		$0 == e { skip = 0; next }
		!skip' "$doc" >"$doc.new"
	mv "$doc.new" "$doc"
	rm -f "$table"
	echo "bench: medians written to $doc"
else
	echo "bench: $doc has no go-bench markers; table not written" >&2
fi
