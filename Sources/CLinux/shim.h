// Linux system calls and GNU functions that Glibc's Swift module does not expose (they need _GNU_SOURCE
// or are reachable only through the variadic syscall()). One inline forwarder each.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/// renameat2(2): with RENAME_EXCHANGE, swaps two paths atomically.
static inline int linux_renameat2(int old_directory, const char *old_path,
                                  int new_directory, const char *new_path, unsigned int flags) {
    return (int)syscall(SYS_renameat2, old_directory, old_path, new_directory, new_path, flags);
}

static inline unsigned int linux_rename_exchange(void) { return RENAME_EXCHANGE; }

/// memmem(3), a GNU extension: where a byte string first occurs in another.
static inline void *linux_memmem(const void *haystack, size_t haystack_length,
                                 const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

/// O_PATH: a descriptor that only names a file (opening it has no side effect).
static inline int linux_o_path(void) { return O_PATH; }
