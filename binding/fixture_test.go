package binding_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"maskline/binding"
	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
	"maskline/tenant"
)

// clock is a settable time source shared by the service under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	st     *store.DB
	svc    *binding.Service
	pool   *pool.Pool
	clock  *clock
	tenant *store.Tenant
	other  *store.Tenant
}

var ctx = context.Background()

// Real numbers used throughout: couriers and recipients.
const (
	courier   = "13912345678"
	recipient = "13800001111"
	sender    = "13700002222"
	stranger  = "13600003333"
)

// newFixture builds a service over st with a pool of ten numbers in area
// 010 and five in 021, and two tenants.
func newFixture(t testing.TB, st *store.DB, pc pool.Config) *fixture {
	t.Helper()
	return newFixtureConfig(t, st, pc, binding.DefaultConfig())
}

// newFixtureConfig is newFixture with the service's rules given.
func newFixtureConfig(t testing.TB, st *store.DB, pc pool.Config, bc binding.Config) *fixture {
	t.Helper()
	f := &fixture{st: st, clock: &clock{now: time.Now().Truncate(time.Millisecond)}}
	quiet := slog.New(slog.DiscardHandler)
	f.pool = pool.New(st, pc, quiet)
	f.svc = binding.New(st, storetest.Keyring(t), f.pool, bc,
		binding.WithClock(f.clock.Now), binding.WithLogger(quiet))

	ts := tenant.New(st)
	var err error
	if f.tenant, _, err = ts.AddTenant(ctx, "express-one"); err != nil {
		t.Fatal(err)
	}
	if f.other, _, err = ts.AddTenant(ctx, "express-two"); err != nil {
		t.Fatal(err)
	}
	f.addNumbers(t, "010", 10, 0)
	f.addNumbers(t, "021", 5, 0)
	return f
}

// addNumbers imports n numbers of area, numbered from first.
func (f *fixture) addNumbers(t testing.TB, area string, n, first int, tenantName ...string) {
	t.Helper()
	rows := make([]pool.NumberInput, n)
	for i := range rows {
		rows[i] = pool.NumberInput{Number: fmt.Sprintf("170%s%05d", area, first+i),
			AreaCode: area}
		if len(tenantName) > 0 {
			rows[i].Tenant = tenantName[0]
		}
	}
	if _, err := f.pool.Import(ctx, "CN", rows); err != nil {
		t.Fatalf("import numbers: %v", err)
	}
}

func (f *fixture) create(t *testing.T, req binding.CreateRequest) *binding.Binding {
	t.Helper()
	if req.TTLSeconds == 0 && req.ExpiresAt.IsZero() {
		req.TTLSeconds = 3600
	}
	b, err := f.svc.Create(ctx, f.tenant, req)
	if err != nil {
		t.Fatalf("create %s binding: %v", req.Mode, err)
	}
	return b
}

func (f *fixture) route(caller, dialled, ext string) (binding.Decision, error) {
	return f.svc.Route(ctx, binding.RouteRequest{Caller: caller, Dialled: dialled,
		Extension: ext})
}
