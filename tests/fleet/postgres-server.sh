#!/usr/bin/env bash
# A throwaway PostgreSQL server for the fleet tests (a ctest fixture):
#   postgres-server.sh start DIR   initdb into a new directory under /tmp (the server's user must
#                                  reach it, which a build tree under /root may not allow), start
#                                  on a free port of 127.0.0.1, and write the superuser's URL to
#                                  DIR/url and the server's directory to DIR/server
#   postgres-server.sh stop DIR    stop it and remove both
# Debian's postgresql package (initdb and postgres under /usr/lib/postgresql/VERSION/bin). The
# server refuses to run as root, so as root (CI) it runs as the package's `postgres` system user
# through runuser. Only 127.0.0.1 and a socket in DIR: nothing listens beyond this machine.
# A machine without PostgreSQL fails here, and with it every test that needs the server.
set -euo pipefail

cmd=${1:?usage: postgres-server.sh start|stop DIR}
dir=${2:?usage: postgres-server.sh start|stop DIR}

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [[ -x $d/initdb && -x $d/pg_ctl ]] && bindir=$d
done
if [[ -z $bindir ]]; then
  echo "postgres-server: no PostgreSQL server (apt-get install postgresql; .ci/install-deps does)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "postgres-server: no 'postgres' system user to run the server as" >&2
      exit 1
    fi
    if [[ -f $dir/server ]]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    server=$(mktemp -d /tmp/corelens-pg.XXXXXX)
    echo "$server" >"$dir/server"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$server"; fi
    # trust on loopback only: the tests' roles are about grants, not passwords.
    as_owner "$bindir/initdb" -D "$server/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3; do
      port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bindir/pg_ctl" -D "$server/data" -l "$server/server.log" -w -t 60 \
           -o "-c listen_addresses=127.0.0.1 -p $port -k $server -c max_connections=50 -c fsync=off" start >/dev/null; then
        echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
        echo "postgres-server: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($server)"
        exit 0
      fi
      echo "postgres-server: start on port $port failed (attempt $attempt)" >&2
      tail -n 5 "$server/server.log" >&2 || true
    done
    exit 1
    ;;
  stop)
    server=$(cat "$dir/server" 2>/dev/null || true)
    if [[ $server == /tmp/corelens-pg.* && -f $server/data/postmaster.pid ]]; then
      as_owner "$bindir/pg_ctl" -D "$server/data" -m fast -w stop >/dev/null
    fi
    if [[ $server == /tmp/corelens-pg.* ]]; then rm -rf "$server"; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres-server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
