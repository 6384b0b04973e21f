// librvoipd-civetweb-libssl.so: the "libssl.so" that Debian 12's civetweb 1.15 can load.
//
// That civetweb is built for the OpenSSL 1.1 API and loads OpenSSL at run time: dlopen("libssl.so")
// and one dlsym() per function it uses. SSL_get_peer_certificate is among them, and OpenSSL 3
// has it only as a macro for SSL_get1_peer_certificate, so civetweb refuses every HTTPS port
// ("Error initializing SSL context", civetweb issue #1334). This library's SONAME is
// "libssl.so": once AdminServer has loaded it, the dynamic loader answers civetweb's
// dlopen("libssl.so") with it (a loaded object whose SONAME matches is reused), and each dlsym()
// finds the function here or, through this library's dependency, in the real libssl.so.3.
// Loaded only when the admin endpoint serves TLS.

#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

extern "C" __attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* s) {
  // OpenSSL 1.1's function returned a reference the caller frees, as get1 does.
  return SSL_get1_peer_certificate(s);
}
