package sip_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func itoa(n int) string { return strconv.Itoa(n) }

// dialOpts describe the caller's INVITE.
type dialOpts struct {
	from      string // From user
	to        string // Request-URI user
	uri       string // a whole Request-URI instead; "HOST" stands for the broker
	transport string // "udp" (default) or "tcp"
	headers   []sip.Header
	sdp       []byte
	lateOffer bool // no SDP in the INVITE: the offer comes in the 200
}

func (e *env) brokerAddr(transport string) netip.AddrPort {
	if strings.EqualFold(transport, "tcp") {
		return e.srv.TCPAddr()
	}
	return e.srv.UDPAddr()
}

// invite sends the caller's INVITE through sipgo's dialog client.
func (e *env) invite(ctx context.Context, o dialOpts) (*sipgo.DialogClientSession, error) {
	transport := strings.ToUpper(o.transport)
	if transport == "" {
		transport = "UDP"
	}
	addr := e.brokerAddr(transport).String()
	raw := o.uri
	if raw == "" {
		raw = "sip:" + o.to + "@HOST"
	}
	var uri sip.Uri
	if err := sip.ParseUri(strings.ReplaceAll(raw, "HOST", addr), &uri); err != nil {
		return nil, err
	}

	req := sip.NewRequest(sip.INVITE, uri)
	req.SetDestination(addr)
	req.SetTransport(transport)
	req.AppendHeader(&sip.FromHeader{
		Address: sip.Uri{Scheme: "sip", User: o.from, Host: "127.0.0.1"},
		Params:  sip.HeaderParams{{K: "tag", V: sip.GenerateTagN(10)}},
	})
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: o.to, Host: addr}})
	for _, h := range o.headers {
		req.AppendHeader(h)
	}
	body := o.sdp
	if body == nil {
		body = offer(o.from, 40000)
	}
	if o.lateOffer {
		req.SetBody(nil)
	} else {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		req.SetBody(body)
	}

	dua := sipgo.DialogUA{Client: e.phone.cli, ContactHDR: e.phone.contact(transport)}
	return dua.WriteInvite(ctx, req)
}

// place sends an INVITE and waits for its final answer; it returns the
// session, every status the caller saw, and the failure status (0 when
// answered, and then ACKed). It never fails the test, so goroutines other
// than the test's may use it.
func (e *env) place(ctx context.Context, o dialOpts) (
	*sipgo.DialogClientSession, []int, int, error) {
	sess, err := e.invite(ctx, o)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("invite: %w", err)
	}

	var codes []int
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(r *sip.Response) error {
		codes = append(codes, r.StatusCode)
		return nil
	}})
	var failed *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &failed):
		return sess, codes, failed.Res.StatusCode, nil
	case err != nil:
		return sess, codes, 0, fmt.Errorf("wait answer: %w", err)
	}
	if err := sess.Ack(ctx); err != nil {
		return sess, codes, 0, fmt.Errorf("ack: %w", err)
	}
	return sess, codes, 0, nil
}

// dial is place for the test goroutine.
func (e *env) dial(t *testing.T, o dialOpts) (*sipgo.DialogClientSession, []int, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sess, codes, failed, err := e.place(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return sess, codes, failed
}

// connect places a call that must be answered.
func (e *env) connect(t *testing.T, o dialOpts) (*sipgo.DialogClientSession, []int) {
	t.Helper()
	sess, codes, failed := e.dial(t, o)
	if failed != 0 {
		t.Fatalf("call refused with %d, want answered", failed)
	}
	return sess, codes
}

// hangUp sends the caller's BYE.
func hangUp(t *testing.T, sess *sipgo.DialogClientSession) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("bye: %v", err)
	}
}

// userOf returns the user part of a request's URI-bearing header value.
func userOf(t *testing.T, value string) string {
	t.Helper()
	var uri sip.Uri
	if _, err := sip.ParseAddressValue(value, &uri, nil); err != nil {
		t.Fatalf("parse %q: %v", value, err)
	}
	return uri.User
}

func contains(codes []int, code int) bool {
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

func sipAnswerOptions() sipgo.AnswerOptions { return sipgo.AnswerOptions{} }
