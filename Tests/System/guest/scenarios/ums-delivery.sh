# Scenario ums-delivery (issue 13, scenario 6; DELIVERY.md): settings with a download link
# land, the device downloads its license from the UMS, installs it and reboots.
#
# The UMS is `openssl s_server -WWW` on the guest's loopback (https://localhost:8443, its
# certificate from this run's UMS CA): no traffic leaves the VM.
#   1. An unlicensed device. The remote-management component's part is played by writing
#      the system.remotemanager.* keys into /wfs/group.ini (server, link, ums_ca; no prompt
#      setting, so the device reboots by itself). license-agent-deploy.path sees the change
#      and license-agent-deploy.service runs `license-agent deploy`.
#      Asserts: the license is installed, reboot-required is written, and the device
#      reboots by itself (the host sees qemu's reset, the kernel's "Restarting system").
#   2. The boot after: the license is valid, the device licensed, the deploy is recorded
#      (deploy.json, audit line); a second `deploy` installs nothing and asks for no reboot.
# If the installed license-agent has no `deploy` subcommand, the scenario reports NOT RUN.

ums_dir=/run/ums
link=https://localhost:8443/PAS-UMS.lic

# Not `license-agent deploy --help`: for an unknown subcommand that prints the root help, exit 0.
deploy_available() {
    if license-agent --experimental-dump-help | jq -e '.command.subcommands[] | select(.commandName == "deploy")' >/dev/null
    then
        return 0
    fi
    report "NOTRUN the installed license-agent has no 'deploy' subcommand (DELIVERY.md is not in this package yet)"
    return 1
}

start_ums() {
    mkdir -p "$ums_dir"
    cp /srv/system-test/ums/PAS-UMS.lic "$ums_dir/"
    (cd "$ums_dir" && exec openssl s_server -quiet -WWW -accept 127.0.0.1:8443 \
        -cert /srv/system-test/ums/server.crt -key /srv/system-test/ums/server.key) >/dev/console 2>&1 &
    local waited=0
    until grep -q ':20FB ' /proc/net/tcp; do
        [ "$waited" -ge 30 ] && { fail ums-started "openssl s_server did not listen on 127.0.0.1:8443"; return 1; }
        sleep 1
        waited=$((waited + 1))
    done
}

phase_1() {
    deploy_available || return 0
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal unlicensed-before "state.json licensed before the delivery" "$(jq -r .licensed /run/license-agent/state.json)" false
    expect deploy-path-unit "license-agent-deploy.path is active" systemctl is-active license-agent-deploy.path
    start_ums || return 0
    {
        printf 'system.remotemanager.server=https://localhost:8443\n'
        printf 'system.remotemanager.license_download_url=%s\n' "$link"
        printf 'system.remotemanager.ums_ca=/srv/system-test/ums/ca.crt\n'
    } >>/wfs/group.ini
    local waited=0
    until [ -e /license/dsa/licenses/PAS-UMS.lic ] || [ "$waited" -ge 180 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    expect installed "PAS-UMS.lic arrived in /license/dsa/licenses (after ${waited} s)" test -e /license/dsa/licenses/PAS-UMS.lic
    info reboot-required "$(cat /run/license-agent/reboot-required 2>/dev/null || echo none)"
    report "WAITING for the reboot"
    sleep 240
    fail rebooted "the device did not reboot within 240 s of the license landing"
}

phase_2() {
    deploy_available || return 0
    local state=/run/license-agent/state.json output
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal licensed "state.json licensed after the reboot" "$(jq -r .licensed "$state")" true
    expect_equal verdicts "the verdicts of the installed licenses" \
        "$(jq -r '[.licenses[] | "\(.file)=\(.verdict)"] | join(" ")' "$state")" "PAS-UMS.lic=valid"
    expect deploy-recorded "deploy.json records the link" grep -q "$link" /wfs/license-agent/deploy.json
    expect audit-line "the audit log has a deploy line" grep -q '"action":"deploy"' /wfs/license-agent/audit.log
    expect no-reboot-marker "no reboot-required marker after the reboot" test ! -e /run/license-agent/reboot-required
    start_ums || return 0
    output=$(license-agent deploy --json 2>/dev/console)
    expect_equal second-deploy-exit "the exit status of a second deploy" "$?" 0
    expect_equal second-deploy-reboot "rebootRequested of a second deploy" "$(echo "$output" | jq -r .rebootRequested)" false
    show_file /wfs/license-agent/audit.log
}
