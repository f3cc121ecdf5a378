# Scenario power-cut (issue 13, scenario 7): kill -9 of qemu during a loop of
# `import --replace`; every next boot sees exactly one whole set.
#
# Three license sets rotate A → B → C → A on /srv/system-test/sets/<X>/ (PAS-A + EMP-A;
# PAS-B + PWT-B + EMP-B; PAS-C). Each round is one real boot of the real disks after a
# kill -9 (power-cut-init, a minimal PID 1, keeps rounds cheap): fsck, the agent's check,
# then the import loop until the host cuts the power. The last boot is a full systemd boot
# (phase "final") with the fstab mount and the boot check unit.
#
# Per boot the guest reports "SEEN <set>" and asserts: e2fsck -fn finds /license clean
# (after the journal replay), the .lic files are exactly one set, every one verifies
# (verdict valid), the device is licensed, /license is mounted read-only. The host asserts
# durability: the set seen is the last one an import reported DONE, or the one after it
# (the import in flight), never older.

sets_dir=/srv/system-test/sets

# The name of the set that /license/dsa/licenses holds, or "mixed:<files>".
installed_set() {
    local files candidate
    files=$(cd /license/dsa/licenses && ls -1 -- *.lic 2>/dev/null | sort | tr '\n' ' ')
    for candidate in A B C; do
        if [ "$files" = "$(cd "$sets_dir/$candidate" && ls -1 -- *.lic | sort | tr '\n' ' ')" ]; then
            echo "$candidate"
            return
        fi
    done
    echo "mixed:${files// /,}"
}

successor() {
    case "$1" in A) echo B ;; B) echo C ;; *) echo A ;; esac
}

# Asserts on what the check saw; $1 is the check's --json output file.
assert_one_whole_set() {
    local check_json=$1 seen
    seen=$(installed_set)
    report "SEEN $seen"
    case "$seen" in
        mixed:*) fail one-set "/license/dsa/licenses holds ${seen#mixed:}, not one whole set" ;;
        *) pass one-set "/license/dsa/licenses holds exactly set $seen" ;;
    esac
    expect_equal all-valid "the verdicts that are not valid" \
        "$(jq -r '[.licenses[] | select(.verdict != "valid") | "\(.file)=\(.verdict)"] | join(" ")' "$check_json")" ""
    expect_equal same-bytes "files that differ from the set's originals" "$(differing_files "$seen")" ""
    expect_equal licensed "licensed" "$(jq -r .licensed "$check_json")" true
    expect license-read-only "/license is mounted read-only" is_read_only_mount /license
}

# Installed files whose bytes differ from the set's originals (a torn file would show here).
differing_files() {
    local file
    case "$1" in mixed:*) return ;; esac
    for file in "$sets_dir/$1"/*.lic; do
        cmp -s "$file" "/license/dsa/licenses/$(basename "$file")" || printf '%s ' "$(basename "$file")"
    done
}

# The full systemd boot after the last round.
phase_final() {
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal check-exit-status "the check's exit status" \
        "$(systemctl show -P ExecMainStatus license-agent-check.service)" 0
    expect_equal fsck-unit "systemd-fsck of /license" \
        "$(systemctl show -P Result 'systemd-fsck@dev-disk-by\x2dlabel-LICENSE.service')" success
    assert_one_whole_set /run/license-agent/state.json
}
