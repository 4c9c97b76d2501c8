package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"maskline/binding"
	"maskline/pool"
)

// maxBody is the largest request body accepted, as the product contract
// sets it.
const maxBody = 64 << 10

// Media types the API reads.
const (
	mediaJSON = "application/json"
	mediaCSV  = "text/csv"
)

// readBody checks the body's media type against the allowed ones and
// reads it whole, refusing more than maxBody bytes. It returns the media
// type found.
func readBody(w http.ResponseWriter, r *http.Request, allowed ...string) ([]byte, string,
	error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !contains(allowed, media) {
		return nil, "", newError(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Content-Type must be "+strings.Join(allowed, " or "))
	}

	tooLarge := newError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
		fmt.Sprintf("request body over %d bytes", maxBody))
	if r.ContentLength > maxBody {
		return nil, "", tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, "", tooLarge
	case err != nil:
		return nil, "", fmt.Errorf("read body: %w", err)
	}
	return data, media, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// decodeJSON reads data as exactly one JSON value into v, which must be
// an object (open '{') or an array (open '['). Unknown fields, wrong
// types and trailing data are invalid_input; malformed JSON is
// invalid_json. No message repeats input values.
func decodeJSON(data []byte, open byte, v any) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return newError(http.StatusBadRequest, CodeInvalidJSON, "empty body")
	}
	if trimmed[0] != open {
		if !json.Valid(data) {
			return syntaxError(data)
		}
		want := "an object"
		if open == '[' {
			want = "an array"
		}
		return invalidInput("body", "body: want "+want)
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalidInput("body", "body: unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into an API error.
func jsonError(data []byte, err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return invalidInput(field, field+": want "+jsonType(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if !plainName(name) {
			return invalidInput("body", "body: unknown field")
		}
		return invalidInput(name, name+": unknown field")
	case json.Valid(data):
		// A value of the right JSON type but the wrong form, such as a
		// string that is not a number; the library's text quotes it.
		return invalidInput("body", "body: a value has the wrong form")
	default:
		return syntaxError(data)
	}
}

// syntaxError reports malformed JSON by position only.
func syntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return newError(http.StatusBadRequest, CodeInvalidJSON,
			fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	}
	return newError(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON")
}

// jsonType names a Go kind the way a JSON client thinks of it.
func jsonType(kind string) string {
	switch {
	case kind == "bool":
		return "true or false"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "an array"
	case kind == "struct":
		return "an object"
	default:
		return "another type"
	}
}

// plainName reports whether an unknown field's name is safe to repeat in
// a message: short, lower-case letters and underscores, so that no number
// a client sent as a key comes back.
func plainName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return true
}

// CreateBody is the JSON body of POST /v1/bindings.
type CreateBody struct {
	Mode         string `json:"mode"`
	A            string `json:"a"`
	B            string `json:"b,omitempty"`
	N            string `json:"n,omitempty"`
	ExpiresAt    string `json:"expires_at,omitempty"` // RFC 3339
	TTLSeconds   int    `json:"ttl_seconds,omitempty"`
	AreaCode     string `json:"area_code,omitempty"`
	AreaMatch    string `json:"area_match,omitempty"`
	OutID        string `json:"out_id,omitempty"`
	Record       bool   `json:"record,omitempty"`
	CallRestrict string `json:"call_restrict,omitempty"`
}

// DecodeCreate parses the body of POST /v1/bindings. It checks the form of
// the body only (JSON, field types, the expiry's format); the binding
// service validates the values. Errors are *Error with code invalid_json
// or invalid_input.
func DecodeCreate(data []byte) (binding.CreateRequest, error) {
	var body CreateBody
	if err := decodeJSON(data, '{', &body); err != nil {
		return binding.CreateRequest{}, err
	}

	at, err := parseTime("expires_at", body.ExpiresAt)
	if err != nil {
		return binding.CreateRequest{}, err
	}
	return binding.CreateRequest{
		Mode: binding.Mode(body.Mode), A: body.A, B: body.B, N: body.N, ExpiresAt: at,
		TTLSeconds: body.TTLSeconds, AreaCode: body.AreaCode, AreaMatch: body.AreaMatch,
		OutID: body.OutID, Record: body.Record,
		CallRestrict: binding.Restrict(body.CallRestrict),
	}, nil
}

// parseTime reads an RFC 3339 time; empty is the zero time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalidInput(field, field+": want an RFC 3339 time")
	}
	return t, nil
}

// patchBody is the JSON body of PATCH /v1/bindings/{id}; absent fields
// stay as they are.
type patchBody struct {
	B            *string `json:"b"`
	ExpiresAt    *string `json:"expires_at"`
	Record       *bool   `json:"record"`
	CallRestrict *string `json:"call_restrict"`
}

// decodePatch parses the body of PATCH /v1/bindings/{id}.
func decodePatch(data []byte) (binding.Patch, error) {
	var body patchBody
	if err := decodeJSON(data, '{', &body); err != nil {
		return binding.Patch{}, err
	}

	p := binding.Patch{B: body.B, Record: body.Record}
	if body.ExpiresAt != nil {
		at, err := parseTime("expires_at", *body.ExpiresAt)
		if err != nil {
			return binding.Patch{}, err
		}
		if at.IsZero() {
			return binding.Patch{}, invalidInput("expires_at", "expires_at: empty")
		}
		p.ExpiresAt = &at
	}
	if body.CallRestrict != nil {
		r := binding.Restrict(*body.CallRestrict)
		p.CallRestrict = &r
	}
	return p, nil
}

// decodeReveal parses {"reason": "..."}.
func decodeReveal(data []byte) (string, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(data, '{', &body); err != nil {
		return "", err
	}
	return body.Reason, nil
}

// numberBody is one row of a JSON number import. The monthly cost may be
// a JSON number or a string; either way it is read as an exact decimal.
type numberBody struct {
	Number      string      `json:"number"`
	AreaCode    string      `json:"area_code"`
	Kind        string      `json:"kind"`
	MonthlyCost json.Number `json:"monthly_cost"`
	Tenant      string      `json:"tenant"`
}

// decodeNumbers parses a number import: a JSON array of rows, or a CSV
// file with a header line.
func decodeNumbers(data []byte, media string) ([]pool.NumberInput, error) {
	if media == mediaCSV {
		rows, err := pool.ParseCSV(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse csv: %w", err)
		}
		return rows, nil
	}

	var body []numberBody
	if err := decodeJSON(data, '[', &body); err != nil {
		return nil, err
	}
	rows := make([]pool.NumberInput, len(body))
	for i, b := range body {
		rows[i] = pool.NumberInput{Number: b.Number, AreaCode: b.AreaCode, Kind: b.Kind,
			MonthlyCost: b.MonthlyCost.String(), Tenant: b.Tenant}
	}
	return rows, nil
}

// decodeAction parses {"action": "lock|unlock|retire"}.
func decodeAction(data []byte) (string, error) {
	var body struct {
		Action string `json:"action"`
	}
	if err := decodeJSON(data, '{', &body); err != nil {
		return "", err
	}
	return body.Action, nil
}
