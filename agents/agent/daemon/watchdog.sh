#!/bin/sh
# appliance-agent-watchdog: keeps the agent running where there is no systemd (many smart boxes).
# Started by `appliance-agent --daemon` (agents/agent/daemon/daemonize.ts), detached, with stdout
# and stderr on agent-console.log:
#
#   sh appliance-agent-watchdog --pid-file RUN_DIR/watchdog.pid -- NODE [NODE_FLAGS] AGENT_JS [ARGS]
#
# It runs the command (the agent), and runs it again when it dies (crash, OOM kill), after 1 s
# doubling to 30 s, back to 1 s once a run lasted a minute. It gives up on exit 0 (the agent was
# stopped on purpose), 2 (bad config) and 3 (another agent runs): a restart cannot change those
# (agents/agent/exit-codes.ts). SIGTERM, SIGINT or SIGHUP stop it: the agent gets SIGTERM, which
# makes it stop its services, and the watchdog exits 0 once the agent has gone.
#
# Why a shell script: the watchdog used to be a second Node process, ~50 MiB resident beside the
# agent's ~55 to do nothing but wait. dash or BusyBox ash waiting on a child is about 2 MiB, and
# every machine the agent runs on has one. POSIX sh only (dash, BusyBox ash): no bashisms.
#
# One watchdog per run directory: an exclusive flock(1) on PID_FILE.lock, held on descriptor 9 for
# as long as this shell lives, as the agent does for agent.pid.lock (pid-file.ts, flock.ts). The
# kernel drops it when the holder dies, however it dies, so there is no stale lock. Descriptor 9 is
# closed for every command started here (9>&-), so the agent never inherits the lock: a watchdog
# killed with SIGKILL does not leave it held by its agent. PID_FILE (this shell's pid, written after
# the lock is won, removed on a clean stop) is what people, the provisioner and uninstall read;
# they recognise the watchdog by `agent.js` in its command line, which the agent's command puts there.
#
# Every event is one JSON line on stderr, with the names the console log always had:
# watchdog.started-agent, watchdog.agent-exited, watchdog.restart-scheduled, watchdog.stopping,
# watchdog.refused (exit 3), watchdog.failed (exit 1: no flock(1), run directory not writable).
set -u

INITIAL_DELAY_S=1
MAX_DELAY_S=30
STABLE_S=60

if [ $# -lt 4 ] || [ "$1" != --pid-file ] || [ "$3" != -- ]; then
  echo 'usage: appliance-agent-watchdog --pid-file FILE -- COMMAND [ARG...]' >&2
  exit 2
fi
pid_file=$2
shift 3
umask 077

# report EVENT [FIELDS]: FIELDS is the rest of the JSON object, each field with a leading comma.
report() {
  printf '{"time":"%s","event":"%s"%s}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ 9>&-)" "$1" "${2:-}" >&2
}

# A JSON string literal; only for text that may hold a path (failures), so the fork does not matter.
json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g' | tr -d '\000-\037')"
}

fail() {
  report watchdog.failed ",\"msg\":$(json_string "$1")"
  exit 1
}

# Seconds since boot, into $now: a clock that wall-clock changes (NTP, the testbed's clock skew)
# do not move. `read` is built in, so this costs no process.
read_uptime() {
  read -r now _ < /proc/uptime
  now=${now%.*}
}

# flock(1) from util-linux or BusyBox, on PATH or where they usually are (a cron PATH is short).
# Short options only: BusyBox's flock knows no long ones. Status 1: the lock is held elsewhere.
lock_fd9() {
  for candidate in flock /usr/bin/flock /bin/flock /usr/sbin/flock /sbin/flock; do
    if command -v "$candidate" >/dev/null 2>&1; then
      "$candidate" -x -n 9
      return
    fi
  done
  return 127
}

