package pool_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"maskline/pool"
	"maskline/store"
	"maskline/store/storetest"
	"maskline/tenant"
)

var ctx = context.Background()

var quiet = slog.New(slog.DiscardHandler)

// rows makes n import rows of area, numbered from first.
func rows(area string, n, first int, tenantName string) []pool.NumberInput {
	out := make([]pool.NumberInput, n)
	for i := range out {
		out[i] = pool.NumberInput{Number: fmt.Sprintf("170%s%05d", area, first+i),
			AreaCode: area, Tenant: tenantName}
	}
	return out
}

func newPool(t *testing.T, st *store.DB, cfg pool.Config) *pool.Pool {
	t.Helper()
	return pool.New(st, cfg, quiet)
}

func mustImport(t *testing.T, p *pool.Pool, in []pool.NumberInput) {
	t.Helper()
	if _, err := p.Import(ctx, "CN", in); err != nil {
		t.Fatalf("import: %v", err)
	}
}

var seq int

// allocate asks for a number for a binding of mode with the given party
// keys, as the binding service would.
func allocate(p *pool.Pool, req pool.Request) (*store.Binding, error) {
	seq++
	b := &store.Binding{ID: fmt.Sprintf("b%06d", seq), TenantID: req.TenantID,
		Mode: req.Mode, State: store.BindingActive, CallRestrict: "none"}
	b.ExpiresAt = b.CreatedAt.AddDate(3000, 0, 0)
	return b, p.Allocate(ctx, req, b)
}

func TestAllocateAreas(t *testing.T) {
	st := storetest.SQLite(t)
	p := newPool(t, st, pool.DefaultConfig())
	mustImport(t, p, rows("010", 1, 0, ""))
	mustImport(t, p, rows("021", 1, 0, ""))
	mustImport(t, p, rows("0755", 1, 0, ""))

	axn := func(area string, loose bool, fallback ...string) (string, error) {
		b, err := allocate(p, pool.Request{Mode: pool.ModeAXN, AreaCode: area, Loose: loose,
			Fallback: fallback})
		if err != nil {
			return "", err
		}
		n, _ := st.GetNumber(ctx, b.X)
		return n.AreaCode, nil
	}

	if area, err := axn("010", false); err != nil || area != "010" {
		t.Fatalf("strict 010: %s, %v", area, err)
	}
	_, err := axn("010", false)
	var ex *pool.ExhaustedError
	if !errors.As(err, &ex) || ex.Area != "010" || !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("strict on a full area: %v, want ExhaustedError for 010", err)
	}
	if area, err := axn("010", true, "0755"); err != nil || area != "0755" {
		t.Fatalf("loose falls back to the tenant's area first: %s, %v", area, err)
	}
	if area, err := axn("010", true, "0755"); err != nil || area != "021" {
		t.Fatalf("loose falls back to any area last: %s, %v", area, err)
	}
	if _, err := axn("010", true); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("loose with nothing left: %v, want ErrExhausted", err)
	}
}

func TestAllocateDedicated(t *testing.T) {
	st := storetest.SQLite(t)
	ts := tenant.New(st)
	owner, _, err := ts.AddTenant(ctx, "owner")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := ts.AddTenant(ctx, "other")
	p := newPool(t, st, pool.DefaultConfig())
	mustImport(t, p, rows("010", 2, 0, ""))
	mustImport(t, p, rows("010", 1, 100, "owner"))

	b, err := allocate(p, pool.Request{Mode: pool.ModeAXN, TenantID: owner.ID,
		AreaCode: "010"})
	if err != nil || b.X != "+8617001000100" {
		t.Fatalf("owner got %q, %v; want its dedicated number", b.X, err)
	}
	if _, err := allocate(p, pool.Request{Mode: pool.ModeAXN, TenantID: owner.ID,
		AreaCode: "010"}); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("owner must stay within its numbers: %v", err)
	}
	for range 2 {
		b, err := allocate(p, pool.Request{Mode: pool.ModeAXN, TenantID: other.ID,
			AreaCode: "010"})
		if err != nil || b.X == "+8617001000100" {
			t.Fatalf("other tenant got %q, %v", b.X, err)
		}
	}
}

