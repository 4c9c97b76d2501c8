package sip

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
	"maskline/binding"
)

// callState is where a call is in its life. While it is below
// stConfirmed the INVITE handler goroutine owns the call and everything
// else reaches it through events; from stConfirmed on, requests and timers
// act on it directly under its mutex.
type callState int32

const (
	stSetup     callState = iota // routing and ringing
	stAnswered                   // 200 sent to the caller, its ACK awaited
	stConfirmed                  // both legs up
	stEnded
)

// eventKind is something that happened to a call outside its INVITE
// handler.
type eventKind uint8

const (
	evCancel      eventKind = iota + 1 // the caller's CANCEL, already answered 487 by sipgo
	evByeA                             // BYE from the caller, already answered 200
	evByeB                             // BYE from the callee, already answered 200
	evHangup                           // shutdown
	evMaxDuration                      // the call reached cfg.MaxDuration
	evAck                              // an ACK from the caller (req holds it)
)

type event struct {
	kind eventKind
	req  *sipmsg.Request
}

// release is how a call ended: who ended it, with which SIP status and
// Q.850 cause, and the call record's unconnected reason.
type release struct {
	side   string
	code   int
	q850   int
	reason string
}

// call owns both legs of one call, from the caller's INVITE to the last
// BYE, and the timers in between. Every goroutine and timer it starts ends
// with it.
type call struct {
	srv *Server
	id  string
	log atomic.Pointer[slog.Logger] // made on first use: most calls never log

	invite  *sipmsg.Request // the caller's INVITE, as received
	txA     sipmsg.ServerTransaction
	aKey    dialogKey
	a, b    leg
	inviteB *sipmsg.Request // the INVITE the broker sent on leg B
	txB     sipmsg.ClientTransaction
	early   bool // the caller's INVITE carried the offer
	dec     binding.Decision
	rec     billing.CallRecord
	ok200   *sipmsg.Response // the 200 sent to the caller, for retransmission

	events    chan event
	up        chan struct{} // closed once the call is confirmed
	cancelled atomic.Bool   // the caller's CANCEL arrived
	hungUp    atomic.Bool   // shutdown asked the call to end
	setup     setupState    // owned by the INVITE handler

	mu       sync.Mutex
	state    callState
	ackB     *sipmsg.Request // ACK of leg B's 2xx, resent on retransmissions
	maxTimer *time.Timer
	relaying bool                 // a re-INVITE, UPDATE or INFO is in flight
	relayAck chan *sipmsg.Request // ACKs wanted by a relayed re-INVITE
}

// post hands ev to the INVITE handler while it still owns the call; it
// reports false when the call is past that stage, and the caller must act
// itself.
func (c *call) post(ev event) bool {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.state >= stConfirmed {
		return false
	}
	select {
	case c.events <- ev:
	default:
		c.logger().Warn("call event dropped", "kind", int(ev.kind))
	}
	return true
}

func (c *call) answered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state >= stAnswered
}

// confirmed moves the call to stConfirmed and returns the events posted
// before, which the caller must now handle itself.
func (c *call) confirmed() []event {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.state = stConfirmed
	close(c.up)
	var pending []event
	for {
		select {
		case ev := <-c.events:
			pending = append(pending, ev)
		default:
			return pending
		}
	}
}

// logger returns the call's child logger, named by its record id.
func (c *call) logger() *slog.Logger {
	if l := c.log.Load(); l != nil {
		return l
	}
	l := c.srv.log.With("call", c.id)
	c.log.CompareAndSwap(nil, l)
	return c.log.Load()
}

// debug logs at debug level without making the child logger when debug
// is off.
func (c *call) debug(msg string, args ...any) {
	if c.srv.log.Enabled(context.Background(), slog.LevelDebug) {
		c.logger().Debug(msg, args...)
	}
}
