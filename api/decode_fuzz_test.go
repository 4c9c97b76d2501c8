package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"maskline/api"
)

// FuzzDecodeCreate feeds arbitrary bytes to the create decoder: it never
// panics, fails only with invalid_json or invalid_input (and no long digit
// run in the message), and what it accepts encodes back to a body that
// decodes to the same request.
func FuzzDecodeCreate(f *testing.F) {
	seeds := []string{
		`{"mode":"AXB","a":"13812345678","b":"13987654321","ttl_seconds":3600}`,
		`{"mode":"AXE","a":"+8613812345678","expires_at":"2026-12-01T08:00:00+08:00",` +
			`"area_code":"010","area_match":"loose","record":true,"call_restrict":"a_only"}`,
		`{"mode":"AXN","a":"1","n":"2","out_id":"SF\u00e91","expires_at":"2026-01-01T00:00:00.5Z"}`,
		`{"mode":1}`, `{"13812345678":true}`, `[]`, `null`, `{} {}`, `{"a":"x"`, ``,
		`{"expires_at":"tomorrow"}`, `{"ttl_seconds":1e99}`, "{\"a\":\"\xff\"}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	longDigits := regexp.MustCompile(`[0-9]{7,}`)

	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := api.DecodeCreate(data)
		if err != nil {
			var e *api.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest ||
				(e.Code != api.CodeInvalidJSON && e.Code != api.CodeInvalidInput) {
				t.Fatalf("error %v is not invalid_json or invalid_input", err)
			}
			if longDigits.MatchString(e.Message) {
				t.Fatalf("message repeats input digits: %q", e.Message)
			}
			return
		}

		body := api.CreateBody{
			Mode: string(req.Mode), A: req.A, B: req.B, N: req.N,
			TTLSeconds: req.TTLSeconds, AreaCode: req.AreaCode, AreaMatch: req.AreaMatch,
			OutID: req.OutID, Record: req.Record, CallRestrict: string(req.CallRestrict),
		}
		if !req.ExpiresAt.IsZero() {
			body.ExpiresAt = req.ExpiresAt.Format(time.RFC3339Nano)
		}
		again, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := api.DecodeCreate(again)
		if err != nil {
			t.Fatalf("decoded %q, but not its re-encoding %s: %v", data, again, err)
		}
		if !back.ExpiresAt.Equal(req.ExpiresAt) {
			t.Fatalf("expiry %v came back as %v", req.ExpiresAt, back.ExpiresAt)
		}
		back.ExpiresAt = req.ExpiresAt
		if back != req {
			t.Fatalf("round trip changed the request:\n%+v\n%+v", req, back)
		}
	})
}
