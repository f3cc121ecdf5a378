"""The guest image: a Debian bookworm root file system with the package under test.

Two cache levels, both outside the clone (default /var/cache/license-agent-system-test,
or $SYSTEM_TEST_CACHE):

1. `base-<key>.tar`: `mmdebstrap --variant=minbase` with systemd, udev, kmod, Debian's
   kernel and the package's own dependencies (the slow step, 1.5–3 min). Keyed by the
   package list, so it is rebuilt only when that list changes.
2. `image-<key>/`: the base unpacked, the `.deb` installed with `chroot dpkg -i`, the
   guest side of the test (Tests/System/guest) installed, modules pruned, then written into
   an ext4 image with `mke2fs -d` (no loop device), plus the kernel and a minimal initramfs.
   Keyed by the base key, the `.deb`'s SHA-256 and the digest of the guest files and of
   this recipe.

Nothing else is installed into the image: the licensing PKI is made fresh at every run and
reaches the guest on a data disk (see disks.py), as the package under test is the only
thing that may differ between two runs with the same image.
"""

import hashlib
import json
import os
import shutil

from . import initramfs, kernel
from .commands import Stopwatch, log, run

SUITE = "bookworm"
# The guest's packages besides the .deb's own dependencies: a systemd boot with udev, the
# kernel, e2fsprogs (fsck of /license after a power cut), openssl (the UMS on loopback),
# jq (the guest scripts read state.json), busybox-static (the initramfs).
GUEST_PACKAGES = ["systemd", "systemd-sysv", "udev", "kmod", "linux-image-amd64", "e2fsprogs",
                  "openssl", "jq", "busybox-static", "util-linux"]
EXCLUDED_PATHS = ["/usr/share/man/*", "/usr/share/doc/*", "/usr/share/locale/*", "/usr/share/info/*",
                  "/usr/share/lintian/*", "/usr/share/zsh/*", "/usr/share/bash-completion/*"]
# Units that cost boot time and do nothing for the test.
MASKED_UNITS = ["apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer", "e2scrub_all.timer",
                "e2scrub_reap.service", "fstrim.timer", "systemd-timesyncd.service", "getty@tty1.service",
                "serial-getty@ttyS0.service", "serial-getty@ttyS1.service", "systemd-firstboot.service",
                "console-getty.service", "systemd-pstore.service", "getty-static.service"]
ROOT_IMAGE_SIZE = "1536M"
# Bumped when the recipe below changes in a way the digests of its inputs do not show.
RECIPE_VERSION = "3"

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "guest"))


class GuestImage:
    """The files one boot needs: root.img (raw ext4), vmlinux, initramfs.cpio."""

    def __init__(self, directory: str):
        self.directory = directory
        self.root_image = os.path.join(directory, "root.img")
        self.kernel = os.path.join(directory, "vmlinux")
        self.initramfs = os.path.join(directory, "initramfs.cpio")
        with open(os.path.join(directory, "info.json")) as handle:
            self.info = json.load(handle)


def sha256_of_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of_tree(*paths) -> str:
    """Digest of file names and contents under the paths (files or folders), in sorted order."""
    digest = hashlib.sha256()
    for top in paths:
        files = [top] if os.path.isfile(top) else sorted(
            os.path.join(folder, name) for folder, _, names in os.walk(top) for name in names)
        for path in files:
            digest.update(os.path.relpath(path, os.path.dirname(top)).encode() + b"\0")
            digest.update(sha256_of_file(path).encode())
    return digest.hexdigest()


def package_dependencies(deb_path: str) -> list:
    """The first alternative of every Depends: and Recommends: entry of the .deb, as package
    names. Recommends too: a device image installs them (libcurl4, which `fetch`, `activate`
    and `deploy` open on demand, is one), and dpkg -i alone would not."""
    names = []
    for field in ("Depends", "Recommends"):
        entries = run(["dpkg-deb", "-f", deb_path, field], capture=True)
        for entry in entries.split(","):
            name = entry.split("|")[0].strip().split(" ")[0].split(":")[0]
            if name:
                names.append(name)
    return names


def base_package_list(deb_path: str) -> list:
    return sorted(set(GUEST_PACKAGES) | set(package_dependencies(deb_path)))


def build_base(cache: str, packages: list) -> str:
    """The mmdebstrap tarball for this package list, built when not cached."""
    key = hashlib.sha256(json.dumps({"suite": SUITE, "packages": packages, "exclude": EXCLUDED_PATHS,
                                     "recipe": RECIPE_VERSION}).encode()).hexdigest()[:16]
    tarball = os.path.join(cache, f"base-{key}.tar")
    if os.path.exists(tarball):
        log(f"Base system: cached ({os.path.basename(tarball)})")
        return tarball
    log(f"Base system: mmdebstrap {SUITE} minbase with {len(packages)} packages")
    options = [f"--dpkgopt=path-exclude={path}" for path in EXCLUDED_PATHS]
    partial = tarball + ".partial"
    # INITRD=No: the kernel's postinst hook builds no 37 MB initramfs we would not use.
    run(["mmdebstrap", "--variant=minbase", "--format=tar", "--components=main", f"--include={','.join(packages)}",
         *options, SUITE, partial], env={"INITRD": "No"}, quiet=True)
    os.rename(partial, tarball)
    return tarball


