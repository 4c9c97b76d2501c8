package api_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maskline/pool"
	"maskline/store/storetest"
)

// benchPool is the size of the benchmark's pool: at 200 AXB bindings a
// number it holds 400,000 bindings, more than any run here makes.
const benchPool = 2000

// BenchmarkCreateBinding creates AXB bindings between distinct random
// numbers through the real handler on loopback over MariaDB, from
// 8 × GOMAXPROCS concurrent clients, and reports bindings/s and the p50
// and p99 latency of one request.
func BenchmarkCreateBinding(b *testing.B) {
	f := newFixture(b, storetest.MySQL(b))
	bigPool(b, f)
	client := f.srv.Client()
	tr := client.Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 1024
	client = &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()

	var (
		seq      atomic.Int64
		base     = rand.Int64N(50_000_000)
		mu       sync.Mutex
		all      []time.Duration
		failures atomic.Int64
	)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			n := (base + seq.Add(1)) % 100_000_000
			body := fmt.Sprintf(`{"mode":"AXB","a":"138%08d","b":"139%08d",`+
				`"ttl_seconds":3600,"area_code":"0755"}`, n, n)
			t0 := time.Now()
			if !createOnce(client, f.srv.URL, f.keyAcme, body) {
				failures.Add(1)
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()

	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d creates failed", n, b.N)
	}
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "bindings/s")
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
}

// bigPool adds benchPool numbers in area 0755 to f's pool.
func bigPool(b *testing.B, f *fixture) {
	rows := make([]pool.NumberInput, benchPool)
	for i := range rows {
		rows[i] = pool.NumberInput{Number: fmt.Sprintf("1717%07d", i), AreaCode: "0755"}
	}
	if _, err := f.pool.Import(context.Background(), "CN", rows); err != nil {
		b.Fatalf("import pool: %v", err)
	}
}

// createOnce posts one create and reports whether it answered 201.
func createOnce(c *http.Client, url, key, body string) bool {
	req, err := http.NewRequest(http.MethodPost, url+"/v1/bindings",
		bytes.NewReader([]byte(body)))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	var buf [512]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusCreated
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
