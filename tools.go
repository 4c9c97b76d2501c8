//go:build tools

package main

import (
	_ "github.com/emiago/sipgo"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/pion/rtp"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/robfig/cron/v3"
	_ "github.com/stretchr/testify/require"
	_ "go.uber.org/goleak"
	_ "golang.org/x/time/rate"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)

func main() {}
