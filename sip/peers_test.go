package sip_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	mlsip "maskline/sip"
)

func TestMain(m *testing.M) {
	// sipgo's peers log through slog.Default; keep them quiet unless asked.
	level := slog.LevelError
	if os.Getenv("MASKLINE_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	os.Exit(m.Run())
}

func testLogger() *slog.Logger {
	if os.Getenv("MASKLINE_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// sockets are a peer's listeners on loopback, random ports.
type sockets struct {
	udp *net.UDPConn
	tcp *net.TCPListener
}

func listenLoopback(t testing.TB) sockets {
	t.Helper()
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return sockets{udp: udp, tcp: tcp}
}

func (s sockets) port(transport string) int {
	if strings.EqualFold(transport, "tcp") {
		return s.tcp.Addr().(*net.TCPAddr).Port
	}
	return s.udp.LocalAddr().(*net.UDPAddr).Port
}

// peer is a SIP endpoint of the tests built on sipgo: a user agent with a
// server on both transports and a client.
type peer struct {
	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	cli  *sipgo.Client
	sock sockets
}

func newPeer(t testing.TB, filter sip.TransportReadFilter) *peer {
	t.Helper()
	opts := []sipgo.UserAgentOption{}
	if filter != nil {
		opts = append(opts, sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerReadFilter(filter)))
	}
	ua, err := sipgo.NewUA(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	return &peer{ua: ua, srv: srv, cli: cli, sock: listenLoopback(t)}
}

// serve starts reading; handlers must be registered before.
func (p *peer) serve(t testing.TB) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.srv.ServeUDP(p.sock.udp) }()
	go func() { defer wg.Done(); p.srv.ServeTCP(p.sock.tcp) }()
	t.Cleanup(func() {
		p.sock.udp.Close()
		p.sock.tcp.Close()
		p.ua.Close()
		wg.Wait()
	})
}

func (p *peer) contact(transport string) sip.ContactHeader {
	uri := sip.Uri{Scheme: "sip", User: "peer", Host: "127.0.0.1", Port: p.sock.port(transport)}
	if strings.EqualFold(transport, "tcp") {
		uri.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	}
	return sip.ContactHeader{Address: uri}
}

// push sends v on ch without ever blocking a handler.
func push[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

// behaviour is how the trunk answers an INVITE.
type behaviour func(tp *trunkPeer, sess *sipgo.DialogServerSession, tx sip.ServerTransaction)

// trunkPeer stands for the carrier's trunk and the callee behind it.
type trunkPeer struct {
	*peer
	dialogs    *sipgo.DialogServerCache
	invites    chan *sip.Request
	raw        chan string // INVITEs as received, bytes untouched (UDP)
	reinvites  chan *sip.Request
	acks       chan *sip.Request
	byes       chan *sip.Request
	inDialog   chan *sip.Request // UPDATE and INFO
	cancels    chan struct{}
	sessions   chan *sipgo.DialogServerSession // answered dialogs
	dropCancel atomic.Bool                     // drop CANCEL; answer instead
	behave     atomic.Pointer[behaviour]
}

func newTrunk(t testing.TB, transport string) *trunkPeer {
	tp := &trunkPeer{
		invites:   make(chan *sip.Request, 512),
		raw:       make(chan string, 512),
		reinvites: make(chan *sip.Request, 16),
		acks:      make(chan *sip.Request, 512),
		byes:      make(chan *sip.Request, 512),
		inDialog:  make(chan *sip.Request, 16),
		cancels:   make(chan struct{}, 16),
		sessions:  make(chan *sipgo.DialogServerSession, 512),
	}
	tp.peer = newPeer(t, tp.filter)
	tp.dialogs = sipgo.NewDialogServerCache(tp.cli, tp.contact(transport))
	tp.setBehaviour(answer)

	tp.srv.OnInvite(tp.onInvite)
	tp.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {
		tp.dialogs.ReadAck(req, tx)
		push(tp.acks, req)
	})
	tp.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := tp.dialogs.ReadBye(req, tx); err != nil {
			tx.Respond(sip.NewResponseFromRequest(req, 481, "No Dialog", nil))
		}
		push(tp.byes, req)
	})
	inDialog := func(req *sip.Request, tx sip.ServerTransaction) {
		push(tp.inDialog, req)
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if req.Method == sip.UPDATE {
			res = sip.NewSDPResponseFromRequest(req, offer("callee", 41500))
		}
		tx.Respond(res)
	}
	tp.srv.OnInfo(inDialog)
	tp.srv.OnUpdate(inDialog)
	tp.serve(t)
	return tp
}

func (tp *trunkPeer) setBehaviour(b behaviour) { tp.behave.Store(&b) }

