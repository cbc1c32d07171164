#!/usr/bin/env bash
# Make sure the services the tests talk to are up on loopback: PostgreSQL (127.0.0.1:5432) and
# Redis (127.0.0.1:6379). Starts whichever is absent; fails with one clear sentence if it cannot.
set -u

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # port, seconds
  for _ in $(seq 1 "$2"); do port_open "$1" && return 0; sleep 1; done
  return 1
}

if ! port_open 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "ensure-services: starting Redis on 127.0.0.1:6379"
    mkdir -p /tmp/decompose-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/decompose-redis --logfile /tmp/decompose-redis/redis.log >/dev/null
  fi
  wait_port 6379 15 || { echo "ensure-services: Redis is not running on 127.0.0.1:6379 and could not be started; install redis-server (apt-get install redis-server) or start it, then rerun." >&2; exit 1; }
fi

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL on 127.0.0.1:5432"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  wait_port 5432 30 || { echo "ensure-services: PostgreSQL is not running on 127.0.0.1:5432 and could not be started; install postgresql (apt-get install postgresql) with trust auth for 127.0.0.1, start it, then rerun." >&2; exit 1; }
fi
echo "ensure-services: PostgreSQL and Redis are up"
