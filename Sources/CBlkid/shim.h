// libblkid's low-level probe, opened on first use.
//
// Only `import-usb` probes a filesystem itself, and only when udev has not (no udev daemon: a
// rescue shell, a container). Linking libblkid would load it at every start of the agent, the
// boot check's included, for a call most devices never make. So libblkid is not linked: the
// forwarders below open libblkid.so.1 with dlopen the first time one is called and call
// through dlsym, as CCurl's do. blkid.h is included for its types and constants only.
#include <dlfcn.h>
#include <stddef.h>
#include <blkid/blkid.h>

/// The libblkid handle; NULL when libblkid is not installed.
static inline void *blkid_shim_library(void) {
    static void *library;
    if (library == NULL) library = dlopen("libblkid.so.1", RTLD_NOW | RTLD_LOCAL);
    return library;
}

/// Non-zero when libblkid could be opened; call before any other forwarder.
static inline int blkid_shim_available(void) { return blkid_shim_library() != NULL; }

#define BLKID_SHIM_FUNCTION(name) ((__typeof__(&name))dlsym(blkid_shim_library(), #name))

static inline blkid_probe blkid_shim_new_probe_from_filename(const char *filename) {
    return BLKID_SHIM_FUNCTION(blkid_new_probe_from_filename)(filename);
}
static inline void blkid_shim_free_probe(blkid_probe probe) {
    BLKID_SHIM_FUNCTION(blkid_free_probe)(probe);
}
static inline int blkid_shim_probe_enable_superblocks(blkid_probe probe, int enable) {
    return BLKID_SHIM_FUNCTION(blkid_probe_enable_superblocks)(probe, enable);
}
static inline int blkid_shim_probe_set_superblocks_flags(blkid_probe probe, int flags) {
    return BLKID_SHIM_FUNCTION(blkid_probe_set_superblocks_flags)(probe, flags);
}
static inline int blkid_shim_do_safeprobe(blkid_probe probe) {
    return BLKID_SHIM_FUNCTION(blkid_do_safeprobe)(probe);
}
static inline int blkid_shim_probe_lookup_value(blkid_probe probe, const char *name, const char **data,
                                                size_t *length) {
    return BLKID_SHIM_FUNCTION(blkid_probe_lookup_value)(probe, name, data, length);
}
