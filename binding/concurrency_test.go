package binding_test

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
)

// TestConcurrentNodes has two nodes — two services on two independent
// store handles of one database — create bindings at once for parties that
// overlap heavily. However the requests interleave, no real number may
// appear twice on one virtual number and no extension twice either.
func TestConcurrentNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		nodeA := newFixture(t, st, pool.DefaultConfig())
		nodeA.addNumbers(t, "010", 60, 100)
		peer := storetest.Reopen(t, st)
		quiet := slog.New(slog.DiscardHandler)
		nodeB := binding.New(peer, storetest.Keyring(t),
			pool.New(peer, pool.DefaultConfig(), quiet), binding.DefaultConfig(),
			binding.WithLogger(quiet))
		nodes := []*binding.Service{nodeA.svc, nodeB}

		const workers, perWorker = 16, 25
		var mu sync.Mutex
		var ids []string
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := nodes[w%2]
				for i := range perWorker {
					req := concurrentRequest(w, i)
					b, err := svc.Create(ctx, nodeA.tenant, req)
					if errors.Is(err, pool.ErrExhausted) {
						continue
					}
					if err != nil {
						t.Errorf("create: %v", err)
						return
					}
					mu.Lock()
					ids = append(ids, b.ID)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()

		if len(ids) != workers*perWorker {
			t.Fatalf("only %d of %d bindings created", len(ids), workers*perWorker)
		}
		checkUniqueKeys(t, nodeA.svc, nodeA.tenant.ID, ids)
	})
}

// concurrentRequest draws AXB pairs from 6 couriers and 30 recipients, so
// the same courier is bound on many goroutines at the same moment.
func concurrentRequest(worker, i int) binding.CreateRequest {
	r := rand.New(rand.NewPCG(uint64(worker), uint64(i)))
	courier := fmt.Sprintf("1391000%04d", r.IntN(6))
	if i%5 == 4 {
		// AXE: a recipient's own number, so extensions on few numbers race.
		return binding.CreateRequest{Mode: binding.AXE, A: fmt.Sprintf("1370%03d%04d", worker, i),
			TTLSeconds: 3600, AreaCode: "021"}
	}
	return binding.CreateRequest{Mode: binding.AXB, A: courier,
		B: fmt.Sprintf("1380000%04d", r.IntN(30)), TTLSeconds: 3600, AreaCode: "010"}
}

// checkUniqueKeys reads every binding back and fails if two live ones
// share a routing key: (X, party) for AXB and AXE's A, (X, E) for AXE.
func checkUniqueKeys(t *testing.T, svc *binding.Service, tenantID int64, ids []string) {
	t.Helper()
	owner := map[string]string{}
	claim := func(key, id string) {
		if prev, ok := owner[key]; ok {
			t.Errorf("key %s owned by %s and %s", key, prev, id)
		}
		owner[key] = id
	}
	for _, id := range ids {
		b, err := svc.Get(ctx, tenantID, id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		claim(b.X.E164()+"/"+b.A.E164(), id)
		switch b.Mode {
		case binding.AXB:
			claim(b.X.E164()+"/"+b.B.E164(), id)
		case binding.AXE:
			claim(b.X.E164()+"/ext "+b.Extension, id)
		}
	}
}
