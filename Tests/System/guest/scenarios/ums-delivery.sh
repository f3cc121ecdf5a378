# Scenario ums-delivery (DELIVERY.md): settings with a download link land, the device
# downloads its license from the UMS, installs it, and asks the user before it restarts.
#
# The UMS is `openssl s_server -WWW` on the guest's loopback (https://localhost:8443, its
# certificate from this run's UMS CA): no traffic leaves the VM.
#   1. An unlicensed device with agent.conf's prompt_command= set to a script that plays the
#      user: it records each question and answers from /wfs/prompt-answer. The
#      remote-management component's part is played by writing the system.remotemanager.*
#      keys into /wfs/group.ini (server, link, ums_ca; no prompt setting: the device default,
#      ask). license-agent-deploy.path sees the change and license-agent-deploy.service runs
#      `license-agent deploy`.
#      The user answers "later": the license is installed, the user was asked once,
#      reboot-required is written, and the device does not restart. Then a second link
#      lands (EMP-UMS.lic) and the user answers "now": asked a second time, the device
#      restarts (the host sees qemu's reset, the kernel's "Restarting system").
#   2. The boot after: both licenses are valid, the device licensed, the deploys recorded
#      (deploy.json, audit lines); a second `deploy` installs nothing and asks for no reboot.
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
    # Every download below runs in the network helper, dropped to this user inside the
    # deploy unit's own sandbox: the package made it (sysusers.d).
    expect helper-user "the package made the network helper's user license-agent" \
        sh -c 'getent passwd license-agent | grep -q ":/usr/sbin/nologin$"'
    start_ums || return 0
    # The user: the deploy unit may write only /license and /wfs, so the answers live there.
    cat >/usr/local/bin/system-test-prompt <<'PROMPT'
#!/bin/sh
echo "asked: $LICENSE_AGENT_REASON" >>/wfs/prompt.log
exit "$(cat /wfs/prompt-answer)"
PROMPT
    chmod 755 /usr/local/bin/system-test-prompt
    echo 1 >/wfs/prompt-answer
    mkdir -p /etc/license-agent
    echo 'prompt_command=/usr/local/bin/system-test-prompt' >>/etc/license-agent/agent.conf
    {
        printf 'system.remotemanager.server=https://localhost:8443\n'
        printf 'system.remotemanager.license_download_url=%s\n' "$link"
        printf 'system.remotemanager.ums_ca=/srv/system-test/ums/ca.crt\n'
    } >>/wfs/group.ini
    wait_for_file /license/dsa/licenses/PAS-UMS.lic 180
    expect installed "PAS-UMS.lic arrived in /license/dsa/licenses" test -e /license/dsa/licenses/PAS-UMS.lic
    wait_for_lines /wfs/prompt.log 1 60
    expect_equal asked-once "the user was asked once" "$(wc -l </wfs/prompt.log 2>/dev/null)" 1
    sleep 20
    expect still-running "no restart after the user answered later" test -e /wfs/prompt.log
    expect reboot-marker "reboot-required stays for the desktop's notifier" test -e /run/license-agent/reboot-required
    info reboot-required "$(cat /run/license-agent/reboot-required 2>/dev/null || echo none)"

    echo 0 >/wfs/prompt-answer
    cp /srv/system-test/ums/EMP-UMS.lic "$ums_dir/"
    # Written in place (as the settings transport does), so that PathChanged= sees it closed.
    local settings
    settings=$(sed "s|^system.remotemanager.license_download_url=.*|system.remotemanager.license_download_url=https://localhost:8443/EMP-UMS.lic|" /wfs/group.ini)
    printf '%s\n' "$settings" >/wfs/group.ini
    wait_for_file /license/dsa/licenses/EMP-UMS.lic 180
    expect installed-second "EMP-UMS.lic arrived in /license/dsa/licenses" test -e /license/dsa/licenses/EMP-UMS.lic
    report "WAITING for the reboot the user agreed to"
    sleep 240
    fail rebooted "the device did not reboot within 240 s of the license landing"
}

phase_2() {
    deploy_available || return 0
    local state=/run/license-agent/state.json output
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal licensed "state.json licensed after the reboot" "$(jq -r .licensed "$state")" true
    expect_equal verdicts "the verdicts of the installed licenses" \
        "$(jq -r '[.licenses[] | "\(.file)=\(.verdict)"] | join(" ")' "$state")" "EMP-UMS.lic=valid PAS-UMS.lic=valid"
    expect_equal asked-twice "the user was asked once for each license" "$(wc -l </wfs/prompt.log)" 2
    expect deploy-recorded "deploy.json records the second link" grep -q "EMP-UMS.lic" /wfs/license-agent/deploy.json
    expect audit-line "the audit log has a deploy line" grep -q '"action":"deploy"' /wfs/license-agent/audit.log
    expect no-reboot-marker "no reboot-required marker after the reboot" test ! -e /run/license-agent/reboot-required
    start_ums || return 0
    cp /srv/system-test/ums/EMP-UMS.lic "$ums_dir/"
    output=$(license-agent deploy --json 2>/dev/console)
    expect_equal second-deploy-exit "the exit status of a second deploy" "$?" 0
    expect_equal second-deploy-reboot "rebootRequested of a second deploy" "$(echo "$output" | jq -r .rebootRequested)" false
    show_file /wfs/license-agent/audit.log
}
