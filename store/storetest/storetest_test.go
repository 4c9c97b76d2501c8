package storetest

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorder stands in for a test whose failure or skip is the subject.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls FreshMySQL on a recorder in its own goroutine, which a fatal
// or skip ends.
func run(t *testing.T) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		FreshMySQL(r)
	}()
	<-done
	return r
}

func TestFreshMySQLServerChoice(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := l.Addr().String()
	require.NoError(t, l.Close())

	cases := []struct {
		name, env, fatal, skip string
	}{
		{"off skips", "off", "", "skipped"},
		{"OFF skips", "OFF", "", "skipped"},
		{"unreachable fails and says what to do", "mysql://root:hunter2@tcp(" + dead + ")/x",
			EnvMySQL + "=off", ""},
		{"not a DSN fails", "root@localhost", "not a mysql:// DSN", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(EnvMySQL, c.env)
			r := run(t)
			if c.skip != "" {
				require.Contains(t, r.skip, c.skip)
				require.Empty(t, r.fatal)
				return
			}
			require.Contains(t, r.fatal, c.fatal)
			require.NotContains(t, r.fatal, "hunter2", "the password stays out")
			require.Empty(t, r.skip)
		})
	}
}

func TestFreshMySQLDropsItsDatabase(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		s := MySQL(t)
		require.NoError(t, s.SQL().QueryRowContext(context.Background(),
			"SELECT DATABASE()").Scan(&name))
		require.Regexp(t, `^mlt_[0-9a-f]{12}$`, name)
	})

	admin := MySQL(t)
	var n int
	require.NoError(t, admin.SQL().QueryRowContext(context.Background(),
		"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
		name).Scan(&n))
	require.Zero(t, n, "the database was dropped when its test ended")
}

func TestKeyringIsStable(t *testing.T) {
	a, b := Keyring(t), Keyring(t)
	require.Equal(t, a.Index("+8613800000000"), b.Index("+8613800000000"))

	plain, err := b.Open(a.Seal("+8613800000000"))
	require.NoError(t, err)
	require.Equal(t, "+8613800000000", plain)
}
