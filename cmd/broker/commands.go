package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"maskline/app"
	"maskline/config"
	"maskline/pool"
)

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stderr io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	tuneGC(log)
	node, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	if key := node.DemoKey(); key != "" {
		fmt.Fprintf(stderr, "\nDemo tenant API key (also in %s/demo-tenant.key):\n%s\n\n",
			cfg.DataDir, key)
	}

	select {
	case <-ctx.Done():
	case err := <-node.Err():
		log.Error("listener failed", "err", err)
	}
	return shutdown(node, cfg.Shutdown.Grace, log)
}

// serveGCPercent is the garbage collector's target for a serving broker.
// Every call allocates short-lived SIP messages; with Go's default of 100
// the collector took a third of the broker's CPU under load. Four times the
// live heap is a few hundred megabytes at thousands of calls in flight.
const serveGCPercent = 400

// tuneGC sets serveGCPercent unless GOGC says otherwise.
func tuneGC(log *slog.Logger) {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(serveGCPercent)
	log.Debug("garbage collector target set", "gogc", serveGCPercent)
}

// shutdown runs the graceful stop with a deadline of grace. A second
// SIGINT or SIGTERM while waiting ends every call at once.
func shutdown(node *app.Node, grace time.Duration, log *slog.Logger) error {
	second, stop := notifySecond()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	go func() {
		select {
		case <-second:
			log.Warn("second signal: ending every call now")
			node.HangupAll()
			cancel()
		case <-ctx.Done():
		}
	}()
	return node.Shutdown(ctx)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: migrate takes no arguments", errUsage)
	}
	cfg.Store.Migrate = true
	return withServices(ctx, cfg, log, func(*app.Services) error {
		fmt.Fprintln(stdout, "schema up to date")
		return nil
	})
}

func tenantCmd(ctx context.Context, cfg config.Config, log *slog.Logger, verb string,
	args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tenant "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	reveal := fs.Bool("reveal", false, "the key may reveal real numbers")
	name, rest := "", args
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil || name == "" || fs.NArg() != 0 {
		return fmt.Errorf("%w: tenant %s NAME [-reveal]", errUsage, verb)
	}
	var extra []string
	if *reveal {
		extra = append(extra, "reveal")
	}

	return withServices(ctx, cfg, log, func(svc *app.Services) error {
		var key string
		var err error
		if verb == "add" {
			_, key, err = svc.Tenants.AddTenant(ctx, name, extra...)
		} else {
			key, err = svc.Tenants.AddKey(ctx, name, extra...)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API key of tenant %s (shown once, store it now):\n%s\n", name, key)
		return nil
	})
}

func adminAdd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: admin add NAME", errUsage)
	}
	return withServices(ctx, cfg, log, func(svc *app.Services) error {
		key, err := svc.Tenants.AddAdmin(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "admin API key %s (shown once, store it now):\n%s\n", args[0], key)
		return nil
	})
}

func numbersImport(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: numbers import FILE.csv", errUsage)
	}
	f, err := stdinOrFile(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := pool.ParseCSV(f)
	if err != nil {
		return describeImportError(err)
	}

	return withServices(ctx, cfg, log, func(svc *app.Services) error {
		res, err := svc.Pool.Import(ctx, cfg.Region, rows)
		if err != nil {
			return describeImportError(err)
		}
		fmt.Fprintf(stdout, "imported %d numbers, %d already in the pool\n",
			res.Inserted, res.Skipped)
		return nil
	})
}

// describeImportError lists every bad row, not only the first.
func describeImportError(err error) error {
	var ie *pool.InputError
	if !errors.As(err, &ie) || len(ie.Rows) < 2 {
		return err
	}
	msg := fmt.Sprintf("%d bad rows, nothing imported:", len(ie.Rows))
	for _, r := range ie.Rows {
		msg += fmt.Sprintf("\n  row %d: %s: %s", r.Row, r.Field, r.Reason)
	}
	return errors.New(msg)
}

func poolStats(ctx context.Context, cfg config.Config, log *slog.Logger, args []string,
	stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: pool stats takes no arguments", errUsage)
	}
	return withServices(ctx, cfg, log, func(svc *app.Services) error {
		stats, err := svc.Pool.Stats(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(w, "area\tnumbers\tavailable\tlocked\tretired\tfree\t"+
			"live bindings\tfree AXB pairs\tfree extensions\tutilisation\t")
		for _, s := range stats {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f%%\t\n", s.AreaCode,
				s.Numbers, s.Available, s.Locked, s.Retired, s.Free, s.LiveBindings,
				s.FreePairs, s.FreeExtensions, 100*s.Utilisation)
		}
		return w.Flush()
	})
}