def write_guest_configuration(root: str) -> None:
    """fstab, host name, the guest units and scripts, masked units, default target."""
    shutil.copyfile(os.path.join(GUEST_DIR, "fstab"), os.path.join(root, "etc/fstab"))
    with open(os.path.join(root, "etc/hostname"), "w") as handle:
        handle.write("thin-client\n")
    for folder in ["license", "wfs", "srv/system-test"]:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    library = os.path.join(root, "usr/local/lib/system-test")
    shutil.copytree(GUEST_DIR, library, ignore=shutil.ignore_patterns("units", "fstab"), dirs_exist_ok=True)
    for name in os.listdir(os.path.join(GUEST_DIR, "units")):
        shutil.copyfile(os.path.join(GUEST_DIR, "units", name), os.path.join(root, "etc/systemd/system", name))
    run(["chroot", root, "systemctl", "enable", "--quiet", "system-test.service",
         "system-test-provision.service", "fake-display-manager.service"])
    run(["chroot", root, "systemctl", "mask", "--quiet", *MASKED_UNITS])
    run(["chroot", root, "systemctl", "set-default", "--quiet", "graphical.target"])
    # The journal stays in memory: it is read in the boot that wrote it.
    os.makedirs(os.path.join(root, "etc/systemd/journald.conf.d"), exist_ok=True)
    with open(os.path.join(root, "etc/systemd/journald.conf.d/system-test.conf"), "w") as handle:
        handle.write("[Journal]\nStorage=volatile\n")


def install_package(root: str, deb_path: str) -> None:
    target = os.path.join(root, "tmp", os.path.basename(deb_path))
    shutil.copyfile(deb_path, target)
    run(["chroot", root, "dpkg", "-i", f"/tmp/{os.path.basename(deb_path)}"], quiet=True)
    os.unlink(target)


def build_image(cache: str, deb_path: str) -> GuestImage:
    """The cached image for this .deb and these guest files, built when missing."""
    os.makedirs(cache, exist_ok=True)
    packages = base_package_list(deb_path)
    watch = Stopwatch()
    base = build_base(cache, packages)
    base_seconds = watch.seconds
    key = hashlib.sha256("\n".join([
        os.path.basename(base), sha256_of_file(deb_path),
        sha256_of_tree(GUEST_DIR, HERE), RECIPE_VERSION]).encode()).hexdigest()[:16]
    directory = os.path.join(cache, f"image-{key}")
    if os.path.exists(os.path.join(directory, "info.json")):
        log(f"Image: cached ({directory})")
        image = GuestImage(directory)
        image.info["cached"] = True
        image.info["thisRunSeconds"] = round(watch.seconds, 1)
        return image
    log(f"Image: building {directory}")
    work = directory + ".partial"
    shutil.rmtree(work, ignore_errors=True)
    root = os.path.join(work, "root")
    os.makedirs(root)
    run(["tar", "-C", root, "--numeric-owner", "-xf", base])
    install_package(root, deb_path)
    write_guest_configuration(root)
    version = kernel.installed_kernel_version(root)
    kept = kernel.prune_modules(root, version)
    run(["chroot", root, "depmod", "-a", version])
    kernel.extract_vmlinux(os.path.join(root, "boot", f"vmlinuz-{version}"), os.path.join(work, "vmlinux"))
    initramfs.build_initramfs(root, version, os.path.join(GUEST_DIR, "initramfs-init"),
                              os.path.join(work, "initramfs.cpio"))
    for name in os.listdir(os.path.join(root, "boot")):
        os.unlink(os.path.join(root, "boot", name))
    run(["mke2fs", "-q", "-t", "ext4", "-L", "ROOT", "-d", root, os.path.join(work, "root.img"), ROOT_IMAGE_SIZE])
    shutil.rmtree(root)
    info = {"kernel": version, "modules": kept, "packages": packages, "deb": os.path.basename(deb_path),
            "debSha256": sha256_of_file(deb_path), "baseSeconds": round(base_seconds, 1),
            "buildSeconds": round(watch.seconds, 1)}
    with open(os.path.join(work, "info.json"), "w") as handle:
        json.dump(info, handle, indent=1)
    os.rename(work, directory)
    remove_old_images(cache, keep=directory)
    image = GuestImage(directory)
    image.info["cached"] = False
    image.info["thisRunSeconds"] = round(watch.seconds, 1)
    return image


def remove_old_images(cache: str, keep: str, keep_count: int = 2) -> None:
    """Keeps the newest images (the one just built among them); older ones are deleted."""
    images = sorted((os.path.join(cache, name) for name in os.listdir(cache)
                     if name.startswith("image-") and not name.endswith(".partial")),
                    key=os.path.getmtime, reverse=True)
    for old in images[keep_count:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
