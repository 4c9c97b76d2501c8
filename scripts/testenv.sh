#!/usr/bin/env bash
# Makes this machine ready for `make test`: SIPp for the SIP tests, and a
# MariaDB server on 127.0.0.1:3306 (user root, empty password, database
# `test`) for the MySQL store tests. It installs with apt-get what is
# missing, starts MariaDB when nothing answers on its port, and says what it
# does at each step; when everything is already there it prints nothing.
#
# MASKLINE_TEST_MYSQL: unset (or the local DSN) lets this script manage the
# local MariaDB; `off`, or a DSN of another server, leaves MariaDB alone.
# TESTENV_VERBOSE=1 also reports the checks that pass.
set -euo pipefail

MYSQL_HOST=127.0.0.1
MYSQL_PORT=3306
MARIADBD=/usr/sbin/mariadbd
WAIT_SECONDS=30

say() { printf 'testenv: %s\n' "$*"; }
note() { if [ "${TESTENV_VERBOSE:-}" = 1 ]; then say "$@"; fi; }
fail() {
	printf 'testenv: cannot continue: %s\n' "$1" >&2
	shift
	for line in "$@"; do printf '  %s\n' "$line" >&2; done
	exit 1
}

# have reports whether a command can be run. The -x test matters: bash's
# lookup falls back to a file on PATH that is not executable.
have() {
	local path
	path=$(type -P "$1") && [ -x "$path" ]
}

# first_of prints the first of the named commands that exists (newer
# MariaDB packages name their tools mariadb-* and drop the mysql* names).
first_of() {
	local c
	for c in "$@"; do
		if have "$c"; then
			printf '%s\n' "$c"
			return
		fi
	done
}

# as_root runs a command as root: directly when we are root, else through
# sudo. It stops with a message when neither is possible.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif have sudo; then
		sudo "$@"
	else
		fail "'$*' needs root, and this user is not root and has no sudo" \
			"run this script as root, or install sudo and allow this user to use it"
	fi
}

apt_updated=no

# apt_install installs Debian packages, updating the package lists once.
apt_install() {
	have apt-get || fail "no apt-get to install $*" \
		"install $* with this system's package manager, then run this script again"
	if [ "$(id -u)" -ne 0 ] && ! have sudo; then
		fail "installing $* needs root, and this user is not root and has no sudo" \
			"run this script as root, or install $* yourself (apt-get install $*)"
	fi

	if [ "$apt_updated" = no ]; then
		say "updating the package lists (apt-get update)"
		as_root apt-get update -qq || fail "apt-get update failed" \
			"check the network and /etc/apt/sources.list.d, or install $* yourself"
		apt_updated=yes
	fi

	say "installing $* (apt-get install)"
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "$@" ||
		fail "apt-get install $* failed (its messages are above)" \
			"fix what apt-get reports, or install $* yourself, then run this script again"
}

check_go() {
	have go || fail "no go command" \
		"install Go (the version in go.mod) from https://go.dev/dl and put it on PATH"
	note "go: $(go version)"
}

check_sipp() {
	if have sipp; then
		note "sipp: present"
		return
	fi
	say "sipp is missing: it comes with Debian's sip-tester package"
	apt_install sip-tester
	have sipp || fail "sip-tester was installed but sipp is still not on PATH"
}

# local_mysql_wanted reports whether this script should manage the local
# MariaDB, from MASKLINE_TEST_MYSQL. The DSN itself is never printed: it
# may hold a password.
local_mysql_wanted() {
	local dsn=${MASKLINE_TEST_MYSQL:-}
	dsn=${dsn#mysql://}
	dsn=${dsn%%\?*}
	case "$dsn" in
	"" | "root:@tcp($MYSQL_HOST:$MYSQL_PORT)/test" | "root@tcp($MYSQL_HOST:$MYSQL_PORT)/test")
		return 0
		;;
	off)
		say "MASKLINE_TEST_MYSQL=off: MySQL tests are off, leaving MariaDB alone"
		return 1
		;;
	*)
		say "MASKLINE_TEST_MYSQL names another server: leaving the local MariaDB alone"
		return 1
		;;
	esac
}

check_mariadb_installed() {
	local missing=()
	[ -x "$MARIADBD" ] || missing+=(mariadb-server)
	[ -n "$(first_of mysql mariadb)" ] || missing+=(mariadb-client)
	if [ "${#missing[@]}" -eq 0 ]; then
		note "mariadb: installed"
		return
	fi

	say "MariaDB is not fully installed (missing: ${missing[*]})"
	apt_install "${missing[@]}"
	[ -x "$MARIADBD" ] || fail "$MARIADBD is still missing after installing mariadb-server"
}

