"""The guest's kernel: Debian's linux-image-amd64, booted directly by qemu.

- `vmlinux`: the uncompressed kernel taken out of /boot/vmlinuz. qemu boots an ELF kernel
  through its PVH entry point (CONFIG_PVH=y in Debian's config), which skips the real-mode
  set-up and the in-guest xz decompression: seconds a boot under TCG.
- The modules: Debian builds virtio, ext4, USB and SCSI as modules. The image keeps only
  the ones a thin client of this test needs (and their dependencies), so udev's coldplug
  has less to do; `initramfs.py` packs the few the root file system needs.
"""

import lzma
import os
import re

# What the guest may need. Everything else under /usr/lib/modules is deleted.
GUEST_MODULES = [
    # disks, NIC, entropy
    "virtio_pci", "virtio_blk", "virtio_net", "virtio_rng", "virtio_console",
    # file systems: the partitions and every stick file system the agent tries
    "ext4", "vfat", "exfat", "isofs", "nls_cp437", "nls_ascii", "nls_iso8859_1", "nls_utf8",
    "crc32c_generic", "crc32c_intel",
    # USB sticks (qemu-xhci + usb-storage)
    "xhci_pci", "xhci_hcd", "usb_storage", "uas", "sd_mod",
    # what systemd itself asks for
    "autofs4", "loop", "efivarfs", "configfs", "fuse", "dm_mod",
]

# What the initramfs loads to mount the root file system (virtio disk, ext4).
ROOT_MODULES = ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"]


def normalised(name: str) -> str:
    return name.replace("-", "_")


def module_name(path: str) -> str:
    """`kernel/drivers/usb/storage/usb-storage.ko` → `usb_storage`."""
    return normalised(os.path.basename(path).split(".ko")[0])


def read_dependencies(modules_dir: str) -> dict:
    """modules.dep as {name: (path, [dependency paths])}."""
    table = {}
    with open(os.path.join(modules_dir, "modules.dep")) as handle:
        for line in handle:
            path, _, rest = line.strip().partition(":")
            if path:
                table[module_name(path)] = (path, rest.split())
    return table


def closure_in_load_order(modules_dir: str, wanted) -> list:
    """Paths of the wanted modules and everything they need, dependencies first.

    Names missing from this kernel (built in, or absent) are skipped.
    """
    table = read_dependencies(modules_dir)
    ordered, seen = [], set()

    def visit(name):
        if name in seen or name not in table:
            return
        seen.add(name)
        path, dependencies = table[name]
        for dependency in dependencies:
            visit(module_name(dependency))
        ordered.append(path)

    for name in wanted:
        visit(normalised(name))
    return ordered


def prune_modules(root: str, kernel_version: str) -> int:
    """Deletes every module outside GUEST_MODULES' closure; returns how many were kept."""
    modules_dir = os.path.join(root, "usr/lib/modules", kernel_version)
    keep = set(closure_in_load_order(modules_dir, GUEST_MODULES))
    kernel_dir = os.path.join(modules_dir, "kernel")
    for folder, _, files in os.walk(kernel_dir, topdown=False):
        for name in files:
            relative = os.path.relpath(os.path.join(folder, name), modules_dir)
            if relative not in keep:
                os.unlink(os.path.join(folder, name))
        if folder != kernel_dir and not os.listdir(folder):
            os.rmdir(folder)
    return len(keep)


def installed_kernel_version(root: str) -> str:
    versions = sorted(os.listdir(os.path.join(root, "usr/lib/modules")))
    if len(versions) != 1:
        raise RuntimeError(f"expected one kernel in the image, found {versions}")
    return versions[0]


def extract_vmlinux(vmlinuz_path: str, output_path: str) -> None:
    """Writes the ELF kernel inside a bzImage (xz-compressed, as Debian builds it).

    The same as the kernel's scripts/extract-vmlinux: find the xz stream, decompress it.
    """
    with open(vmlinuz_path, "rb") as handle:
        data = handle.read()
    for match in re.finditer(re.escape(b"\xfd7zXZ\x00"), data):
        try:
            decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            kernel = decompressor.decompress(data[match.start():])
        except lzma.LZMAError:
            continue
        if kernel.startswith(b"\x7fELF"):
            with open(output_path, "wb") as out:
                out.write(kernel)
            return
    raise RuntimeError(f"no xz-compressed ELF kernel found in {vmlinuz_path}")
