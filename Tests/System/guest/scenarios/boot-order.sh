# Scenario boot-order (issue 13, scenario 1): the boot check runs before the desktop.
#
# Disks: /license on a virtio disk with a PAS and an EMP license bound to the NIC's MAC,
# /wfs on another. The NIC is virtio-net with the MAC of $MAC; its driver is a module.
# Asserts: state.json existed when the (fake) display manager started; systemd started the
# display manager only after the check's process exited; the check succeeded (exit 0);
# state.json names the MAC as unit ID, the device licensed, both licenses valid; the NIC's
# driver is virtio_net, loaded as a module.

phase_1() {
    local state=/run/license-agent/state.json
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal desktop-saw-state "what the display manager found when it started" \
        "$(grep '^state=' /run/fake-display-manager.seen)" "state=present"

    local check_exit desktop_start
    check_exit=$(systemctl show -P ExecMainExitTimestampMonotonic license-agent-check.service)
    desktop_start=$(systemctl show -P ExecMainStartTimestampMonotonic display-manager.service)
    info check-exited-at-us "$check_exit"
    info desktop-started-at-us "$desktop_start"
    if [ "$check_exit" -gt 0 ] && [ "$desktop_start" -ge "$check_exit" ]; then
        pass check-before-desktop "the check exited at ${check_exit} µs, the desktop started at ${desktop_start} µs"
    else
        fail check-before-desktop "the check exited at ${check_exit} µs, the desktop started at ${desktop_start} µs"
    fi
    expect_equal check-exit-status "the check's exit status" \
        "$(systemctl show -P ExecMainStatus license-agent-check.service)" 0
    expect_equal desktop-alias "the unit behind display-manager.service" \
        "$(systemctl show -P Id display-manager.service)" fake-display-manager.service

    expect_equal unit-id "state.json unitId" "$(jq -r .unitId "$state")" "$MAC"
    expect_equal unit-source "state.json unitSource" "$(jq -r .unitSource "$state")" mac
    expect_equal licensed "state.json licensed" "$(jq -r .licensed "$state")" true
    expect_equal verdicts "the verdicts of the installed licenses" \
        "$(jq -r '[.licenses[] | "\(.file)=\(.verdict)"] | join(" ")' "$state")" \
        "EMP-BOOT.lic=valid PAS-BOOT.lic=valid"

    local interface driver
    interface=$(grep -lix "$(echo "$MAC" | sed 's/../&:/g; s/:$//')" /sys/class/net/*/address | head -n 1)
    interface=$(basename "$(dirname "$interface")")
    driver=$(basename "$(readlink -f "/sys/class/net/$interface/device/driver/module")")
    expect_equal nic-driver "the driver module of $interface (MAC $MAC)" "$driver" virtio_net
    expect_equal nic-driver-is-module "/sys/module/virtio_net/initstate (only loadable modules have it)" \
        "$(cat /sys/module/virtio_net/initstate 2>/dev/null)" live
    expect_equal agent-unit-id "license-agent unit-id" "$(license-agent unit-id 2>&1)" "$MAC"
    printf '\n----- systemd-analyze critical-chain display-manager.service -----\n' >/dev/console
    systemd-analyze critical-chain display-manager.service >/dev/console 2>&1
}
