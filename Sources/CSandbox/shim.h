// What the network helper needs to confine itself: its identity (setresuid and friends,
// supplementary groups, capabilities, no_new_privs) and libseccomp, opened on first use.
//
// No _GNU_SOURCE here (CLinux has it): a module that sees the system headers with other
// feature macros than Glibc's own would define their structures twice. The GNU calls
// needed are declared below as glibc declares them.
//
// Only the network helper installs a system-call filter, so libseccomp is not linked: the
// boot check never loads it. The forwarders below open libseccomp.so.2 with dlopen the first
// time one is called and call through dlsym, as CCurl's do. seccomp.h is included for its
// types and constants only. Its action macros take arguments, which Swift cannot import, so
// each gets a forwarder too.
#include <dlfcn.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <seccomp.h>

extern int setresuid(uid_t real, uid_t effective, uid_t saved);
extern int setresgid(gid_t real, gid_t effective, gid_t saved);
extern int getresuid(uid_t *real, uid_t *effective, uid_t *saved);
extern int getresgid(gid_t *real, gid_t *effective, gid_t *saved);
extern long syscall(long number, ...);

/// The libseccomp handle; NULL when libseccomp is not installed.
static inline void *seccomp_shim_library(void) {
    static void *library;
    if (library == NULL) library = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
    return library;
}

/// Non-zero when libseccomp could be opened; call before any other forwarder.
static inline int seccomp_shim_available(void) { return seccomp_shim_library() != NULL; }

#define SECCOMP_SHIM_FUNCTION(name) ((__typeof__(&name))dlsym(seccomp_shim_library(), #name))

static inline scmp_filter_ctx seccomp_shim_init(uint32_t default_action) {
    return SECCOMP_SHIM_FUNCTION(seccomp_init)(default_action);
}
static inline void seccomp_shim_release(scmp_filter_ctx filter) {
    SECCOMP_SHIM_FUNCTION(seccomp_release)(filter);
}
static inline int seccomp_shim_load(scmp_filter_ctx filter) {
    return SECCOMP_SHIM_FUNCTION(seccomp_load)(filter);
}
static inline int seccomp_shim_syscall_resolve_name(const char *name) {
    return SECCOMP_SHIM_FUNCTION(seccomp_syscall_resolve_name)(name);
}
static inline int seccomp_shim_rule_add_array(scmp_filter_ctx filter, uint32_t action, int syscall,
                                              unsigned int count, const struct scmp_arg_cmp *comparisons) {
    return SECCOMP_SHIM_FUNCTION(seccomp_rule_add_array)(filter, action, syscall, count, comparisons);
}

static inline uint32_t seccomp_shim_action_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t seccomp_shim_action_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t seccomp_shim_action_errno(uint16_t number) { return SCMP_ACT_ERRNO(number); }

/// posix_spawn_file_actions_addclosefrom_np(3), a GNU extension: the child closes every
/// descriptor from `lowest` on before it runs the new program.
static inline int sandbox_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

/// setgroups(2) with no groups: the process keeps no supplementary group.
static inline int sandbox_drop_supplementary_groups(void) { return setgroups(0, NULL); }

/// setresuid(2), setresgid(2), getresuid(2), getresgid(2).
static inline int sandbox_setresuid(uid_t real, uid_t effective, uid_t saved) {
    return setresuid(real, effective, saved);
}
static inline int sandbox_setresgid(gid_t real, gid_t effective, gid_t saved) {
    return setresgid(real, effective, saved);
}
static inline int sandbox_getresuid(uid_t *real, uid_t *effective, uid_t *saved) {
    return getresuid(real, effective, saved);
}
static inline int sandbox_getresgid(gid_t *real, gid_t *effective, gid_t *saved) {
    return getresgid(real, effective, saved);
}

/// prctl(PR_SET_NO_NEW_PRIVS): neither this process nor anything it runs gains privileges.
static inline int sandbox_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

/// prctl(PR_GET_NO_NEW_PRIVS): 1 when set.
static inline int sandbox_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }

/// prctl(PR_SET_DUMPABLE, 0): no core file, and no ptrace by the user it now runs as.
static inline int sandbox_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

/// capget(2): 1 when the process holds no capability at all (effective, permitted and
/// inheritable), 0 when it holds one, -1 with errno when the question failed.
static inline int sandbox_holds_no_capabilities(void) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        if (data[i].effective || data[i].permitted || data[i].inheritable) return 0;
    }
    return 1;
}

/// CLONE_THREAD: a `clone` that starts a thread, not a process.
static inline unsigned long sandbox_clone_thread(void) { return CLONE_THREAD; }
