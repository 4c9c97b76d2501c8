package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"maskline/config"
	"maskline/sip"
)

// sipSide runs the SIP server of a node on its own context, so that the
// node can drain it before stopping it.
type sipSide struct {
	srv    *sip.Server
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func startSIP(ctx context.Context, cfg config.Config, svc *Services, log *slog.Logger) (
	*sipSide, error) {
	trunk, transport := cfg.TrunkAddr()
	srv, err := sip.New(sip.Config{
		Listen: cfg.SIP.Listen, TLSListen: cfg.SIP.TLSListen, CertFile: cfg.SIP.TLSCert,
		KeyFile: cfg.SIP.TLSKey, Trusted: cfg.Trusted(), Trunk: trunk,
		TrunkTransport: transport, NumberFormat: cfg.SIP.NumberFormat,
		RingTimeout: cfg.SIP.RingTimeout, MaxDuration: cfg.SIP.MaxDuration,
		ShutdownGrace: cfg.Shutdown.Grace, Node: cfg.NodeName(), MediaIP: cfg.Media.IP,
		Region: cfg.Region, Trace: cfg.SIP.Trace,
	}, svc.Bindings, svc.Calls, log)
	if err != nil {
		return nil, fmt.Errorf("start sip: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &sipSide{srv: srv, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := srv.Serve(runCtx); err != nil {
			log.Error("sip server stopped", "err", err)
		}
	}()
	return s, nil
}

func (s *sipSide) addr() string {
	if s == nil {
		return ""
	}
	return s.srv.UDPAddr().String()
}

func (s *sipSide) drain(ctx context.Context) error { return s.srv.Drain(ctx) }

func (s *sipSide) hangupAll() { s.srv.HangupAll() }

// stop closes the sockets and waits for the server to return.
func (s *sipSide) stop() {
	s.once.Do(func() {
		s.cancel()
		<-s.done
	})
}
