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
#      The UMS holds the device's report: license-agent-report.service (after the boot check)
#      posted the license information, and it is what state.json says (DELIVERY.md "License
#      information back to the UMS"). Phase 1 installs the report's UMS for this boot: a unit
#      ordered after the boot's deploy and before the report, `openssl s_server` taking one
#      connection, recording what the device sends and answering 200 once the body is in.
# If the installed license-agent has no `deploy` subcommand, the scenario reports NOT RUN.

ums_dir=/run/ums
link=https://localhost:8443/PAS-UMS.lic
received=/run/ums-report/received

# Not `license-agent deploy --help`: for an unknown subcommand that prints the root help, exit 0.
deploy_available() {
    if license-agent --experimental-dump-help | jq -e '.command.subcommands[] | select(.commandName == "deploy")' >/dev/null
    then
        return 0
    fi
    report "NOTRUN the installed license-agent has no 'deploy' subcommand (DELIVERY.md is not in this package yet)"
    return 1
}

# The report is checked only when the installed license-agent has it.
report_available() {
    license-agent --experimental-dump-help | jq -e '.command.subcommands[] | select(.commandName == "report")' >/dev/null
}

# The UMS that takes the report at the next boot (see the top): a script and its unit,
# enabled on the root disk, which this scenario's boots share.
install_report_ums() {
    cat >/usr/local/bin/system-test-report-ums <<'UMS'
#!/bin/sh
# One https connection on 127.0.0.1:8443: what the device sends goes to /run/ums-report/received;
# the answer (200) is written once the JSON body is complete, then the connection ends.
dir=/run/ums-report
mkdir -p "$dir"
rm -f "$dir/answer"
mkfifo "$dir/answer"
openssl s_server -quiet -naccept 1 -accept 127.0.0.1:8443 -cert /srv/system-test/ums/server.crt \
    -key /srv/system-test/ums/server.key <"$dir/answer" >"$dir/received" 2>"$dir/server.log" &
server=$!
exec 3>"$dir/answer"
waited=0
until grep -q '"schemaVersion"' "$dir/received" && [ "$(tail -c 1 "$dir/received")" = "}" ]; do
    [ "$waited" -ge 600 ] && break
    sleep 0.5
    waited=$((waited + 1))
done
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{"received":true}' >&3
sleep 1
exec 3>&-
wait "$server"
UMS
    chmod 755 /usr/local/bin/system-test-report-ums
    cat >/etc/systemd/system/system-test-report-ums.service <<'UNIT'
[Unit]
Description=System test: the UMS that takes the license report at boot
RequiresMountsFor=/srv/system-test
After=license-agent-deploy.service
Before=license-agent-report.service

[Service]
Type=simple
ExecStart=/usr/local/bin/system-test-report-ums
ExecStartPost=/bin/sh -c 'until grep -q ":20FB " /proc/net/tcp; do sleep 0.2; done'

[Install]
WantedBy=multi-user.target
UNIT
    systemctl enable system-test-report-ums.service >/dev/null 2>&1
    expect report-ums-enabled "the report's UMS is enabled for the next boot" \
        test -L /etc/systemd/system/multi-user.target.wants/system-test-report-ums.service
}

# The report the UMS received at this boot: what state.json says, and recorded on the device.
check_report() {
    local body state=/run/license-agent/state.json
    expect report-ran "license-agent-report.service has run" wait_for_unit_finished license-agent-report.service 120
    expect report-succeeded "license-agent-report.service succeeded" \
        sh -c "journalctl -b -q -u license-agent-report.service | grep -q 'Deactivated successfully'"
    expect report-request "the UMS received POST /v1/devices/$MAC/license-info" \
        grep -q "^POST /v1/devices/$MAC/license-info " "$received"
    body=$(tail -n 1 "$received")
    expect_equal report-unit "the reported unit ID" "$(echo "$body" | jq -r .unitId)" "$MAC"
    expect_equal report-licensed "the reported licensed" "$(echo "$body" | jq -r .licensed)" true
    expect_equal report-licenses "the reported verdicts are state.json's" \
        "$(echo "$body" | jq -c '[.licenses[] | {file, verdict, licenseId}]')" \
        "$(jq -c '[.licenses[] | {file, verdict, licenseId}]' "$state")"
    expect_equal report-products "the reported products are state.json's" \
        "$(echo "$body" | jq -c '[.products[] | {code, state, expires}]')" \
        "$(jq -c '[.products[] | {code: .product, state, expires}]' "$state")"
    expect report-no-secret "no settings value in the report" sh -c "! grep -q 'ums_ca\|/srv/system-test' '$received'"
    expect report-recorded "report.json records what the UMS accepted" \
        sh -c "jq -e '.sha256 | length == 64' /wfs/license-agent/report.json"
    show_file "$received"
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
    if report_available; then install_report_ums; fi
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
    if report_available; then
        check_report
    else
        report "NOTRUN report: the installed license-agent has no 'report' subcommand"
    fi
    start_ums || return 0
    cp /srv/system-test/ums/EMP-UMS.lic "$ums_dir/"
    output=$(license-agent deploy --json 2>/dev/console)
    expect_equal second-deploy-exit "the exit status of a second deploy" "$?" 0
    expect_equal second-deploy-reboot "rebootRequested of a second deploy" "$(echo "$output" | jq -r .rebootRequested)" false
    show_file /wfs/license-agent/audit.log
}
