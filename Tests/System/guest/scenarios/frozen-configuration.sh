# Scenario frozen-configuration (issue 13, scenario 5): the configuration of an OS 12 device
# whose PAS expired stays frozen across reboots, and a renewal thaws it; a settings change made
# on the PAS's last day, after that day's check, is what the freeze keeps.
#
# Four boots on the same disks, the guest clock moved by the host (-rtc base=):
#   1. the PAS's last day (noon UTC): the PAS is active; the boot check records the settings
#      as last good. Then the settings change (as the UMS would push them):
#      license-agent-config-snapshot.path runs `config snapshot`, which records the change.
#   2. PAS expired: the boot check freezes the settings of the last day, restoring nothing;
#      `config apply` is refused (exit 2); then the settings are changed behind the agent's back.
#   3. a day later: the boot check reverts that change (the reverted file is kept, audit
#      line); then the renewed PAS is imported.
#   4. a day later: the boot check thaws; `config apply` works again.

state=/run/license-agent/state.json
saved=/var/lib/system-test/group.ini.as-frozen

phase_1() {
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal licensed "state.json licensed" "$(jq -r .licensed "$state")" true
    expect_equal not-frozen "state.json configuration.frozen" "$(jq -r .configuration.frozen "$state")" false
    expect_equal pas-state "the PAS product state" "$(jq -r '.products[] | select(.product=="PAS") | .state' "$state")" expiring
    expect_equal pas-last-day "the PAS's days left" "$(jq -r '.products[] | select(.product=="PAS") | .daysLeft' "$state")" 0
    expect snapshot-path-unit "license-agent-config-snapshot.path is active" systemctl is-active license-agent-config-snapshot.path
    # A settings change on the PAS's last day, after the boot check recorded the settings.
    printf 'system.hostname=tc-last-day\n' >>/wfs/group.ini
    expect snapshot-ran "license-agent-config-snapshot.service ran after the change" \
        wait_for_unit_finished license-agent-config-snapshot.service 60
    expect recorded "the last good configuration is the changed settings" \
        cmp -s /wfs/license-agent/last-good/group.ini /wfs/group.ini
    expect_equal recorded-twice "config-last-good lines in the audit log" \
        "$(grep -c '"action":"config-last-good"' /wfs/license-agent/audit.log)" 2
    sync
}

phase_2() {
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal pas-state "the PAS product state" "$(jq -r '.products[] | select(.product=="PAS") | .state' "$state")" expired
    expect_equal frozen "state.json configuration.frozen" "$(jq -r .configuration.frozen "$state")" true
    expect_equal config-changes "the config-changes feature" "$(jq -r '.features["config-changes"]' "$state")" false
    expect kept-last-day-change "group.ini keeps the change of the PAS's last day" grep -qx 'system.hostname=tc-last-day' /wfs/group.ini
    expect_equal snapshot-source "config status: the frozen snapshot's source" \
        "$(license-agent config status --json | jq -r .configuration.snapshotSource)" last-good
    expect nothing-restored "the freeze restored nothing" sh -c '! grep -q "\"action\":\"config-restore\"" /wfs/license-agent/audit.log'
    mkdir -p "$(dirname "$saved")"
    cp /wfs/group.ini "$saved"
    printf 'system.display.resolution=640x480\n' >/run/new-group.ini
    license-agent config apply /run/new-group.ini 2>/dev/console
    expect_equal config-apply-refused "the exit status of config apply while frozen" "$?" 2
    expect unchanged-by-refusal "the refused config apply left group.ini alone" cmp -s /wfs/group.ini "$saved"
    # The change behind the agent's back, e.g. an administrator editing the file by hand.
    printf 'system.display.resolution=640x480\n' >>/wfs/group.ini
    sync
}

phase_3() {
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal still-frozen "state.json configuration.frozen" "$(jq -r .configuration.frozen "$state")" true
    expect reverted "group.ini is the frozen settings again" cmp -s /wfs/group.ini "$saved"
    expect kept-aside "the changed file is kept as frozen/group.ini.reverted-*" \
        sh -c 'grep -l "640x480" /wfs/license-agent/frozen/group.ini.reverted-* | grep -q .'
    expect audit-restore "the audit log records the restore" grep -q '"action":"config-restore"' /wfs/license-agent/audit.log
    license-agent import /srv/system-test/PAS-RENEWED.lic >/dev/console 2>&1
    expect_equal renewal-imported "the exit status of importing the renewed PAS" "$?" 0
    sync
}

phase_4() {
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal thawed "state.json configuration.frozen" "$(jq -r .configuration.frozen "$state")" false
    expect_equal pas-state "the PAS product state" "$(jq -r '.products[] | select(.product=="PAS") | .state' "$state")" active
    expect_equal config-changes "the config-changes feature" "$(jq -r '.features["config-changes"]' "$state")" true
    expect audit-thaw "the audit log records the thaw" grep -q '"action":"config-thaw"' /wfs/license-agent/audit.log
    printf 'system.display.resolution=1920x1080\n' >/run/new-group.ini
    license-agent config apply /run/new-group.ini >/dev/console 2>&1
    expect_equal config-apply-works "the exit status of config apply after the thaw" "$?" 0
    expect_equal applied "group.ini after config apply" "$(cat /wfs/group.ini)" "system.display.resolution=1920x1080"
    show_file /wfs/license-agent/audit.log
}
