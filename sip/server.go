package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"maskline/billing"
	"maskline/binding"
	"maskline/phone"
)

// Router decides where a call goes. The binding service implements it.
type Router interface {
	// Route returns the decision for an incoming call, a *binding.Refused
	// when the call must not be connected, an error wrapping
	// binding.ErrUnavailable when the store is down, or another error.
	Route(ctx context.Context, req binding.RouteRequest) (binding.Decision, error)

	// Reached is told when a routed call was answered, for AXE callback
	// bookkeeping. Its error is logged, never fatal to the call.
	Reached(ctx context.Context, d binding.Decision) error

	// Ended is told once when a call that Route connected is over, however
	// it ended, so per-binding call limits are released.
	Ended(ctx context.Context, d binding.Decision)
}

// Recorder keeps call records. Record is called once per INVITE that
// reached routing, when the call is over; it runs on the signalling path,
// so an implementation should queue rather than write synchronously.
type Recorder interface {
	Record(ctx context.Context, rec *billing.CallRecord) error
}

// Timeouts of the server's own calls out.
const (
	routeTimeout  = 5 * time.Second // Router.Route and Router.Reached
	recordTimeout = 5 * time.Second // Recorder.Record
	byeTimeout    = 4 * time.Second // waiting for a BYE's answer
	dialTimeout   = 5 * time.Second // connecting to the trunk over TCP or TLS
)

// Server is the broker's B2BUA: it answers calls on leg A and places
// leg B to the trunk. New binds its sockets; Serve runs it.
type Server struct {
	cfg    Config
	trunk  trunk
	router Router
	rec    Recorder
	log    *slog.Logger

	ua   *sipgo.UserAgent
	sip  *sipgo.Server
	sock *listeners

	host     string      // advertised in Via, Contact, From
	udpLaddr sipmsg.Addr // requests over UDP leave from the listener
	ports    map[string]int
	contacts map[string]*sipmsg.ContactHeader
	allow    sipmsg.Header
	calls    *registry
	served   atomic.Bool
}

// New checks cfg, binds the SIP sockets and returns a server ready to
// Serve, which owns the sockets from then on and closes them when it
// returns. log may be nil for slog.Default.
func New(cfg Config, r Router, rec Recorder, log *slog.Logger) (*Server, error) {
	if r == nil || rec == nil {
		return nil, errors.New("new sip server: router and recorder are required")
	}
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	tr, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("new sip server: %w", err)
	}

	sock, err := listen(cfg)
	if err != nil {
		return nil, fmt.Errorf("new sip server: %w", err)
	}
	s := &Server{
		cfg: cfg, trunk: tr, router: r, rec: rec,
		log: log.With("component", "sip"), sock: sock, calls: newRegistry(),
	}
	s.address()

	if err := s.newUA(); err != nil {
		sock.close()
		return nil, fmt.Errorf("new sip server: %w", err)
	}
	s.handle()
	return s, nil
}

// address works out the host and ports the server advertises.
func (s *Server) address() {
	host, _, _ := net.SplitHostPort(s.cfg.Listen)
	if ip, err := netip.ParseAddr(host); host == "" || (err == nil && ip.IsUnspecified()) {
		host = s.cfg.MediaIP
	}
	s.host = host

	udp := s.sock.udp.LocalAddr().(*net.UDPAddr)
	s.udpLaddr = sipmsg.Addr{IP: udp.IP, Port: udp.Port, Hostname: udp.IP.String()}
	s.ports = map[string]int{
		"UDP": udp.Port,
		"TCP": int(addrPort(s.sock.tcp.Addr()).Port()),
	}
	if s.sock.tls != nil {
		s.ports["TLS"] = int(addrPort(s.sock.tls.Addr()).Port())
	}

	s.contacts = make(map[string]*sipmsg.ContactHeader, len(s.ports))
	for transport, port := range s.ports {
		uri := sipmsg.Uri{Scheme: "sip", Host: host, Port: port}
		if transport != "UDP" {
			uri.UriParams = sipmsg.HeaderParams{{K: "transport", V: strings.ToLower(transport)}}
		}
		s.contacts[transport] = &sipmsg.ContactHeader{Address: uri}
	}
	s.allow = sipmsg.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO")
}