port_open() {
	timeout 2 bash -c ": </dev/tcp/$MYSQL_HOST/$MYSQL_PORT" 2>/dev/null
}

# datadir is MariaDB's data directory as its configuration files give it.
datadir() {
	local dir
	dir=$(my_print_defaults --mysqld 2>/dev/null | sed -n 's/^--datadir=//p' | tail -n 1)
	printf '%s\n' "${dir:-/var/lib/mysql}"
}

start_mariadb() {
	say "nothing answers on $MYSQL_HOST:$MYSQL_PORT: starting MariaDB"

	if [ ! -d /run/mysqld ]; then
		say "creating the runtime directory /run/mysqld (owned by mysql)"
		as_root install -d -o mysql -g mysql -m 0755 /run/mysqld
	fi

	local dir
	dir=$(datadir)
	if [ ! -d "$dir/mysql" ]; then
		say "the data directory $dir is empty: creating the system tables (mysql_install_db)"
		as_root "$(first_of mysql_install_db mariadb-install-db)" \
			--user=mysql --datadir="$dir" \
			--auth-root-authentication-method=normal >/dev/null
	fi

	as_root start-stop-daemon --start --oknodo --background --exec "$MARIADBD" \
		-- --user=mysql

	local waited=0
	until port_open; do
		if [ "$waited" -ge "$WAIT_SECONDS" ]; then
			fail "MariaDB did not answer on $MYSQL_HOST:$MYSQL_PORT within ${WAIT_SECONDS}s" \
				"look at its error log (log-error in /etc/mysql), fix the cause, run again"
		fi
		sleep 1
		waited=$((waited + 1))
	done
	say "MariaDB answers on $MYSQL_HOST:$MYSQL_PORT after ${waited}s"
}

sql() {
	"$(first_of mysql mariadb)" -uroot -h"$MYSQL_HOST" -P"$MYSQL_PORT" --connect-timeout=5 "$@"
}

# can_be_root reports whether as_root would work without asking anything.
can_be_root() {
	[ "$(id -u)" -eq 0 ] || { have sudo && sudo -n true 2>/dev/null; }
}

# socket_sql runs SQL as MariaDB's root through the Unix socket, where
# Debian's packages let the system's root in without a password.
socket_sql() {
	as_root "$(first_of mysql mariadb)" -uroot --connect-timeout=5 "$@"
}

# allow_root_over_tcp gives root an empty password over TCP from this host,
# which the tests use. Only for a machine that runs tests.
allow_root_over_tcp() {
	say "root cannot log in over TCP without a password: allowing it (test machine)"
	socket_sql -e "
		CREATE USER IF NOT EXISTS 'root'@'$MYSQL_HOST' IDENTIFIED BY '';
		GRANT ALL PRIVILEGES ON *.* TO 'root'@'$MYSQL_HOST' WITH GRANT OPTION;
		ALTER USER 'root'@'localhost'
			IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
		FLUSH PRIVILEGES;" ||
		fail "could not change root's login through the Unix socket" \
			"give root@$MYSQL_HOST an empty password yourself, or set MASKLINE_TEST_MYSQL" \
			"to a DSN of a server the tests may use (or to off)"
}

# wait_for_login waits for the server to let root in over TCP (the port
# opens a moment before the server takes logins), and when root is refused
# but the Unix socket lets it in, opens the TCP login once.
wait_for_login() {
	local waited=0 opened=no
	until sql -e 'select 1' >/dev/null 2>&1; do
		if [ "$opened" = no ] && can_be_root && socket_sql -e 'select 1' >/dev/null 2>&1; then
			allow_root_over_tcp
			opened=yes
			continue
		fi
		if [ "$waited" -ge "$WAIT_SECONDS" ]; then
			fail "MariaDB on $MYSQL_HOST:$MYSQL_PORT does not let root in without a password" \
				"it says: $(sql -e 'select 1' 2>&1 | tail -n 1)" \
				"fix the login, or set MASKLINE_TEST_MYSQL to a DSN that works (or to off)"
		fi
		sleep 1
		waited=$((waited + 1))
	done
}

check_mariadb_running() {
	if port_open; then
		note "mariadb: answering on $MYSQL_HOST:$MYSQL_PORT"
	else
		start_mariadb
	fi

	wait_for_login

	if ! sql -e 'select 1' test >/dev/null 2>&1; then
		say "creating database test"
		sql -e 'CREATE DATABASE IF NOT EXISTS test'
	fi
	sql -e 'select 1' test >/dev/null
	note "mariadb: mysql -uroot -h$MYSQL_HOST -e 'select 1' test works"
}

main() {
	check_go
	check_sipp
	if local_mysql_wanted; then
		check_mariadb_installed
		check_mariadb_running
	fi
}

main "$@"
