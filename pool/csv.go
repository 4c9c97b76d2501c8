package pool

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvColumns are the columns an import file may name in its header line;
// number and area_code are required.
var csvColumns = []string{"number", "area_code", "kind", "monthly_cost", "tenant"}

// ParseCSV reads an import file whose first line names its columns
// (number,area_code[,kind,monthly_cost,tenant], in any order).
func ParseCSV(r io.Reader) ([]NumberInput, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	cr.Comment = '#'

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Rows: []RowError{{Field: "header", Reason: "empty file"}}}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols, err := columnIndex(header)
	if err != nil {
		return nil, err
	}

	var rows []NumberInput
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(rows) >= maxImport {
			return nil, &InputError{Rows: []RowError{
				{Field: "numbers", Reason: fmt.Sprintf("more than %d rows", maxImport)}}}
		}
		rows = append(rows, rowFrom(rec, cols))
	}
}

func columnIndex(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range csvColumns {
			known = known || c == name
		}
		if !known {
			return nil, &InputError{Rows: []RowError{{Field: "header",
				Reason: fmt.Sprintf("unknown column %q (want %s)", name,
					strings.Join(csvColumns, ","))}}}
		}
		if _, dup := cols[name]; dup {
			return nil, &InputError{Rows: []RowError{{Field: "header",
				Reason: fmt.Sprintf("column %q twice", name)}}}
		}
		cols[name] = i
	}
	for _, req := range csvColumns[:2] {
		if _, ok := cols[req]; !ok {
			return nil, &InputError{Rows: []RowError{{Field: "header",
				Reason: fmt.Sprintf("missing column %q", req)}}}
		}
	}
	return cols, nil
}

func rowFrom(rec []string, cols map[string]int) NumberInput {
	get := func(name string) string {
		i, ok := cols[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	return NumberInput{Number: get("number"), AreaCode: get("area_code"), Kind: get("kind"),
		MonthlyCost: get("monthly_cost"), Tenant: get("tenant")}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{Rows: []RowError{{Row: max(pe.Line-1, 0), Field: "csv",
			Reason: pe.Err.Error()}}}
	}
	return fmt.Errorf("read csv: %w", err)
}
