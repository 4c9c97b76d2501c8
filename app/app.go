// Package app assembles a broker node from its configuration: the store,
// the key ring, the domain services, the HTTP API, the SIP server and the
// lifecycle jobs. It is the only place that knows all of them, so that
// cmd/broker stays a thin shell and tests can start a whole node.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"maskline/api"
	"maskline/billing"
	"maskline/binding"
	"maskline/config"
	"maskline/pool"
	"maskline/secret"
	"maskline/store"
	"maskline/tenant"
)

// Services are the domain services of a node, opened on its store.
type Services struct {
	Store    *store.DB
	Keys     *secret.Keyring
	Pool     *pool.Pool
	Bindings *binding.Service
	Tenants  *tenant.Service
	Calls    *billing.Service
}

// Open opens the store (migrating it when configured), loads or creates
// the key file and builds the services. Close releases them.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Services, error) {
	keys, created, err := secret.Load(cfg.KeyFile(), cfg.Keys.Create)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	if created {
		log.Warn("created a new key file for sealing numbers; back it up apart from the store",
			"path", cfg.KeyFile())
	}

	st, err := store.Open(ctx, cfg.Store.DSN)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if cfg.Store.Migrate {
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("migrate store: %w", err)
		}
	}

	p := pool.New(st, pool.Config{
		MaxPairsPerNumber:      cfg.Pool.MaxPairsPerNumber,
		MaxExtensionsPerNumber: cfg.Pool.MaxExtensionsPerNumber,
		ExtensionLength:        cfg.Binding.ExtensionLength,
	}, log)
	b := binding.New(st, keys, p, binding.Config{
		Region: cfg.Region, Grace: cfg.Binding.Grace, Cooldown: cfg.Binding.Cooldown,
		CallbackWindow: cfg.Binding.CallbackWindow, MinTTL: cfg.Binding.MinTTL,
		MaxTTL: cfg.Binding.MaxTTL, ExtensionLength: cfg.Binding.ExtensionLength,
		Limits: binding.Limits{AttemptsPerHour: cfg.Calls.AttemptsPerHour,
			ConcurrentPerBinding: cfg.Calls.ConcurrentPerBinding},
	}, binding.WithLogger(log))

	return &Services{
		Store: st, Keys: keys, Pool: p, Bindings: b,
		Tenants: tenant.New(st), Calls: billing.NewService(st, keys, log),
	}, nil
}

// Close releases the store.
func (s *Services) Close() error { return s.Store.Close() }

// Node is a running broker: API, SIP and lifecycle jobs on one set of
// services.
type Node struct {
	cfg  config.Config
	log  *slog.Logger
	svc  *Services
	cron *cron.Cron

	httpSrv *http.Server
	httpLn  net.Listener
	httpErr chan error

	sip     *sipSide
	demoKey string
}

// DemoKey is the demo tenant's API key when the node runs in demo mode.
func (n *Node) DemoKey() string { return n.demoKey }

// Start opens the services, seeds demo data when configured, and starts the
// HTTP API, the SIP server and the cron jobs. It returns once every
// listener is bound.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*Node, error) {
	svc, err := Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, svc: svc, httpErr: make(chan error, 1)}

	if cfg.Demo {
		if n.demoKey, err = Seed(ctx, svc, cfg, log); err != nil {
			svc.Close()
			return nil, fmt.Errorf("seed demo data: %w", err)
		}
	}

	svc.Calls.Start()
	if err := n.startCron(ctx); err != nil {
		n.abort()
		return nil, err
	}
	if err := n.startHTTP(); err != nil {
		n.abort()
		return nil, err
	}
	if n.sip, err = startSIP(ctx, cfg, svc, log); err != nil {
		n.abort()
		return nil, err
	}
	log.Info("broker started", "http", n.HTTPAddr(), "sip", n.SIPAddr(),
		"store", storeKind(cfg.Store.DSN), "node", cfg.NodeName())
	return n, nil
}

func storeKind(dsn string) string {
	kind, _, _ := strings.Cut(dsn, ":")
	return kind
}

func (n *Node) startCron(ctx context.Context) error {
	n.cron = cron.New()
	err := n.svc.Bindings.Schedule(context.WithoutCancel(ctx), n.cron,
		n.cfg.Cron.ExpireEvery, n.cfg.Cron.ReleaseEvery)
	if err != nil {
		return err
	}
	n.cron.Start()
	return nil
}

func (n *Node) startHTTP() error {
	ln, err := net.Listen("tcp", n.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen http: %w", err)
	}
	handler := api.New(api.Deps{
		Bindings: n.svc.Bindings, Pool: n.svc.Pool, Tenants: n.svc.Tenants,
		Calls: n.svc.Calls, Region: n.cfg.Region, RateLimit: n.cfg.HTTP.RateLimit,
		RateBurst: n.cfg.HTTP.RateBurst, Log: n.log,
	})
	if n.cfg.HTTP.Pprof {
		handler = withProfiler(handler)
		n.log.Warn("profiler served without authentication", "path", "/debug/pprof/")
	}
	n.httpLn = ln
	n.httpSrv = &http.Server{
		Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := n.httpSrv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			n.httpErr <- err
		}
	}()
	return nil
}

// withProfiler serves net/http/pprof beside the API.
func withProfiler(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", api)
	return mux
}

// HTTPAddr is the address the API listens on.
func (n *Node) HTTPAddr() string {
	if n.httpLn == nil {
		return ""
	}
	return n.httpLn.Addr().String()
}

// SIPAddr is the address SIP listens on (UDP and TCP).
func (n *Node) SIPAddr() string { return n.sip.addr() }

// Services returns the node's services, for tests and the CLI.
func (n *Node) Services() *Services { return n.svc }

// Err delivers a fatal error of a listener, if one stops unexpectedly.
func (n *Node) Err() <-chan error { return n.httpErr }

// Shutdown is the first stage of a graceful stop: SIP refuses new calls,
// calls in flight may finish until ctx ends, then the API and the jobs stop,
// queued call records are written and the store is closed.
func (n *Node) Shutdown(ctx context.Context) error {
	n.log.Info("shutting down: refusing new calls, waiting for calls in flight")
	err := n.sip.drain(ctx)
	n.sip.hangupAll()
	n.sip.stop()

	httpCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err = errors.Join(err, n.httpSrv.Shutdown(httpCtx))
	<-n.cron.Stop().Done()
	n.svc.Calls.Close(httpCtx)
	err = errors.Join(err, n.svc.Close())
	n.log.Info("broker stopped")
	return err
}

// HangupAll is the second stage: every call still up is ended now.
func (n *Node) HangupAll() { n.sip.hangupAll() }

// abort undoes a partial Start.
func (n *Node) abort() {
	if n.httpSrv != nil {
		n.httpSrv.Close()
	}
	if n.cron != nil {
		n.cron.Stop()
	}
	if n.sip != nil {
		n.sip.stop()
	}
	n.svc.Calls.Close(context.Background())
	n.svc.Close()
}
