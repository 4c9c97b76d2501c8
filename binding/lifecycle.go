package binding

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// sweepBatch bounds one transaction of the lifecycle jobs; a run repeats
// batches until less than a full one is left.
const sweepBatch = 500

// ExpireDue moves every live binding past its expiry to expired, its keys
// into cool-down, and returns how many it moved.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.st.ExpireDue(ctx, s.now(), s.cfg.Cooldown, sweepBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("expire due bindings: %w", storeErr(err))
		}
		if n < sweepBatch {
			ended.WithLabelValues("expired").Add(float64(total))
			return total, nil
		}
	}
}

// ReleaseCooled frees the keys of ended bindings whose cool-down is over,
// so their numbers can serve again, and returns how many it freed.
func (s *Service) ReleaseCooled(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.st.ReleaseCooled(ctx, s.now(), sweepBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("release cooled bindings: %w", storeErr(err))
		}
		if n < sweepBatch {
			released.Add(float64(total))
			return total, nil
		}
	}
}

// Schedule adds the lifecycle jobs to c: expiry every expireEvery, release
// every releaseEvery, and forgetting day-old idempotency keys hourly.
// Each run logs how many it moved.
// Runs that overlap a still-running one are skipped rather than queued.
func (s *Service) Schedule(ctx context.Context, c *cron.Cron, expireEvery,
	releaseEvery time.Duration) error {
	jobs := []struct {
		name  string
		every time.Duration
		run   func(context.Context) (int, error)
	}{
		{"expire", expireEvery, s.ExpireDue},
		{"release", releaseEvery, s.ReleaseCooled},
		{"purge-idempotency", time.Hour, s.PurgeIdempotency},
	}
	for _, j := range jobs {
		job := cron.NewChain(cron.SkipIfStillRunning(cron.DiscardLogger)).Then(
			cron.FuncJob(func() { s.runJob(ctx, j.name, j.run) }))
		if _, err := c.AddJob(fmt.Sprintf("@every %s", j.every), job); err != nil {
			return fmt.Errorf("schedule %s job: %w", j.name, err)
		}
	}
	return nil
}

func (s *Service) runJob(ctx context.Context, name string, run func(context.Context) (int,
	error)) {
	start := time.Now()
	n, err := run(ctx)
	if err != nil {
		sweepRuns.WithLabelValues(name, "error").Inc()
		s.log.ErrorContext(ctx, "lifecycle job failed", "job", name, "moved", n,
			"err", err)
		return
	}
	sweepRuns.WithLabelValues(name, "ok").Inc()
	level := slog.LevelDebug
	if n > 0 {
		level = slog.LevelInfo
	}
	s.log.Log(ctx, level, "lifecycle job ran", "job", name, "moved", n,
		"took", time.Since(start).Round(time.Millisecond))
}
