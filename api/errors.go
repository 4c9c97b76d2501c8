package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"maskline/billing"
	"maskline/binding"
	"maskline/phone"
	"maskline/pool"
	"maskline/store"
	"maskline/tenant"
)

// Error codes of the API. Clients branch on the code, never on the
// message, which is for people.
const (
	CodeInvalidJSON          = "invalid_json"
	CodeInvalidInput         = "invalid_input"
	CodeUnauthenticated      = "unauthenticated"
	CodeForbidden            = "forbidden"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeConflict             = "conflict"
	CodePoolExhausted        = "pool_exhausted"
	CodeIdempotencyConflict  = "idempotency_conflict"
	CodeBodyTooLarge         = "body_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeRateLimited          = "rate_limited"
	CodeStoreUnavailable     = "store_unavailable"
	CodeInternal             = "internal"
)

// Error is the error object of every failed request, sent as
// {"error": {...}} with Status as the HTTP status. Its message names the
// field at fault where there is one and never holds a full phone number.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the input field at fault, for invalid_input.
	Field string `json:"field,omitempty"`
	// Area is the area code asked for ("any" when none), for pool_exhausted.
	Area string `json:"area,omitempty"`
	// Rows lists the bad rows of a number import; nothing was stored.
	Rows []pool.RowError `json:"rows,omitempty"`

	retryAfter time.Duration // sent as Retry-After when positive
}

// Error returns the code and message, for logs and tests.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// newError returns an Error without field details.
func newError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// invalidInput is a 400 naming field; msg should start with the field.
func invalidInput(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidInput, Field: field,
		Message: msg}
}

// Errors the API raises itself.
var (
	errUnauthenticated = newError(http.StatusUnauthorized, CodeUnauthenticated,
		"missing or unknown API key")
	errNotFound = newError(http.StatusNotFound, CodeNotFound, "no such resource")
)

// forbidden is a 403 saying what the key lacks.
func forbidden(msg string) *Error {
	return newError(http.StatusForbidden, CodeForbidden, msg)
}

// classify maps an error from a service (or from the API itself) to the
// answer a client sees. Unknown errors are internal: the caller logs them
// and the client gets a generic message.
func classify(err error) *Error {
	var (
		apiErr *Error
		invErr *binding.InvalidError
		rowErr *pool.InputError
		exhErr *pool.ExhaustedError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &invErr):
		return invalidInput(invErr.Field, invErr.Error())
	case errors.As(err, &rowErr):
		e := invalidInput("rows", "the import has bad rows; nothing was stored")
		e.Rows = rowErr.Rows
		return e
	case errors.As(err, &exhErr):
		return exhausted(exhErr)
	}

	if e := classifySentinel(err); e != nil {
		return e
	}
	return newError(http.StatusInternalServerError, CodeInternal, "internal error")
}

func exhausted(e *pool.ExhaustedError) *Error {
	area := e.Area
	if area == "" {
		area = "any"
	}
	return &Error{Status: http.StatusConflict, Code: CodePoolExhausted, Area: area,
		Message: "no virtual number free in area " + area}
}

// classifySentinel maps the domain packages' sentinel errors.
//
// A reused idempotency key is 422, as the IETF Idempotency-Key draft
// advises: the request is well formed but cannot be processed under that
// key. A key still in progress is 409 with a short Retry-After.
func classifySentinel(err error) *Error {
	switch {
	case errors.Is(err, binding.ErrKeyReused):
		return newError(http.StatusUnprocessableEntity, CodeIdempotencyConflict,
			"idempotency key already used with a different request body")
	case errors.Is(err, binding.ErrInProgress):
		e := newError(http.StatusConflict, CodeIdempotencyConflict,
			"a request with this idempotency key is still in progress")
		e.retryAfter = time.Second
		return e
	case errors.Is(err, pool.ErrBadAction):
		return invalidInput("action", "action: want lock, unlock or retire")
	case errors.Is(err, tenant.ErrUnauthenticated):
		return errUnauthenticated
	case errors.Is(err, binding.ErrUnavailable), errors.Is(err, store.ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded):
		return newError(http.StatusServiceUnavailable, CodeStoreUnavailable,
			"the store is unavailable; retry later")
	case errors.Is(err, binding.ErrNotFound), errors.Is(err, billing.ErrNotFound),
		errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, binding.ErrConflict), errors.Is(err, store.ErrConflict):
		return newError(http.StatusConflict, CodeConflict,
			"the request conflicts with the resource's current state")
	}
	return nil
}

// longDigits finds runs of digits long enough to be a phone number.
var longDigits = regexp.MustCompile(`\+?[0-9]{7,}`)

// scrub masks any long digit run in s. Messages are built not to hold
// numbers in the first place; this is the second line of defence.
func scrub(s string) string {
	return longDigits.ReplaceAllStringFunc(s, phone.Mask)
}

// statusCode returns the code that names a bare HTTP status, for the
// answers the router makes on its own (404, 405).
func statusCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	default:
		return "http_" + strconv.Itoa(status)
	}
}
