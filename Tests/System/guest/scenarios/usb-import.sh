# Scenario usb-import (issue 13, scenario 3): a stick plugged in while the device runs.
#
# The device starts with a PAS on /license. The guest switches the shipped udev rule on as
# Packaging/README.md says (LICENSE_AGENT_IMPORT_USB=yes in /etc/license-agent/import-usb.conf,
# which udev reads at every event), then asks the host to
# hot-plug a stick (QMP device_add usb-storage) with EMP-STICK.lic (valid), LINK.lic (a
# symlink to it) and HUGE.lic (over 64 KiB).
# Asserts: udev started license-agent-import-usb@<dev>.service, which succeeded; EMP-STICK
# is installed and valid, nothing else came from the stick; /license is read-only again
# with its mount options as before; the stick is mounted nowhere; the audit log has the
# import-usb line naming the installed file.

phase_1() {
    local options_before device unit waited=0
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    options_before=$(mount_options /license)
    sed -i 's/^LICENSE_AGENT_IMPORT_USB=.*/LICENSE_AGENT_IMPORT_USB=yes/' /etc/license-agent/import-usb.conf
    grep -qx 'LICENSE_AGENT_IMPORT_USB=yes' /etc/license-agent/import-usb.conf ||
        echo 'LICENSE_AGENT_IMPORT_USB=yes' >>/etc/license-agent/import-usb.conf
    report "READY hotplug"

    while [ -z "$device" ] && [ "$waited" -lt 120 ]; do
        device=$(lsblk -dn -o NAME,TRAN | awk '$2 == "usb" { print $1; exit }')
        sleep 1
        waited=$((waited + 1))
    done
    info stick-device "${device:-none} after ${waited} s"
    [ -n "$device" ] || { fail stick-seen "no USB disk appeared within 120 s"; return; }
    unit="license-agent-import-usb@$device.service"
    expect import-unit-ran "$unit ran (started by the udev rule) and ended" wait_for_unit_finished "$unit" 180
    journalctl -b --no-pager -u "$unit" >/dev/console 2>&1
    expect import-unit-succeeded "systemd logged that $unit ended successfully" \
        sh -c "journalctl -b -q -u '$unit' | grep -q 'Deactivated successfully'"
    expect_equal import-unit-exit "systemd's lines about a non-zero exit of $unit" \
        "$(journalctl -b -q -u "$unit" | grep -c 'Main process exited')" 0

    expect_equal installed "the files in /license/dsa/licenses" \
        "$(ls /license/dsa/licenses | tr '\n' ' ')" "EMP-STICK.lic PAS-BASE.lic "
    local state
    state=$(license-agent status --json)
    expect_equal verdicts "the verdicts in status" \
        "$(echo "$state" | jq -r '[.licenses[] | "\(.file)=\(.verdict)"] | join(" ")')" \
        "EMP-STICK.lic=valid PAS-BASE.lic=valid"
    expect license-read-only "/license is mounted read-only again" is_read_only_mount /license
    expect_equal license-options "the mount options of /license" "$(mount_options /license)" "$options_before"
    expect_equal superblock-read-only "the /license file system's own read-only flag" \
        "$(superblock_options /license | tr ',' '\n' | grep -x ro)" ro
    expect_equal stick-unmounted "mounts of /dev/$device in any namespace" \
        "$(grep -l "/dev/$device" /proc/[0-9]*/mountinfo 2>/dev/null | wc -l)" 0
    expect audit-line "the audit log records the import-usb of EMP-STICK.lic" \
        grep -q '"action":"import-usb".*EMP-STICK.lic' /wfs/license-agent/audit.log
    show_file /wfs/license-agent/audit.log
}
