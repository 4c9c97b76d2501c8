package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"maskline/app"
	"maskline/config"
)

const usage = `usage: broker [-config FILE] COMMAND [ARGS]

commands:
  serve                  run the broker (SIP and HTTP API)
  migrate                apply pending schema migrations and exit
  tenant add NAME [-reveal]
                         create a tenant; prints its API key alone on the last line
  tenant key NAME [-reveal]
                         make another API key for a tenant
  admin add NAME         create an admin API key; prints it alone on the last line
  numbers import FILE.csv
                         import virtual numbers; the header line names the
                         columns number,area_code[,kind,monthly_cost,tenant]
  pool stats             utilisation of the number pool per area

Every configuration key can be set in FILE or by an environment variable
BROKER_<KEY PATH> (sip.listen -> BROKER_SIP_LISTEN); see configs/broker.yaml.
`

// errUsage marks a command line that does not parse; it exits with 2.
var errUsage = errors.New("usage")

// run executes one command line and returns the exit status.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("broker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}

	cfg, err := config.Load(*cfgPath, environ)
	if err != nil {
		fmt.Fprintf(stderr, "broker: %v\n", err)
		return 1
	}
	log := newLogger(cfg, stderr)

	err = dispatch(ctx, cfg, log, fs.Args(), stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "broker: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "broker: %v\n", err)
		return 1
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func dispatch(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stdout, stderr io.Writer) error {
	cmd := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case args[0] == "serve":
		return serve(ctx, cfg, log, args[1:], stderr)
	case args[0] == "migrate":
		return migrate(ctx, cfg, log, args[1:], stdout)
	case cmd == "tenant add" || cmd == "tenant key":
		return tenantCmd(ctx, cfg, log, args[1], args[2:], stdout)
	case cmd == "admin add":
		return adminAdd(ctx, cfg, log, args[2:], stdout)
	case cmd == "numbers import":
		return numbersImport(ctx, cfg, log, args[2:], stdout)
	case cmd == "pool stats":
		return poolStats(ctx, cfg, log, args[2:], stdout)
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// withServices opens the node's services for one tool command.
func withServices(ctx context.Context, cfg config.Config, log *slog.Logger,
	fn func(*app.Services) error) error {
	svc, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	return fn(svc)
}

// stdinOrFile opens path, or standard input for "-".
func stdinOrFile(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}
