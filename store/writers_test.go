package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// TestConcurrentWriters runs 16 goroutines on two handles, each mixing
// every kind of write (transactions and single statements): none may fail
// with a busy or locked database, a deadlock or a lost connection.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		nodes := [2]*store.DB{s, storetest.Reopen(t, s)}
		addNumbers(t, s, "0755", "+8617200000001", "+8617200000002", "+8617200000003")

		const workers, rounds = 16, 12
		var wg sync.WaitGroup
		for w := range workers {
			node := nodes[w%2]
			wg.Go(func() {
				for r := range rounds {
					if err := writeRound(node, w, r); err != nil {
						t.Errorf("worker %d round %d: %v", w, r, err)
						return
					}
				}
			})
		}
		wg.Wait()

		require.Equal(t, workers*rounds, count(t, s, "SELECT COUNT(*) FROM bindings"))
		require.Zero(t, count(t, s, "SELECT COUNT(*) FROM binding_keys"), "all released")
		require.Zero(t, count(t, s, "SELECT COUNT(*) FROM numbers WHERE bindings <> 0"))
	})
}

// writeRound creates a binding and takes it through its whole life.
func writeRound(s *store.DB, w, r int) error {
	ctx := context.Background()
	id := fmt.Sprintf("w%d-%d", w, r)
	b := binding(id, "AXB", fmt.Sprintf("+861720000000%d", 1+(w+r)%3))
	b.ExpiresAt = t0

	steps := []func() error{
		func() error { return s.InsertBinding(ctx, b, []string{"p:a" + id, "p:b" + id}, 1000) },
		func() error { return s.SetLastCaller(ctx, id, "k1:sealed", t0) },
		func() error {
			_, err := s.ReserveIdempotency(ctx, &store.Idempotency{TenantID: 1, Key: id})
			return err
		},
		func() error { return s.CompleteIdempotency(ctx, 1, id, 201, []byte(id)) },
		func() error { return s.InsertCall(ctx, call("c"+id, id, 1, t0)) },
		func() error {
			_, err := s.ExpireDue(ctx, t0, 0, 5)
			return err
		},
		func() error {
			_, err := s.ReleaseCooled(ctx, t0, 5)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}

	// Others' sweeps may have taken this binding already; finish it.
	_, err := s.ExpireDue(ctx, t0.Add(time.Millisecond), 0, 1000)
	if err == nil {
		_, err = s.ReleaseCooled(ctx, t0, 1000)
	}
	return err
}
