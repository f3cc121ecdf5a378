// libcurl's easy interface, opened on first use.
//
// Only the network helper needs libcurl (every transfer of `fetch`, `activate`, `deploy` and
// `report` runs there), and linking it would load some thirty more libraries (TLS, Kerberos,
// LDAP, IDN…) at every start of the agent, including the boot check and the root process of
// those very commands. So libcurl is not linked: the forwarders below open libcurl.so.4 with dlopen the
// first time one is called and call through dlsym. curl/curl.h is included for its types
// and constants only; calling a curl_* function directly from Swift fails to link, by
// design. curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call, so
// each argument type gets one typed forwarder.
#include <dlfcn.h>
#include <stddef.h>
#include <curl/curl.h>

/// The libcurl handle, opened once per forwarder copy (dlopen counts references, so a
/// second open returns the same library). NULL when libcurl is not installed.
static inline void *curl_shim_library(void) {
    static void *library;
    if (library == NULL) library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    return library;
}

/// Non-zero when libcurl could be opened; call before any other forwarder.
static inline int curl_shim_available(void) { return curl_shim_library() != NULL; }

#define CURL_SHIM_FUNCTION(name) ((__typeof__(&name))dlsym(curl_shim_library(), #name))

static inline CURLcode curl_shim_global_init(long flags) {
    return CURL_SHIM_FUNCTION(curl_global_init)(flags);
}
static inline CURL *curl_shim_easy_init(void) {
    return CURL_SHIM_FUNCTION(curl_easy_init)();
}
static inline void curl_shim_easy_cleanup(CURL *handle) {
    CURL_SHIM_FUNCTION(curl_easy_cleanup)(handle);
}
static inline CURLcode curl_shim_easy_perform(CURL *handle) {
    return CURL_SHIM_FUNCTION(curl_easy_perform)(handle);
}
static inline const char *curl_shim_easy_strerror(CURLcode code) {
    return CURL_SHIM_FUNCTION(curl_easy_strerror)(code);
}
static inline struct curl_slist *curl_shim_slist_append(struct curl_slist *list, const char *line) {
    return CURL_SHIM_FUNCTION(curl_slist_append)(list, line);
}
static inline void curl_shim_slist_free_all(struct curl_slist *list) {
    CURL_SHIM_FUNCTION(curl_slist_free_all)(list);
}
static inline CURLcode curl_shim_setopt_long(CURL *handle, CURLoption option, long value) {
    return CURL_SHIM_FUNCTION(curl_easy_setopt)(handle, option, value);
}
static inline CURLcode curl_shim_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return CURL_SHIM_FUNCTION(curl_easy_setopt)(handle, option, value);
}
static inline CURLcode curl_shim_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return CURL_SHIM_FUNCTION(curl_easy_setopt)(handle, option, value);
}
static inline CURLcode curl_shim_setopt_write_function(
    CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return CURL_SHIM_FUNCTION(curl_easy_setopt)(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode curl_shim_setopt_header_function(
    CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return CURL_SHIM_FUNCTION(curl_easy_setopt)(handle, CURLOPT_HEADERFUNCTION, callback);
}
static inline CURLcode curl_shim_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return CURL_SHIM_FUNCTION(curl_easy_getinfo)(handle, info, value);
}
static inline CURLcode curl_shim_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return CURL_SHIM_FUNCTION(curl_easy_getinfo)(handle, info, value);
}

// The URL API (curl_url, libcurl 7.62+): libcurl's own URL parser, so that the agent reads a
// URL's parts exactly as the transfer will.
static inline CURLU *curl_shim_url(void) {
    return CURL_SHIM_FUNCTION(curl_url)();
}
static inline void curl_shim_url_cleanup(CURLU *url) {
    CURL_SHIM_FUNCTION(curl_url_cleanup)(url);
}
static inline CURLUcode curl_shim_url_set(CURLU *url, CURLUPart part, const char *content, unsigned int flags) {
    return CURL_SHIM_FUNCTION(curl_url_set)(url, part, content, flags);
}
static inline CURLUcode curl_shim_url_get(CURLU *url, CURLUPart part, char **content, unsigned int flags) {
    return CURL_SHIM_FUNCTION(curl_url_get)(url, part, content, flags);
}
static inline void curl_shim_free(void *pointer) {
    CURL_SHIM_FUNCTION(curl_free)(pointer);
}
static inline const char *curl_shim_url_strerror(CURLUcode code) {
    return CURL_SHIM_FUNCTION(curl_url_strerror)(code);
}