# `command`: a failed redirection of the special built-in exec would end the shell before `fail`.
command exec 9>>"$pid_file.lock" || fail "cannot open $pid_file.lock"
lock_fd9
case $? in
  0) ;;
  1)
    holder=''
    read -r holder 2>/dev/null < "$pid_file" || true
    case $holder in '' | *[!0-9]*) holder='' ;; esac
    report watchdog.refused ",\"msg\":\"a watchdog is already running${holder:+ (pid $holder)}\""
    exit 3
    ;;
  127) fail 'flock(1) is needed for the single-instance lock (util-linux or BusyBox) and was not found' ;;
  *) fail "flock -x -n failed on $pid_file.lock" ;;
esac
# Temp file and rename: a reader never sees it half-written.
{ printf '%s\n' "$$" > "$pid_file.$$.tmp" && mv -f "$pid_file.$$.tmp" "$pid_file" 9>&-; } || fail "cannot write $pid_file"

# A trapped signal cuts `wait` short (status > 128) and runs the trap: the agent gets SIGTERM at
# once, and the loops below wait for it to be gone before the watchdog exits.
stopping=''
agent=''
sleeper=''
# shellcheck disable=SC2317 # run by the traps below
on_signal() {
  stopping=$1
  report watchdog.stopping ",\"signal\":\"$1\""
  if [ -n "$agent" ]; then kill -TERM "$agent" 2>/dev/null; fi
  if [ -n "$sleeper" ]; then kill -TERM "$sleeper" 2>/dev/null; fi
}
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGINT' INT
trap 'on_signal SIGHUP' HUP

# wait_for PID: its exit status into $status. stderr goes nowhere: the shell would print "Killed"
# for a child that died by a signal, and the event below says it as JSON.
wait_for() {
  wait "$1" 2>/dev/null
  status=$?
  # Cut short by a signal: the child may still be running (or a zombie), so wait again until it
  # is gone. kill -0 fails once it has been reaped; 127 means it is not our child any more.
  while [ -n "$stopping" ] && kill -0 "$1" 2>/dev/null; do
    wait "$1" 2>/dev/null
    again=$?
    [ "$again" -ne 127 ] || break
    status=$again
  done
}

result=0
delay=$INITIAL_DELAY_S
while [ -z "$stopping" ]; do
  read_uptime
  started_at=$now
  # An asynchronous command of a shell without job control starts with SIGINT and SIGQUIT ignored;
  # Node resets every signal at start, so the agent still stops on them.
  "$@" 9>&- &
  agent=$!
  # A signal that came between the fork and the line above found no agent to pass SIGTERM to.
  if [ -n "$stopping" ]; then kill -TERM "$agent" 2>/dev/null; fi
  report watchdog.started-agent ",\"pid\":$agent"
  wait_for "$agent"
  agent=''
  if [ "$status" -gt 128 ] && signal=$(kill -l "$status" 2>/dev/null) && [ -n "$signal" ]; then
    report watchdog.agent-exited ",\"code\":null,\"signal\":\"SIG${signal#SIG}\""
  else
    report watchdog.agent-exited ",\"code\":$status,\"signal\":null"
    case $status in
      0 | 2 | 3)
        [ -n "$stopping" ] || result=$status
        break
        ;;
    esac
  fi
  [ -z "$stopping" ] || break

  read_uptime
  if [ $((now - started_at)) -ge $STABLE_S ]; then delay=$INITIAL_DELAY_S; fi
  report watchdog.restart-scheduled ",\"delayMs\":$((delay * 1000))"
  sleep "$delay" 9>&- &
  sleeper=$!
  if [ -n "$stopping" ]; then kill -TERM "$sleeper" 2>/dev/null; fi
  wait_for "$sleeper"
  sleeper=''
  delay=$((delay * 2))
  if [ "$delay" -gt $MAX_DELAY_S ]; then delay=$MAX_DELAY_S; fi
done

written=''
read -r written 2>/dev/null < "$pid_file" || true
if [ "$written" = "$$" ]; then rm -f "$pid_file" 9>&-; fi
exit "$result"
