// The one place that includes libcurl. curl_easy_setopt and curl_easy_getinfo
// are variadic macros Swift cannot call, so each argument type gets a typed,
// prefixed inline function here.
#ifndef TFC_CCURL_SHIM_H
#define TFC_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode tfc_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode tfc_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode tfc_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode tfc_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode tfc_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*tfc_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode tfc_curl_setopt_data_cb(CURL *h, CURLoption o, tfc_curl_data_cb v) { return curl_easy_setopt(h, o, v); }

// CURLOPT_SEEKFUNCTION: curl rewinds a streamed upload through it when it resends on a fresh connection.
typedef int (*tfc_curl_seek_cb)(void *userdata, curl_off_t offset, int origin);
static inline CURLcode tfc_curl_setopt_seek_cb(CURL *h, CURLoption o, tfc_curl_seek_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode tfc_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode tfc_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode tfc_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
#endif