func TestAllocateModesAndCaps(t *testing.T) {
	st := storetest.SQLite(t)
	p := newPool(t, st, pool.Config{MaxPairsPerNumber: 2, MaxExtensionsPerNumber: 3,
		ExtensionLength: 4})
	mustImport(t, p, rows("010", 3, 0, ""))

	var axb []string
	for i := range 4 {
		b, err := allocate(p, pool.Request{Mode: pool.ModeAXB, AreaCode: "010",
			Keys: []string{pool.PartyKey(fmt.Sprint("a", i)), pool.PartyKey(fmt.Sprint("b", i))}})
		if err != nil {
			t.Fatal(err)
		}
		axb = append(axb, b.X)
	}
	if axb[0] != axb[1] || axb[2] != axb[3] || axb[0] == axb[2] {
		t.Fatalf("AXB placement %v: want two per number (cap 2), packed", axb)
	}

	exts := map[string]bool{}
	for i := range 3 {
		b, err := allocate(p, pool.Request{Mode: pool.ModeAXE, AreaCode: "010",
			Keys: []string{pool.PartyKey(fmt.Sprint("e", i))}})
		if err != nil {
			t.Fatal(err)
		}
		if b.X == axb[0] || b.X == axb[2] {
			t.Fatal("an AXE binding landed on an AXB number")
		}
		if len(b.Extension) != 4 || exts[b.Extension] {
			t.Fatalf("extension %q bad or repeated", b.Extension)
		}
		exts[b.Extension] = true
	}
	if _, err := allocate(p, pool.Request{Mode: pool.ModeAXE, AreaCode: "010",
		Keys: []string{pool.PartyKey("e9")}}); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("AXE over its cap: %v, want ErrExhausted", err)
	}
	if _, err := allocate(p, pool.Request{Mode: pool.ModeAXN, AreaCode: "010"}); !errors.Is(
		err, pool.ErrExhausted) {
		t.Fatalf("AXN with no free number: %v, want ErrExhausted", err)
	}
}

func TestAllocateSameParty(t *testing.T) {
	st := storetest.SQLite(t)
	p := newPool(t, st, pool.DefaultConfig())
	mustImport(t, p, rows("010", 2, 0, ""))

	req := pool.Request{Mode: pool.ModeAXB, AreaCode: "010",
		Keys: []string{pool.PartyKey("courier"), pool.PartyKey("r1")}}
	first, _ := allocate(p, req)
	req.Keys[1] = pool.PartyKey("r2")
	second, err := allocate(p, req)
	if err != nil || second.X == first.X {
		t.Fatalf("courier's second pair on %q (%v); must avoid %q", second.X, err, first.X)
	}
	req.Keys[1] = pool.PartyKey("r3")
	if _, err := allocate(p, req); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("third pair for one courier on two numbers: %v, want ErrExhausted", err)
	}
}

func TestNewClampsExtensionCap(t *testing.T) {
	p := pool.New(storetest.SQLite(t), pool.Config{MaxPairsPerNumber: 5,
		MaxExtensionsPerNumber: 500, ExtensionLength: 2}, quiet)
	if got := p.Cap(pool.ModeAXE); got != 99 {
		t.Fatalf("AXE cap with 2-digit extensions = %d, want 99", got)
	}
	if got := p.Cap(pool.ModeAXN); got != 1 {
		t.Fatalf("AXN cap = %d, want 1", got)
	}
}

