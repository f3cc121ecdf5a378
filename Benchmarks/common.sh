# Shared by the benchmark scripts and Packaging/link/make-boot-path-order: sourced, not run.
#
#   shipped_build SCRATCH PRODUCT    builds PRODUCT the way Packaging/debian/rules builds the
#                                    package (release, static Swift runtime, no RUNPATH,
#                                    dpkg-buildflags' hardening linker flags) in SCRATCH, and
#                                    prints the directory of the binaries
#   choose_unit AGENT                sets unit, prefix and environment: with a NIC the agent
#                                    runs as it is (prefix empty); without one (CI machines,
#                                    containers) prefix is `umockdev-run` with the fixture NIC
#   make_device ROOT COUNT           a device tree: the keyring of $pki, an OS 12 os-release
#                                    and COUNT PAS licenses for $unit, signed by $issuer
#
# The licenses are dated relative to the clock the agent sees, real or faked: issued a day ago
# (inside a PKI just made by `license-issuer pki`, whose certificates are valid from a year
# before now), begun a month ago, ending in four years: `valid` and PAS `active` on any day.

shipped_build() { # scratch product
    local scratch=$1 product=$2 flag linker_flags=()
    command -v dpkg-buildflags >/dev/null || { apt-get update -qq && apt-get install -y -qq dpkg-dev >/dev/null; }
    # -Wl,-z,relro -Wl,-z,now in swiftc's spelling, as debian/rules writes them.
    for flag in $(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS); do
        [[ $flag == -Wl,* ]] || continue
        IFS=, read -ra parts <<<"${flag#-Wl,}"
        for part in "${parts[@]}"; do linker_flags+=(-Xlinker "$part"); done
    done
    swift build -c release --scratch-path "$scratch" --static-swift-stdlib --disable-local-rpath \
        --product "$product" "${linker_flags[@]}" >/dev/null
    swift build -c release --scratch-path "$scratch" --static-swift-stdlib --disable-local-rpath --show-bin-path
}

choose_unit() { # agent
    prefix=()
    if unit=$("$1" unit-id 2>/dev/null); then
        environment="this machine's NIC (unit $unit)"
    else
        prefix=(umockdev-run -d "$PWD/Tests/Fixtures/umockdev/device.umockdev" --)
        unit=00E0C51C5087
        environment="umockdev (no NIC here): umockdev's preload library in every process measured"
    fi
}

make_device() { # root count
    local root=$1 count=$2 i today issued starts expires
    today=$(date -u +%F)
    issued=$(date -u -d "-1 day" +%FT%TZ)
    starts=$(date -u -d "$today -30 days" +%F)
    expires=$(date -u -d "$today +1460 days" +%F)
    mkdir -p "$root/license/dsa/licenses" "$root/etc/license-agent" "$root/docs"
    cp "$pki/keyring.pem" "$root/etc/license-agent/keyring.pem"
    printf 'VERSION_ID="12.5.1"\n' >"$root/etc/os-release"
    for i in $(seq 1 "$count"); do
        printf '{"format":1,"licenseId":"bench-%d","issued":"%s","product":"PAS","model":"subscription","packId":"PAS-%05d","starts":"%s","expires":"%s","units":["%s"]}' \
            "$i" "$issued" "$i" "$starts" "$expires" "$unit" >"$root/docs/$i.json"
        "$issuer" sign "$root/docs/$i.json" --signer "$pki/signer.crt" --key "$pki/signer.key" \
            -o "$root/license/dsa/licenses/PAS-$i.lic"
    done
}
