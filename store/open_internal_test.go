package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMySQLConfig(t *testing.T) {
	cases := []struct {
		name, dsn string
		timeout   time.Duration
		sqlMode   string
	}{
		{"defaults", "root@tcp(db:3306)/maskline", 5 * time.Second, "'TRADITIONAL'"},
		{"own timeout kept", "root@tcp(db:3306)/maskline?timeout=2s", 2 * time.Second,
			"'TRADITIONAL'"},
		{"own sql_mode kept", "u:p@tcp(db:3306)/maskline?sql_mode=%27ANSI%27",
			5 * time.Second, "'ANSI'"},
		{"interpolation forced on", "root@tcp(db:3306)/maskline?interpolateParams=false",
			5 * time.Second, "'TRADITIONAL'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := mysqlConfig(c.dsn)
			require.NoError(t, err)
			require.True(t, cfg.InterpolateParams, "one round trip per statement")
			require.Equal(t, c.timeout, cfg.Timeout)
			require.Equal(t, c.sqlMode, cfg.Params["sql_mode"])
			require.False(t, cfg.ParseTime, "times are integers")
			require.Equal(t, "db:3306", cfg.Addr)
		})
	}
}