func TestImport(t *testing.T) {
	st := storetest.SQLite(t)
	p := newPool(t, st, pool.DefaultConfig())

	res, err := p.Import(ctx, "CN", []pool.NumberInput{
		{Number: "17001000001", AreaCode: "010", MonthlyCost: "12.5"},
		{Number: "+8695017", AreaCode: "010"},
	})
	if err != nil || res.Inserted != 2 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	n, _ := st.GetNumber(ctx, "+8617001000001")
	if n.MonthlyCost != 1250 || n.Kind != "mobile" || n.State != store.NumberAvailable {
		t.Fatalf("stored number = %+v", n)
	}
	if n, _ := st.GetNumber(ctx, "+8695017"); n.Kind != "95" {
		t.Fatalf("95 number kind = %q", n.Kind)
	}
	res, err = p.Import(ctx, "CN", []pool.NumberInput{{Number: "17001000001", AreaCode: "010"}})
	if err != nil || res.Skipped != 1 || res.Inserted != 0 {
		t.Fatalf("re-import: %+v, %v; want skipped", res, err)
	}

	bad := []struct {
		name  string
		row   pool.NumberInput
		field string
	}{
		{"bad number", pool.NumberInput{Number: "12", AreaCode: "010"}, "number"},
		{"no area", pool.NumberInput{Number: "17001000009"}, "area_code"},
		{"bad kind", pool.NumberInput{Number: "17001000009", AreaCode: "010",
			Kind: "satellite"}, "kind"},
		{"bad cost", pool.NumberInput{Number: "17001000009", AreaCode: "010",
			MonthlyCost: "1.234"}, "monthly_cost"},
		{"negative cost", pool.NumberInput{Number: "17001000009", AreaCode: "010",
			MonthlyCost: "-1"}, "monthly_cost"},
		{"unknown tenant", pool.NumberInput{Number: "17001000009", AreaCode: "010",
			Tenant: "nobody"}, "tenant"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			good := pool.NumberInput{Number: "17001000008", AreaCode: "010"}
			_, err := p.Import(ctx, "CN", []pool.NumberInput{good, tc.row})
			var ie *pool.InputError
			if !errors.As(err, &ie) || ie.Rows[0].Row != 2 || ie.Rows[0].Field != tc.field {
				t.Fatalf("error = %v, want row 2 field %s", err, tc.field)
			}
			if _, err := st.GetNumber(ctx, "+8617001000008"); !errors.Is(err,
				store.ErrNotFound) {
				t.Fatal("a failed import stored its good rows")
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	good := "\ufeffnumber, area_code,monthly_cost,kind\n17001000001,010,10.00,mobile\n" +
		"# comment\n17001000002,010,,\n"
	got, err := pool.ParseCSV(strings.NewReader(good))
	if err != nil || len(got) != 2 || got[0].MonthlyCost != "10.00" || got[1].AreaCode != "010" {
		t.Fatalf("ParseCSV = %+v, %v", got, err)
	}

	bad := []struct{ name, in string }{
		{"empty", ""},
		{"missing area_code", "number\n17001000001\n"},
		{"unknown column", "number,area_code,colour\n1,2,3\n"},
		{"column twice", "number,number,area_code\n"},
		{"ragged row", "number,area_code\n17001000001,010,extra\n"},
		{"bad quote", "number,area_code\n\"170,010\n"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := pool.ParseCSV(strings.NewReader(tc.in)); !errors.Is(err,
				pool.ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSetStateAndStats(t *testing.T) {
	st := storetest.SQLite(t)
	p := newPool(t, st, pool.DefaultConfig())
	mustImport(t, p, rows("010", 3, 0, ""))
	b, _ := allocate(p, pool.Request{Mode: pool.ModeAXN, AreaCode: "010"})

	if _, err := p.SetState(ctx, b.X, pool.ActionRetire); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("retire a number in use: %v, want ErrConflict", err)
	}
	if _, err := p.SetState(ctx, b.X, "paint"); !errors.Is(err, pool.ErrBadAction) {
		t.Fatalf("unknown action: %v", err)
	}
	free := "+8617001000002"
	if free == b.X {
		free = "+8617001000001"
	}
	if n, err := p.SetState(ctx, free, pool.ActionLock); err != nil || n.State != "locked" {
		t.Fatalf("lock: %+v, %v", n, err)
	}
	stats, err := p.Stats(ctx)
	if err != nil || len(stats) != 1 {
		t.Fatalf("stats: %+v, %v", stats, err)
	}
	s := stats[0]
	if s.Numbers != 3 || s.Locked != 1 || s.Available != 2 || s.AXNNumbers != 1 ||
		s.Free != 1 || s.FreePairs != 200 || s.Utilisation != 0.5 {
		t.Fatalf("stats = %+v", s)
	}

	// A locked number is never allocated.
	if _, err := allocate(p, pool.Request{Mode: pool.ModeAXN, AreaCode: "010"}); err != nil {
		t.Fatal(err)
	}
	if _, err := allocate(p, pool.Request{Mode: pool.ModeAXN, AreaCode: "010"}); !errors.Is(
		err, pool.ErrExhausted) {
		t.Fatalf("allocation reached a locked number: %v", err)
	}
	if _, err := p.SetState(ctx, "+8617001999999", pool.ActionLock); !errors.Is(err,
		store.ErrNotFound) {
		t.Fatalf("lock unknown number: %v, want ErrNotFound", err)
	}
}

func TestMoney(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"0", 0, true}, {"12", 1200, true}, {"12.5", 1250, true},
		{"12.05", 1205, true}, {"12.", 0, false}, {".5", 0, false}, {"1e3", 0, false},
		{"12.345", 0, false}, {"-1", 0, false}, {"1,00", 0, false},
	}
	for _, tc := range cases {
		got, err := pool.ParseMoney(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && pool.FormatMoney(got) != pool.FormatMoney(tc.want) {
			t.Errorf("FormatMoney(%d) mismatch", got)
		}
	}
	if pool.FormatMoney(1205) != "12.05" || pool.FormatMoney(-5) != "-0.05" {
		t.Error("FormatMoney")
	}
}