// filter sees every datagram before sipgo parses it: it keeps INVITEs
// as received and, when asked, swallows a CANCEL so that the callee
// answers instead, as if its 200 had crossed the CANCEL on the wire.
func (tp *trunkPeer) filter(p sip.TransportReadProps, data []byte) ([]byte, error) {
	switch {
	case strings.HasPrefix(string(data), "INVITE "):
		push(tp.raw, string(data))
	case strings.HasPrefix(string(data), "CANCEL "):
		push(tp.cancels, struct{}{})
		if tp.dropCancel.Load() {
			return nil, nil
		}
	}
	return data, nil
}

func (tp *trunkPeer) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if tag, _ := req.To().Params.Get("tag"); tag != "" {
		push(tp.reinvites, req)
		res := sip.NewSDPResponseFromRequest(req, offer("callee", 41000))
		ct := tp.contact(req.Transport())
		res.AppendHeader(&ct)
		tx.Respond(res)
		return
	}
	push(tp.invites, req)
	sess, err := tp.dialogs.ReadInvite(req, tx)
	if err != nil {
		tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	(*tp.behave.Load())(tp, sess, tx)
}

// answer rings, then answers with an SDP whose origin names the callee.
func answer(tp *trunkPeer, sess *sipgo.DialogServerSession, _ sip.ServerTransaction) {
	sess.Respond(180, "Ringing", nil)
	if err := sess.RespondSDP(offer(numB, 42000)); err == nil {
		push(tp.sessions, sess)
	}
}

// reject answers with a final failure.
func reject(code int) behaviour {
	return func(tp *trunkPeer, sess *sipgo.DialogServerSession, _ sip.ServerTransaction) {
		sess.Respond(code, "Failure", nil)
	}
}

// ringForever rings until the INVITE is cancelled, then takes the ACK of
// the 487 sipgo sent (else sipgo parks a goroutine on it for seconds).
func ringForever(tp *trunkPeer, sess *sipgo.DialogServerSession, tx sip.ServerTransaction) {
	sess.Respond(180, "Ringing", nil)
	<-sess.Context().Done()
	select {
	case <-tx.Acks():
	case <-tx.Done():
	}
}

// answerOnCancel rings and answers when a CANCEL arrives (which filter
// swallowed).
func answerOnCancel(tp *trunkPeer, sess *sipgo.DialogServerSession, _ sip.ServerTransaction) {
	sess.Respond(180, "Ringing", nil)
	<-tp.cancels
	if err := sess.RespondSDP(offer(numB, 42000)); err == nil {
		push(tp.sessions, sess)
	}
}

// phonePeer is the caller's phone.
type phonePeer struct {
	*peer
	byes      chan *sip.Request
	reinvites chan *sip.Request
	acks      chan *sip.Request
}

func newPhone(t testing.TB) *phonePeer {
	pp := &phonePeer{
		peer:      newPeer(t, nil),
		byes:      make(chan *sip.Request, 512),
		reinvites: make(chan *sip.Request, 16),
		acks:      make(chan *sip.Request, 16),
	}
	pp.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		push(pp.byes, req)
	})
	pp.srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		push(pp.reinvites, req)
		res := sip.NewSDPResponseFromRequest(req, offer("caller", 43000))
		ct := pp.contact(req.Transport())
		res.AppendHeader(&ct)
		tx.Respond(res)
	})
	pp.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { push(pp.acks, req) })
	pp.serve(t)
	return pp
}

// env is a broker with a trunk and a caller around it.
type env struct {
	srv    *mlsip.Server
	router *fakeRouter
	rec    *fakeRecorder
	trunk  *trunkPeer
	phone  *phonePeer
	cancel context.CancelFunc
	served chan error
}

// newEnv starts a broker on loopback; transport is the trunk's.
func newEnv(t testing.TB, transport string, tune func(*mlsip.Config)) *env {
	t.Helper()
	return newEnvWith(t, transport, testLogger(), tune)
}

// newEnvLogged starts a broker with a UDP trunk that logs to log.
func newEnvLogged(t testing.TB, log *slog.Logger, tune func(*mlsip.Config)) *env {
	t.Helper()
	return newEnvWith(t, "udp", log, tune)
}

func newEnvWith(t testing.TB, transport string, log *slog.Logger,
	tune func(*mlsip.Config)) *env {
	t.Helper()
	e := &env{router: newRouter(), rec: newRecorder(), trunk: newTrunk(t, transport),
		phone: newPhone(t)}
	cfg := mlsip.Config{
		Listen:         "127.0.0.1:0",
		Trunk:          net.JoinHostPort("127.0.0.1", itoa(e.trunk.sock.port(transport))),
		TrunkTransport: transport,
		Node:           "test-node",
	}
	if tune != nil {
		tune(&cfg)
	}
	srv, err := mlsip.New(cfg, e.router, e.rec, log)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv

	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.served = cancel, make(chan error, 1)
	go func() { e.served <- srv.Serve(ctx) }()
	t.Cleanup(e.stop)
	return e
}

// stop ends Serve and waits for it.
func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	<-e.served
	e.cancel = nil
}