// newUA builds sipgo's user agent and server with the broker's masked
// logger; sipgo's own logs are kept at warning level and above.
func (s *Server) newUA() error {
	libLog := slog.New(maskHandler{next: s.log.Handler(), min: slog.LevelWarn})
	tpOpts := []sipmsg.TransportLayerOption{sipmsg.WithTransportLayerLogger(libLog)}
	if s.cfg.Trace {
		tpOpts = append(tpOpts, sipmsg.WithTransportLayerReadFilter(s.traceRead))
	}

	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("maskline"),
		sipgo.WithUserAgentHostname(s.host),
		sipgo.WithUserAgentTransportLayerOptions(tpOpts...),
		sipgo.WithUserAgentTransactionLayerOptions(
			sipmsg.WithTransactionLayerLogger(libLog),
			sipmsg.WithTransactionLayerUnhandledResponseHandler(s.onStrayResponse),
		),
	)
	if err != nil {
		return fmt.Errorf("sip user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(libLog))
	if err != nil {
		ua.Close()
		return fmt.Errorf("sip server: %w", err)
	}
	s.ua, s.sip = ua, srv
	return nil
}

// Serve reads SIP until ctx is done, then hangs up any call still up
// (bounded by ShutdownGrace), closes the sockets and returns. It may be
// called once.
func (s *Server) Serve(ctx context.Context) error {
	if !s.served.CompareAndSwap(false, true) {
		return errors.New("serve: already served")
	}
	errc := make(chan error, 3)
	n := 0
	run := func(f func() error) {
		n++
		go func() { errc <- f() }()
	}
	run(func() error { return s.sip.ServeUDP(s.sock.udp) })
	run(func() error { return s.sip.ServeTCP(s.sock.tcp) })
	if s.sock.tls != nil {
		run(func() error { return s.sip.ServeTLS(s.sock.tls) })
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		n--
		err = fmt.Errorf("serve: %w", err)
	}

	s.shutdown()
	for ; n > 0; n-- {
		<-errc
	}
	return err
}

func (s *Server) shutdown() {
	if s.Calls() > 0 {
		s.HangupAll()
	}
	s.calls.drain()
	s.sock.close()
	s.ua.Close()
}

// Drain is the first stage of shutdown: from now on new INVITEs get 503,
// and Drain waits until no call is left or ctx is done.
func (s *Server) Drain(ctx context.Context) error {
	idle := s.calls.drain()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drain: %d calls still up: %w", s.Calls(), ctx.Err())
	}
}

// HangupAll is the second stage of shutdown: it refuses new calls,
// cancels every call still ringing (503 to the caller) and sends BYE both
// ways on every answered one, and returns once all have ended or
// ShutdownGrace has passed.
func (s *Server) HangupAll() {
	idle := s.calls.drain()
	for _, c := range s.calls.snapshot() {
		go c.hangup()
	}

	t := time.NewTimer(s.cfg.ShutdownGrace)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
		s.log.Warn("calls still up after hang-up", "calls", s.Calls())
	}
}

// Calls returns the number of calls in flight.
func (s *Server) Calls() int { return s.calls.count() }

// UDPAddr returns the address the UDP listener is bound to.
func (s *Server) UDPAddr() netip.AddrPort { return addrPort(s.sock.udp.LocalAddr()) }

// TCPAddr returns the address the TCP listener is bound to.
func (s *Server) TCPAddr() netip.AddrPort { return addrPort(s.sock.tcp.Addr()) }

// TLSAddr returns the address the TLS listener is bound to, or the zero
// AddrPort when TLS is off.
func (s *Server) TLSAddr() netip.AddrPort {
	if s.sock.tls == nil {
		return netip.AddrPort{}
	}
	return addrPort(s.sock.tls.Addr())
}

func (s *Server) port(transport string) int { return s.ports[transport] }

func (s *Server) contact(transport string) *sipmsg.ContactHeader {
	if c, ok := s.contacts[transport]; ok {
		return c
	}
	return s.contacts["UDP"]
}

// formatNumber writes n as outbound URIs want it.
func (s *Server) formatNumber(n phone.Number) string {
	if s.cfg.NumberFormat == FormatNational {
		return n.National()
	}
	return n.E164()
}
