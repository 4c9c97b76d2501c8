package pool

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"maskline/phone"
	"maskline/store"
)

// ErrInvalid is matched by every InputError.
var ErrInvalid = errors.New("invalid number input")

// InputError lists what is wrong with an import; nothing was stored.
type InputError struct {
	Rows []RowError
}

// RowError is one bad row of an import (rows count from 1, after any
// header line).
type RowError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *InputError) Error() string {
	if len(e.Rows) == 0 {
		return "invalid number input"
	}
	r := e.Rows[0]
	more := ""
	if len(e.Rows) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(e.Rows)-1)
	}
	return fmt.Sprintf("row %d: %s: %s%s", r.Row, r.Field, r.Reason, more)
}

// Is makes errors.Is(err, ErrInvalid) hold.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

// NumberInput is one number to import, as an admin gives it.
type NumberInput struct {
	Number      string `json:"number"`
	AreaCode    string `json:"area_code"`
	Kind        string `json:"kind,omitempty"`
	MonthlyCost string `json:"monthly_cost,omitempty"` // decimal, e.g. "12.50"
	Tenant      string `json:"tenant,omitempty"`       // dedicated to this tenant
}

// ImportResult counts what an import did.
type ImportResult struct {
	Inserted int `json:"inserted"`
	Skipped  int `json:"skipped"` // already in the pool
}

// maxImport bounds one import so a request cannot hold a transaction open
// for long; larger files are split by the caller.
const maxImport = 100_000

// Import validates every row first and stores nothing unless all are good.
func (p *Pool) Import(ctx context.Context, region string, rows []NumberInput) (ImportResult,
	error) {
	if len(rows) == 0 {
		return ImportResult{}, &InputError{Rows: []RowError{{Field: "numbers", Reason: "empty"}}}
	}
	if len(rows) > maxImport {
		return ImportResult{}, &InputError{Rows: []RowError{
			{Field: "numbers", Reason: fmt.Sprintf("more than %d rows", maxImport)}}}
	}

	nums, err := p.validate(ctx, region, rows)
	if err != nil {
		return ImportResult{}, err
	}

	ins, skip, err := p.st.InsertNumbers(ctx, nums)
	p.forgetDedicated()
	if err != nil {
		return ImportResult{}, fmt.Errorf("import numbers: %w", err)
	}
	p.log.InfoContext(ctx, "numbers imported", "inserted", ins, "skipped", skip)
	return ImportResult{Inserted: ins, Skipped: skip}, nil
}

func (p *Pool) validate(ctx context.Context, region string, rows []NumberInput) (
	[]store.Number, error) {
	var bad []RowError
	tenants := map[string]int64{}
	seen := make(map[string]int, len(rows))
	nums := make([]store.Number, 0, len(rows))

	for i, r := range rows {
		row := i + 1
		n, rowErr := p.validRow(region, r)
		if rowErr != nil {
			rowErr.Row = row
			bad = append(bad, *rowErr)
			continue
		}
		if first, dup := seen[n.X]; dup {
			bad = append(bad, RowError{Row: row, Field: "number",
				Reason: fmt.Sprintf("repeats row %d", first)})
			continue
		}
		seen[n.X] = row

		if r.Tenant != "" {
			id, err := p.tenantID(ctx, tenants, r.Tenant)
			if errors.Is(err, store.ErrNotFound) {
				bad = append(bad, RowError{Row: row, Field: "tenant", Reason: "unknown tenant"})
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("import numbers: %w", err)
			}
			n.TenantID = id
		}
		nums = append(nums, n)
	}
	if len(bad) > 0 {
		return nil, &InputError{Rows: bad}
	}
	return nums, nil
}

func (p *Pool) validRow(region string, r NumberInput) (store.Number, *RowError) {
	x, err := phone.ParseVirtual(r.Number, region)
	if err != nil {
		return store.Number{}, &RowError{Field: "number", Reason: "not a phone number"}
	}
	area := strings.TrimSpace(r.AreaCode)
	if !digits(area, 1, 8) {
		return store.Number{}, &RowError{Field: "area_code", Reason: "want 1 to 8 digits"}
	}
	kind := strings.TrimSpace(r.Kind)
	switch kind {
	case "":
		kind = x.Kind()
	case "mobile", "fixed", "95", "other":
	default:
		return store.Number{}, &RowError{Field: "kind",
			Reason: "want mobile, fixed, 95 or other"}
	}
	cost, err := ParseMoney(r.MonthlyCost)
	if err != nil {
		return store.Number{}, &RowError{Field: "monthly_cost", Reason: err.Error()}
	}
	return store.Number{X: x.E164(), AreaCode: area, Kind: kind,
		State: store.NumberAvailable, MonthlyCost: cost}, nil
}

func (p *Pool) tenantID(ctx context.Context, cache map[string]int64, name string) (int64,
	error) {
	if id, ok := cache[name]; ok {
		return id, nil
	}
	t, err := p.st.TenantByName(ctx, name)
	if err != nil {
		return 0, err
	}
	cache[name] = t.ID
	return t.ID, nil
}

func digits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseMoney reads a non-negative decimal amount with at most two decimal
// places ("12", "12.5", "12.50") into minor units, exactly. Empty is zero.
func ParseMoney(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if !digits(whole, 1, 12) || (frac != "" && !digits(frac, 1, 2)) ||
		strings.HasSuffix(s, ".") {
		return 0, errors.New("want an amount such as 12.50")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var v int64
	for _, c := range whole + frac {
		v = v*10 + int64(c-'0')
	}
	return v, nil
}

// FormatMoney writes minor units as a decimal with two places.
func FormatMoney(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}
