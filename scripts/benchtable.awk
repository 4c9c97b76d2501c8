# Turns `go test -bench` output (several runs of each benchmark) into a
# markdown table: one row per benchmark and metric, with the median, the
# lowest and the highest value over the runs.
# Usage: awk -f scripts/benchtable.awk bench-out/go-bench.txt
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	runs[name]++
	for (i = 3; i + 1 <= NF; i += 2) {
		unit = $(i + 1)
		if (!(unit in useen)) { useen[unit] = 1; units[++nu] = unit }
		key = name SUBSEP unit
		vals[key, ++cnt[key]] = $i
	}
}

# sorted fills a with the values of key in ascending order; returns how many.
function sorted(key, a,    m, i, j, t) {
	m = cnt[key]
	for (i = 1; i <= m; i++) a[i] = vals[key, i] + 0
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return m
}

# num prints large values whole and small ones with three digits.
function num(v) { return (v >= 100) ? sprintf("%.0f", v) : sprintf("%.3g", v) }

END {
	print "| benchmark | metric | median | min | max | runs |"
	print "|---|---|---:|---:|---:|---:|"
	for (b = 1; b <= n; b++) {
		for (u = 1; u <= nu; u++) {
			key = order[b] SUBSEP units[u]
			m = sorted(key, a)
			if (m == 0) continue
			med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			printf "| %s | %s | %s | %s | %s | %d |\n", order[b], units[u], num(med),
				num(a[1]), num(a[m]), m
		}
	}
}
