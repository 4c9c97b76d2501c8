package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// The race: 16 goroutines, half on each of two independent handles (two
// nodes), insert AXB bindings with two keys drawn from a small set, on
// three numbers, so that most attempts collide with another's key.
const (
	raceWorkers  = 16
	raceAttempts = 25
	raceKeys     = 40
)

var raceNumbers = []string{"+8617100000001", "+8617100000002", "+8617100000003"}

type raceResult struct {
	inserted, conflicts atomic.Int64
}

// race runs the race and fails the test on any error other than a key
// conflict: no deadlock, busy database or lost connection may leak out.
func race(t *testing.T, nodes [2]*store.DB) *raceResult {
	t.Helper()
	var (
		res   raceResult
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for w := range raceWorkers {
		node := nodes[w%2]
		rnd := rand.New(rand.NewPCG(uint64(w), 42))
		wg.Go(func() {
			<-start
			for i := range raceAttempts {
				b := binding(fmt.Sprintf("w%d-%d", w, i), "AXB",
					raceNumbers[rnd.IntN(len(raceNumbers))])
				k1, k2 := rnd.IntN(raceKeys), rnd.IntN(raceKeys-1)
				if k2 >= k1 {
					k2++ // two different keys
				}
				keys := []string{fmt.Sprintf("p:%02d", k1), fmt.Sprintf("p:%02d", k2)}

				err := node.InsertBinding(context.Background(), b, keys, 1000)
				switch {
				case err == nil:
					res.inserted.Add(1)
				case errors.Is(err, store.ErrConflict):
					res.conflicts.Add(1)
				default:
					t.Errorf("worker %d attempt %d: %v", w, i, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return &res
}

// duplicateOwners counts keys owned more than once.
func duplicateOwners(t *testing.T, s *store.DB) int {
	t.Helper()
	return count(t, s, `SELECT COUNT(*) FROM (SELECT x, k FROM binding_keys
		GROUP BY x, k HAVING COUNT(*) > 1) d`)
}

func TestInsertBindingRaceAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		addNumbers(t, s, "0755", raceNumbers...)
		res := race(t, [2]*store.DB{s, storetest.Reopen(t, s)})

		t.Logf("%d inserted, %d conflicts", res.inserted.Load(), res.conflicts.Load())
		require.Positive(t, res.inserted.Load())
		require.Positive(t, res.conflicts.Load(), "the race must really collide")
		require.Equal(t, int64(raceWorkers*raceAttempts),
			res.inserted.Load()+res.conflicts.Load())

		require.Zero(t, duplicateOwners(t, s), "a key is owned twice")
		require.Equal(t, int(2*res.inserted.Load()),
			count(t, s, "SELECT COUNT(*) FROM binding_keys"))
		require.Zero(t, count(t, s, `SELECT COUNT(*) FROM binding_keys k
			LEFT JOIN bindings b ON b.id = k.binding_id AND b.x = k.x WHERE b.id IS NULL`),
			"every key belongs to a binding on its number")

		for _, x := range raceNumbers {
			n := number(t, s, x)
			held := count(t, s, "SELECT COUNT(*) FROM bindings WHERE x = ? AND released = 0", x)
			require.Equal(t, held, n.Bindings, x)
			require.Equal(t, "AXB", n.Mode, x)
		}
	})
}

// Without the primary key on (x, k) nothing stops two owners: the same
// race must then show duplicates, which proves the check above can fail.
func TestInsertBindingRaceWithoutPrimaryKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		addNumbers(t, s, "0755", raceNumbers...)
		dropKeysPrimaryKey(t, s)

		res := race(t, [2]*store.DB{s, storetest.Reopen(t, s)})

		require.Zero(t, res.conflicts.Load(), "no conflict is detected any more")
		require.Positive(t, duplicateOwners(t, s), "keys are owned twice")
	})
}

func dropKeysPrimaryKey(t *testing.T, s *store.DB) {
	t.Helper()
	stmts := []string{"ALTER TABLE binding_keys DROP PRIMARY KEY"}
	if s.Dialect() == "sqlite" { // SQLite cannot drop a key; copy the table instead
		stmts = []string{
			"CREATE TABLE binding_keys_copy (x TEXT NOT NULL, k TEXT NOT NULL, " +
				"binding_id TEXT NOT NULL)",
			"INSERT INTO binding_keys_copy SELECT x, k, binding_id FROM binding_keys",
			"DROP TABLE binding_keys",
			"ALTER TABLE binding_keys_copy RENAME TO binding_keys",
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, q := range stmts {
		_, err := s.SQL().ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
}
