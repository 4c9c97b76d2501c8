package api_test

import (
	"net/http"
	"strings"
	"testing"

	"maskline/store/storetest"
)

// numberPage is the answer of GET /v1/admin/numbers.
type numberPage struct {
	Numbers []struct {
		X           string `json:"x"`
		XE164       string `json:"x_e164"`
		AreaCode    string `json:"area_code"`
		Kind        string `json:"kind"`
		State       string `json:"state"`
		MonthlyCost string `json:"monthly_cost"`
		TenantID    int64  `json:"tenant_id"`
		Bindings    int    `json:"bindings"`
	} `json:"numbers"`
	Next string `json:"next"`
}

func (f *fixture) numbers(t *testing.T, query string) numberPage {
	t.Helper()
	r := f.send(t, http.MethodGet, "/v1/admin/numbers"+query, f.keyAdmin, nil)
	r.expectStatus(t, http.StatusOK)
	var p numberPage
	r.decode(t, &p)
	return p
}

type importResult struct {
	Inserted int `json:"inserted"`
	Skipped  int `json:"skipped"`
}

func TestImportNumbers(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	jsonRows := `[{"number": "17155500001", "area_code": "0755", "monthly_cost": "12.50"},
		{"number": "+8617155500002", "area_code": "0755", "kind": "mobile",
		 "monthly_cost": 8, "tenant": "acme"}]`
	csvRows := "number,area_code,monthly_cost\n17155500003,0755,3.5\n17155500004,0755,\n"
	cases := []struct {
		name, ctype, body string
		status            int
		want              importResult
	}{
		{"JSON", "application/json", jsonRows, http.StatusCreated, importResult{2, 0}},
		{"JSON again", "application/json", jsonRows, http.StatusOK, importResult{0, 2}},
		{"CSV", "text/csv", csvRows, http.StatusCreated, importResult{2, 0}},
		{"CSV with charset", "text/csv; charset=utf-8", csvRows, http.StatusOK,
			importResult{0, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodPost, "/v1/admin/numbers", f.keyAdmin, tc.body,
				"Content-Type", tc.ctype)
			r.expectStatus(t, tc.status)
			var got importResult
			r.decode(t, &got)
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	p := f.numbers(t, "?area_code=0755")
	if len(p.Numbers) != 4 || p.Numbers[0].MonthlyCost != "12.50" ||
		p.Numbers[1].TenantID != f.acme.ID || p.Numbers[2].MonthlyCost != "3.50" {
		t.Fatalf("imported numbers: %+v", p.Numbers)
	}
}

func TestImportRejectsBadRows(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cases := []struct {
		name, ctype, body string
		code              string
		rows              int
	}{
		{"CSV with a bad number", "text/csv",
			"number,area_code\n17166600001,0571\nnot-a-number,0571\n17166600003,0571\n",
			"invalid_input", 1},
		{"CSV bad area and repeat", "text/csv",
			"number,area_code\n17166600001,057a\n17166600002,0571\n17166600002,0571\n",
			"invalid_input", 2},
		{"CSV unknown column", "text/csv", "number,area,cost\n17166600001,0571,1\n",
			"invalid_input", 1},
		{"JSON unknown tenant", "application/json",
			`[{"number":"17166600001","area_code":"0571","tenant":"nobody"}]`,
			"invalid_input", 1},
		{"JSON bad cost", "application/json",
			`[{"number":"17166600001","area_code":"0571","monthly_cost":"1.234"}]`,
			"invalid_input", 1},
		{"JSON empty", "application/json", `[]`, "invalid_input", 1},
		{"JSON object", "application/json", `{"number":"17166600001"}`, "invalid_input", 0},
		{"JSON unknown field", "application/json",
			`[{"number":"17166600001","area_code":"0571","owner":"x"}]`, "invalid_input", 0},
		{"JSON malformed", "application/json", `[{"number":`, "invalid_json", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodPost, "/v1/admin/numbers", f.keyAdmin, tc.body,
				"Content-Type", tc.ctype)
			e := r.expectError(t, http.StatusBadRequest, tc.code)
			if len(e.Rows) != tc.rows {
				t.Fatalf("%d row errors, want %d: %s", len(e.Rows), tc.rows, r.raw)
			}
			if p := f.numbers(t, "?area_code=0571"); len(p.Numbers) != 0 {
				t.Fatalf("a rejected import stored %d numbers", len(p.Numbers))
			}
		})
	}

	r := f.send(t, http.MethodPost, "/v1/admin/numbers", f.keyAdmin, "number\n1\n",
		"Content-Type", "application/xml")
	r.expectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
}

