# Scenario ud-pocket (issue 13, scenario 2): /license on a USB stick (a UD Pocket).
#
# Disks: /license is on a usb-storage device with serial $POCKET_SERIAL (qemu-xhci), holding
# a PAS bound to #<serial> and an EMP bound to the NIC's MAC; the virtio NIC is present too.
# Asserts: /license really sits on the USB device with that serial (udev's ID_BUS and
# ID_SERIAL_SHORT); the unit ID is "#" + the serial in upper case, source ud-pocket, not
# the MAC; the PAS bound to it is valid and the device licensed; the MAC-bound EMP is
# other-unit; /license is mounted read-only.

phase_1() {
    local state=/run/license-agent/state.json source
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    source=$(findmnt -n -o SOURCE --mountpoint /license)
    info license-device "$source"
    expect_equal license-bus "udev ID_BUS of $source (holds /license)" \
        "$(udevadm info -q property -n "$source" | sed -n 's/^ID_BUS=//p')" usb
    expect_equal stick-serial "udev ID_SERIAL_SHORT of $source" \
        "$(udevadm info -q property -n "$source" | sed -n 's/^ID_SERIAL_SHORT=//p')" \
        "$(echo "$POCKET_SERIAL" | tr 'A-Z' 'a-z')"
    expect_equal unit-id "state.json unitId" "$(jq -r .unitId "$state")" "#$POCKET_SERIAL"
    expect_equal unit-source "state.json unitSource" "$(jq -r .unitSource "$state")" ud-pocket
    expect_equal agent-unit-id "license-agent unit-id" "$(license-agent unit-id 2>&1)" "#$POCKET_SERIAL"
    expect_equal licensed "state.json licensed" "$(jq -r .licensed "$state")" true
    expect_equal verdicts "the verdicts of the installed licenses" \
        "$(jq -r '[.licenses[] | "\(.file)=\(.verdict)"] | join(" ")' "$state")" \
        "EMP-MAC.lic=other-unit PAS-POCKET.lic=valid"
    expect license-read-only "/license is mounted read-only" is_read_only_mount /license
}
