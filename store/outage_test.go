package store_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maskline/store"
	"maskline/store/storetest"
)

// calls are store operations that must report an outage as
// ErrUnavailable, whichever path they take through the store.
var outageCalls = []struct {
	name string
	call func(ctx context.Context, s *store.DB) error
}{
	{"ping", func(ctx context.Context, s *store.DB) error { return s.Ping(ctx) }},
	{"get tenant", func(ctx context.Context, s *store.DB) error {
		_, err := s.GetTenant(ctx, 1)
		return err
	}},
	{"key binding", func(ctx context.Context, s *store.DB) error {
		_, err := s.KeyBinding(ctx, "+8617000000001", "n")
		return err
	}},
	{"insert binding (transaction)", func(ctx context.Context, s *store.DB) error {
		return s.InsertBinding(ctx, binding("b1", "AXN", "+8617000000001"), []string{"n"}, 1)
	}},
	{"find candidates", func(ctx context.Context, s *store.DB) error {
		_, err := s.FindCandidates(ctx, store.Candidates{Mode: "AXB", Cap: 1})
		return err
	}},
	{"expire", func(ctx context.Context, s *store.DB) error {
		_, err := s.ExpireDue(ctx, t0, time.Hour, 10)
		return err
	}},
	{"is blacklisted", func(ctx context.Context, s *store.DB) error {
		_, err := s.IsBlacklisted(ctx, "idx")
		return err
	}},
}

func requireUnavailable(t *testing.T, s *store.DB, timeout time.Duration) {
	t.Helper()
	for _, c := range outageCalls {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := c.call(ctx, s)
			require.ErrorIs(t, err, store.ErrUnavailable)
		})
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.DB) {
		require.NoError(t, s.Close())
		requireUnavailable(t, s, 10*time.Second)
	})
}

func TestRefusedConnectionIsUnavailable(t *testing.T) {
	// A port that was free a moment ago: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	s, err := store.Open(context.Background(), "mysql://root@tcp("+addr+")/test")
	require.NoError(t, err, "opening does not connect")
	defer s.Close()

	requireUnavailable(t, s, 10*time.Second)
	err = s.Migrate(context.Background())
	require.ErrorIs(t, err, store.ErrUnavailable)
}

// A server that accepts connections but never answers: the caller's
// deadline runs out while connecting.
func TestSilentServerIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		var held []net.Conn // open and silent until the listener closes
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	s, err := store.Open(context.Background(), "mysql://root@tcp("+l.Addr().String()+")/test")
	require.NoError(t, err)
	defer s.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = s.Ping(ctx)
	require.ErrorIs(t, err, store.ErrUnavailable)
	require.True(t, errors.Is(err, context.DeadlineExceeded) || isTimeout(err), err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