func TestListNumbers(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))

	if p := f.numbers(t, ""); len(p.Numbers) != 20 || p.Next != "" {
		t.Fatalf("all numbers: %d, next %q", len(p.Numbers), p.Next)
	}
	p := f.numbers(t, "?area_code=021")
	if len(p.Numbers) != 10 {
		t.Fatalf("area 021: %d numbers", len(p.Numbers))
	}
	for _, n := range p.Numbers {
		if n.AreaCode != "021" || n.State != "available" || "+86"+n.X != n.XE164 {
			t.Fatalf("number %+v", n)
		}
	}

	// Paging: pages of four cover area 010 once, in order.
	var seen []string
	for after := ""; ; {
		page := f.numbers(t, "?area_code=010&limit=4&after="+strings.TrimPrefix(after, "+"))
		for _, n := range page.Numbers {
			seen = append(seen, n.XE164)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if len(seen) != 10 || seen[0] != "+8617010000001" || seen[9] != "+8617010000010" {
		t.Fatalf("paged through %v", seen)
	}

	bad := []string{"?state=gone", "?limit=0", "?limit=5000", "?limit=x", "?after=abc"}
	for _, q := range bad {
		t.Run(q, func(t *testing.T) {
			r := f.send(t, http.MethodGet, "/v1/admin/numbers"+q, f.keyAdmin, nil)
			r.expectError(t, http.StatusBadRequest, "invalid_input")
		})
	}
}

func TestNumberStates(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.create(t, f.keyAcme, axb())
	free := "17021000001"
	cases := []struct {
		name, x, action string
		status          int
		state, code     string
	}{
		{"lock", free, "lock", 200, "locked", ""},
		{"unlock", free, "unlock", 200, "available", ""},
		{"retire a free number", "+86" + free, "retire", 200, "retired", ""},
		{"retire a number in use", c.X, "retire", 409, "", "conflict"},
		{"lock a number in use", c.XE164, "lock", 200, "locked", ""},
		{"unknown action", free, "paint", 400, "", "invalid_input"},
		{"unknown number", "17099999999", "lock", 404, "", "not_found"},
		{"not a number", "abc", "lock", 404, "", "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.send(t, http.MethodPatch, "/v1/admin/numbers/"+tc.x, f.keyAdmin,
				map[string]string{"action": tc.action})
			if tc.code != "" {
				r.expectError(t, tc.status, tc.code)
				return
			}
			r.expectStatus(t, tc.status)
			var n struct {
				State string `json:"state"`
			}
			r.decode(t, &n)
			if n.State != tc.state {
				t.Fatalf("state %q, want %q", n.State, tc.state)
			}
		})
	}

	if p := f.numbers(t, "?state=locked"); len(p.Numbers) != 1 || p.Numbers[0].X != c.X {
		t.Fatalf("locked numbers: %+v", p.Numbers)
	}
}

func TestPoolStats(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.create(t, f.keyAcme, axb())
	f.create(t, f.keyAcme, map[string]any{"mode": "AXN", "a": canaryA, "ttl_seconds": 600,
		"area_code": "010"})

	r := f.send(t, http.MethodGet, "/v1/admin/pool", f.keyAdmin, nil)
	r.expectStatus(t, http.StatusOK)
	var got struct {
		Areas []struct {
			AreaCode     string  `json:"area_code"`
			Numbers      int     `json:"numbers"`
			Free         int     `json:"free"`
			AXBNumbers   int     `json:"axb_numbers"`
			AXNNumbers   int     `json:"axn_numbers"`
			LiveBindings int     `json:"live_bindings"`
			FreePairs    int     `json:"free_axb_pairs"`
			Utilisation  float64 `json:"utilisation"`
		} `json:"areas"`
	}
	r.decode(t, &got)
	if len(got.Areas) != 2 {
		t.Fatalf("areas: %s", r.raw)
	}
	for _, a := range got.Areas {
		switch a.AreaCode {
		case "010":
			if a.Numbers != 10 || a.Free != 8 || a.AXBNumbers != 1 || a.AXNNumbers != 1 ||
				a.LiveBindings != 2 || a.Utilisation <= 0 {
				t.Fatalf("area 010: %+v", a)
			}
		case "021":
			if a.Numbers != 10 || a.Free != 10 || a.LiveBindings != 0 {
				t.Fatalf("area 021: %+v", a)
			}
		default:
			t.Fatalf("unexpected area %q", a.AreaCode)
		}
	}
}
