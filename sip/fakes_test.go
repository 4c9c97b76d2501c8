package sip_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"maskline/billing"
	"maskline/binding"
	"maskline/phone"
)

// Numbers of the fixtures: valid Chinese mobile numbers, all made up.
const (
	numA        = "+8613812345678" // recipient: A of every binding
	numB        = "+8613912345678" // courier: B of the AXB binding
	numN        = "+8618612345678" // N of the AXN binding
	numStranger = "+8615012345678" // on no binding
	xAXB        = "+8617012345678"
	xAXN        = "+8617112345678"
	xAXE        = "+8616512345678"
	xExpired    = "+8617012340000"
	xUnknown    = "+8617012349999"
	extAXE      = "0123"
)

// waitFor bounds every wait of the tests for something that should happen
// at once; it is a safety net, not a timing assertion.
const waitFor = 10 * time.Second

type fakeBinding struct {
	id      string
	mode    binding.Mode
	x, a, b phone.Number // b is N for AXN
	ext     string
	expired bool
}

// fakeRouter routes on the bindings a test defines, the way the binding
// service does, and remembers what it was asked.
type fakeRouter struct {
	mu       sync.Mutex
	bindings []fakeBinding
	down     bool
	ended    []binding.Decision
	asked    []binding.RouteRequest
	reached  []binding.Decision
}

func num(s string) phone.Number { return phone.MustParse(s, "CN") }

func newRouter() *fakeRouter {
	return &fakeRouter{bindings: []fakeBinding{
		{id: "b-axb", mode: binding.AXB, x: num(xAXB), a: num(numA), b: num(numB)},
		{id: "b-axn", mode: binding.AXN, x: num(xAXN), a: num(numA), b: num(numN)},
		{id: "b-axe", mode: binding.AXE, x: num(xAXE), a: num(numA), ext: extAXE},
		{id: "b-old", mode: binding.AXB, x: num(xExpired), a: num(numA), b: num(numB),
			expired: true},
	}}
}

func (r *fakeRouter) setDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

func (r *fakeRouter) lastAsked() binding.RouteRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked[len(r.asked)-1]
}

func (r *fakeRouter) Route(ctx context.Context, req binding.RouteRequest) (
	binding.Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, req)
	if r.down {
		return binding.Decision{}, fmt.Errorf("find binding: %w", binding.ErrUnavailable)
	}

	caller, _ := phone.Parse(req.Caller, "CN")
	dialled, ext := req.Dialled, req.Extension
	if i := strings.IndexAny(dialled, "-*"); i > 0 {
		dialled, ext = dialled[:i], dialled[i+1:]
	}
	x, err := phone.Parse(dialled, "CN")
	if err != nil {
		return binding.Decision{}, &binding.Refused{Reason: binding.NoBinding}
	}
	for _, b := range r.bindings {
		if b.x == x {
			return route(b, caller, ext)
		}
	}
	return binding.Decision{}, &binding.Refused{Reason: binding.NoBinding}
}

func route(b fakeBinding, caller phone.Number, ext string) (binding.Decision, error) {
	refuse := func(reason binding.Reason) (binding.Decision, error) {
		return binding.Decision{}, &binding.Refused{Reason: reason, BindingID: b.id, Mode: b.mode}
	}
	d := binding.Decision{BindingID: b.id, TenantID: 7, Mode: b.mode, X: b.x,
		Caller: caller, OutID: "WB-" + b.id}
	switch {
	case b.expired:
		return refuse(binding.Expired)
	case b.mode == binding.AXB && caller == b.a:
		d.Callee, d.Direction = b.b, binding.AToPeer
	case b.mode == binding.AXB && caller == b.b:
		d.Callee, d.Direction = b.a, binding.PeerToA
	case b.mode == binding.AXB:
		return refuse(binding.NotAllowed)
	case b.mode == binding.AXN && caller == b.a:
		d.Callee, d.Direction = b.b, binding.AToPeer
	case b.mode == binding.AXN:
		d.Callee, d.Direction = b.a, binding.PeerToA
	case ext == "":
		return refuse(binding.NeedExt)
	case ext != b.ext:
		return refuse(binding.BadExtension)
	default:
		d.Callee, d.Direction, d.Extension = b.a, binding.PeerToA, ext
	}
	return d, nil
}

func (r *fakeRouter) Ended(ctx context.Context, d binding.Decision) {
	r.mu.Lock()
	r.ended = append(r.ended, d)
	r.mu.Unlock()
}

func (r *fakeRouter) Reached(ctx context.Context, d binding.Decision) error {
	r.mu.Lock()
	r.reached = append(r.reached, d)
	r.mu.Unlock()
	return nil
}

// fakeRecorder collects call records.
type fakeRecorder struct {
	ch chan *billing.CallRecord
}

func newRecorder() *fakeRecorder {
	return &fakeRecorder{ch: make(chan *billing.CallRecord, 4096)}
}

func (r *fakeRecorder) Record(ctx context.Context, rec *billing.CallRecord) error {
	select {
	case r.ch <- rec:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next returns the next call record, failing the test when none comes.
func (r *fakeRecorder) next(t *testing.T) *billing.CallRecord {
	t.Helper()
	return recv(t, r.ch, "call record")
}

// none fails the test if a record is waiting.
func (r *fakeRecorder) none(t *testing.T) {
	t.Helper()
	select {
	case rec := <-r.ch:
		t.Fatalf("unexpected call record: %+v", rec)
	default:
	}
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("no %s within %s", what, waitFor)
		panic("unreachable")
	}
}

// offer returns an SDP body whose origin and session name carry who, the
// way some phones fill them with their own number.
func offer(who string, port int) []byte {
	return []byte("v=0\r\n" +
		"o=" + strings.TrimPrefix(who, "+") + " 1234 1 IN IP4 127.0.0.1\r\n" +
		"s=" + who + "\r\n" +
		"p=" + who + "\r\n" +
		"c=IN IP4 127.0.0.1\r\n" +
		"t=0 0\r\n" +
		fmt.Sprintf("m=audio %d RTP/AVP 0 8 101\r\n", port) +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n")
}

// noCallsLeft waits until the server has no call in flight: a call leaves
// the registry just after its record was handed over.
func noCallsLeft(t *testing.T, srv interface{ Calls() int }) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for srv.Calls() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls still in flight", srv.Calls())
		}
		time.Sleep(2 * time.Millisecond)
	}
}
