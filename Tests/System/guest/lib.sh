# Helpers of the guest side of the system test, sourced by run-scenario, the scenarios and
# power-cut-init.
#
# Protocol (Tests/System/host/systest/vm.py reads it): one line a fact on the second serial
# port (/dev/ttyS1), each starting with "SYSTEST ":
#   SYSTEST PASS <check>: <what was seen>     an assertion held
#   SYSTEST FAIL <check>: <what was seen>     an assertion failed
#   SYSTEST NOTRUN <reason>                   the scenario cannot run on this package
#   SYSTEST INFO <key> <value>                a figure or fact for the report
#   SYSTEST READY <what>                      the guest waits for the host to act (hot-plug)
#   SYSTEST END <scenario> phase <n>          the phase ended; the VM powers off or reboots
# The console (ttyS0) carries everything else: the agent's journal, state.json, diagnostics.

SYSTEST_LIB=/usr/local/lib/system-test
SYSTEST_DATA=/srv/system-test
RESULTS_PORT=/dev/ttyS1

report() {
    printf 'SYSTEST %s\n' "$*" >"$RESULTS_PORT"
    printf 'SYSTEST %s\n' "$*" >/dev/console
}

pass() { report "PASS $1: $2"; }
fail() { report "FAIL $1: $2"; }
info() { report "INFO $1 $2"; }

# expect CHECK DESCRIPTION COMMAND...: PASS when the command succeeds.
expect() {
    local check=$1 description=$2
    shift 2
    if "$@" >/dev/null 2>&1; then pass "$check" "$description"; else fail "$check" "$description (false: $*)"; fi
}

# expect_equal CHECK WHAT ACTUAL EXPECTED
expect_equal() {
    if [ "$3" = "$4" ]; then pass "$1" "$2 is '$3'"; else fail "$1" "$2 is '$3', expected '$4'"; fi
}

# cmdline_value KEY: the value of KEY=VALUE on the kernel command line.
cmdline_value() {
    local word
    for word in $(cat /proc/cmdline); do
        case "$word" in "$1="*) printf '%s\n' "${word#*=}"; return 0 ;; esac
    done
    return 1
}

# Options of the mount at a path, as the kernel shows them (per-mount, then per-superblock).
mount_options() { findmnt -n -o OPTIONS --target "$1"; }
superblock_options() { findmnt -n -o FS-OPTIONS --target "$1"; }
is_read_only_mount() { findmnt -n --mountpoint "$1" -o OPTIONS | tr ',' '\n' | grep -qx ro; }

# Waits until a oneshot unit has run (its main process exited) or SECONDS pass.
wait_for_unit_run() {
    local unit=$1 seconds=$2 waited=0
    while [ "$(systemctl show -P ExecMainExitTimestampMonotonic "$unit")" = 0 ]; do
        [ "$waited" -ge "$seconds" ] && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

# Waits until systemd logged the end of a unit's run: also for a oneshot unit without
# RemainAfterExit, which is garbage-collected when it ends (its properties then read as
# defaults: ExecMainStatus 0, Result success, whatever happened).
wait_for_unit_finished() {
    local unit=$1 seconds=$2 waited=0
    until journalctl -b -q -u "$unit" | grep -Eq 'Deactivated successfully|Failed with result'; do
        [ "$waited" -ge "$seconds" ] && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

# Waits until FILE exists or SECONDS pass.
wait_for_file() {
    local file=$1 seconds=$2 waited=0
    until [ -e "$file" ]; do
        [ "$waited" -ge "$seconds" ] && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

# Waits until FILE has at least COUNT lines or SECONDS pass.
wait_for_lines() {
    local file=$1 count=$2 seconds=$3 waited=0
    until [ "$(wc -l <"$file" 2>/dev/null || echo 0)" -ge "$count" ]; do
        [ "$waited" -ge "$seconds" ] && return 1
        sleep 1
        waited=$((waited + 1))
    done
}

# Writes a file to the console between markers, for whoever reads the console log.
show_file() {
    printf '\n----- %s -----\n' "$1" >/dev/console
    cat "$1" >/dev/console 2>&1
    printf '\n----- end of %s -----\n' "$1" >/dev/console
}

# The agent's journal of this boot, to the console.
show_agent_journal() {
    printf '\n----- journal: license-agent units -----\n' >/dev/console
    journalctl -b --no-pager -o short-monotonic -u 'license-agent*' >/dev/console 2>&1
    printf '\n----- end of journal -----\n' >/dev/console
}

# The expected values of this run, written by the host (MAC=, POCKET_SERIAL=, …).
[ -r "$SYSTEST_DATA/expected.env" ] && . "$SYSTEST_DATA/expected.env"
