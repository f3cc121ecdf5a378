# Scenario removal-profile (issue 13, scenario 4): a removal profile assigned in
# /wfs/license-profiles/ runs at the next boot, before the check publishes.
#
# Disks: /license with PAS-KEEP, EMP-GONE and PWT-KEEP; /wfs/license-profiles/ holds the
# RemoveAllEnterpriseManagementPackLicenses profile (Profiles/, as the package ships it).
# Asserts: after boot EMP-GONE.lic is gone from /license and the others stay; the state.json
# the boot check published (before the desktop) already lacks EMP and lists no EMP product;
# state.json names the assigned profile; the audit log has the profile-run line with
# EMP-GONE.lic; /license is read-only again.

phase_1() {
    local state=/run/license-agent/state.json
    expect check-ran "the boot check has run" wait_for_unit_run license-agent-check.service 5
    expect_equal check-exit-status "the check's exit status" \
        "$(systemctl show -P ExecMainStatus license-agent-check.service)" 0
    expect_equal remaining "the files in /license/dsa/licenses" \
        "$(ls /license/dsa/licenses | tr '\n' ' ')" "PAS-KEEP.lic PWT-KEEP.lic "
    expect_equal published-licenses "the licenses in the state.json the boot check published" \
        "$(jq -r '[.licenses[].file] | join(" ")' "$state")" "PAS-KEEP.lic PWT-KEEP.lic"
    expect_equal published-products "the products in the published state.json" \
        "$(jq -r '[.products[].product] | join(" ")' "$state")" "PAS PWT"
    expect_equal desktop-saw-state "what the display manager found when it started" \
        "$(grep '^state=' /run/fake-display-manager.seen)" "state=present"
    expect profile-named "state.json names the assigned profile" \
        sh -c "jq -c .removalProfile $state | grep -q RemoveAllEnterpriseManagementPackLicenses"
    expect audit-line "the audit log records the profile run removing EMP-GONE.lic" \
        grep -q '"action":"profile-run".*EMP-GONE.lic' /wfs/license-agent/audit.log
    expect license-read-only "/license is mounted read-only again" is_read_only_mount /license
    show_file /wfs/license-agent/audit.log
}
