#ifndef SLIPWAY_CCURL_SHIM_H
#define SLIPWAY_CCURL_SHIM_H

#include <curl/curl.h>

/*
 * libcurl's option and info setters are variadic C functions, which Swift cannot call.
 * These typed wrappers fix the argument type for each kind of option:
 * https://curl.se/libcurl/c/curl_easy_setopt.html
 * https://curl.se/libcurl/c/curl_multi_setopt.html
 * https://curl.se/libcurl/c/curl_easy_getinfo.html
 */

static const long slipway_curl_global_all = CURL_GLOBAL_ALL;
static const size_t slipway_curl_error_size = CURL_ERROR_SIZE;
static const size_t slipway_curl_writefunc_pause = CURL_WRITEFUNC_PAUSE;
static const size_t slipway_curl_readfunc_abort = CURL_READFUNC_ABORT;
static const int slipway_curlpause_cont = CURLPAUSE_CONT;

static inline CURLcode slipway_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode slipway_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode slipway_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode slipway_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode slipway_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/* The blob is copied by libcurl (CURL_BLOB_COPY): the caller's memory may go away afterwards. */
static inline CURLcode slipway_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

static inline CURLcode slipway_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode slipway_easy_setopt_read_callback(CURL *handle, CURLoption option, curl_read_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLMcode slipway_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLcode slipway_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode slipway_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode slipway_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode slipway_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
